OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
rz(0.3) q[0];
