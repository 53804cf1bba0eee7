OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
u3(1.3, 1.4, 1.5) q[0];
