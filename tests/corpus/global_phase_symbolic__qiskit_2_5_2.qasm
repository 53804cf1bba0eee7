OPENQASM 3.0;
include "stdgates.inc";
input float[64] phi;
qubit[2] q;
rx(phi) q[0];
cz q[0], q[1];
