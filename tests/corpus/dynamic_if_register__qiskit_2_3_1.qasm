OPENQASM 3.0;
include "stdgates.inc";
bit[2] m;
bit[1] out;
qubit[3] q;
h q[0];
h q[1];
m[0] = measure q[0];
m[1] = measure q[1];
if (m == 2) {
  x q[2];
  rz(0.5) q[2];
}
if (m == 3) {
  h q[2];
}
if (!m[1]) {
  sx q[2];
}
out[0] = measure q[2];
