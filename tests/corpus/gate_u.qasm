OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
U(0.7, 0.8, 0.9) q[0];
