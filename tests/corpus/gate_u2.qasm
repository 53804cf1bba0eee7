OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
u2(1.1, 1.2) q[0];
