OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
reset q[0];
reset q[1];
h q[0];
cx q[0], q[1];
t q[1];
