OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
cry(1.7) q[1], q[0];
