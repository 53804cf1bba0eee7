OPENQASM 3.0;
include "stdgates.inc";
input float[64] _t_0_;
input float[64] _t_1_;
input float[64] _t_2_;
input float[64] _t_3_;
input float[64] _t_4_;
input float[64] _t_5_;
input float[64] _t_6_;
input float[64] _t_7_;
input float[64] _t_8_;
input float[64] _t_9_;
input float[64] _t_10_;
input float[64] _t_11_;
gate r(p0, p1) _gate_q_0 {
  u3(p0, p1 - pi/2, pi/2 - p1) _gate_q_0;
}
gate rzz(p0) _gate_q_0, _gate_q_1 {
  cx _gate_q_0, _gate_q_1;
  rz(p0) _gate_q_1;
  cx _gate_q_0, _gate_q_1;
}
gate sxdg _gate_q_0 {
  s _gate_q_0;
  h _gate_q_0;
  s _gate_q_0;
}
gate xx_plus_yy(p0, p1) _gate_q_0, _gate_q_1 {
  rz(p1) _gate_q_0;
  rz(-pi/2) _gate_q_1;
  sx _gate_q_1;
  rz(pi/2) _gate_q_1;
  s _gate_q_0;
  cx _gate_q_1, _gate_q_0;
  ry(-p0/2) _gate_q_1;
  ry(-p0/2) _gate_q_0;
  cx _gate_q_1, _gate_q_0;
  sdg _gate_q_0;
  rz(-pi/2) _gate_q_1;
  sxdg _gate_q_1;
  rz(pi/2) _gate_q_1;
  rz(-p1) _gate_q_0;
}
qubit[3] q;
U(_t_0_, _t_1_, _t_2_) q[0];
r(_t_3_, _t_4_) q[1];
cu(_t_5_, _t_6_, _t_7_, _t_8_) q[0], q[2];
rzz(_t_9_) q[0], q[1];
xx_plus_yy(_t_10_, _t_11_) q[1], q[2];
crx(_t_0_ + _t_1_) q[2], q[0];
