OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
ry(0.2) q[0];
