OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
crx(1.6) q[1], q[0];
