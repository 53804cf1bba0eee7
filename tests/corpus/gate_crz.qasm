OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
crz(1.8) q[1], q[0];
