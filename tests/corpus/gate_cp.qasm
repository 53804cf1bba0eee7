OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
cp(1.9) q[1], q[0];
