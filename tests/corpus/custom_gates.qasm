OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
gate my_entangler _gate_q_0, _gate_q_1 {
  h _gate_q_0;
  cx _gate_q_0, _gate_q_1;
  rz(0.3) _gate_q_1;
}
gate my_rot _gate_q_0, _gate_q_1 {
  ry(0.45) _gate_q_0;
  crz(0.9) _gate_q_0, _gate_q_1;
}
gate my_rot_0(theta) _gate_q_0, _gate_q_1 {
  ry(theta) _gate_q_0;
  crz(2*theta) _gate_q_0, _gate_q_1;
}
gate my_outer(theta) _gate_q_0, _gate_q_1, _gate_q_2 {
  my_entangler _gate_q_0, _gate_q_1;
  my_rot_0(theta) _gate_q_1, _gate_q_2;
}
qubit[3] q;
my_entangler q[0], q[1];
my_entangler q[2], q[1];
rz(0.2) q[2];
my_rot q[1], q[2];
my_outer(theta) q[2], q[0], q[1];
