OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
u1(1.0) q[0];
