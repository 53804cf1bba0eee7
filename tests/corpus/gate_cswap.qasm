OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
cswap q[2], q[1], q[0];
