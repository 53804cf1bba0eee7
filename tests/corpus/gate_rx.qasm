OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
rx(0.1) q[0];
