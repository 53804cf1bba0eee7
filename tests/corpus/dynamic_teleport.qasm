OPENQASM 3.0;
include "stdgates.inc";
bit[1] c0;
bit[1] c1;
qubit[3] q;
ry(0.8) q[0];
h q[1];
cx q[1], q[2];
cx q[0], q[1];
h q[0];
c0[0] = measure q[0];
c1[0] = measure q[1];
if (c1 == 1) {
  x q[2];
}
if (c0 == 1) {
  z q[2];
}
