OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
cu(2.0, 2.1, 2.2, 2.3) q[1], q[0];
