OPENQASM 3.0;
include "stdgates.inc";
qubit[1] q;
p(0.4) q[0];
