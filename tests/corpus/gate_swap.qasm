OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
swap q[1], q[0];
