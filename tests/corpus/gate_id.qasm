OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
id q[0];
