OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
h q[0];
delay[35.0ns] q[1];
delay[1.5us] q[2];
delay[0.25ms] q[0];
delay[2e-07s] q[1];
cx q[0], q[1];
