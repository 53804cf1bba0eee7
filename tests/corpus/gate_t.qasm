OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
t q[0];
