OPENQASM 3.0;
include "stdgates.inc";
gate ccz _gate_q_0, _gate_q_1, _gate_q_2 {
  h _gate_q_2;
  ccx _gate_q_0, _gate_q_1, _gate_q_2;
  h _gate_q_2;
}
gate r(p0, p1) _gate_q_0 {
  U(p0, -pi/2 + p1, pi/2 - p1) _gate_q_0;
}
gate sxdg _gate_q_0 {
  s _gate_q_0;
  h _gate_q_0;
  s _gate_q_0;
}
gate xx_minus_yy(p0, p1) _gate_q_0, _gate_q_1 {
  rz(-p1) _gate_q_1;
  sdg _gate_q_0;
  sx _gate_q_0;
  s _gate_q_0;
  s _gate_q_1;
  cx _gate_q_0, _gate_q_1;
  ry(0.5*p0) _gate_q_0;
  ry((-0.5)*p0) _gate_q_1;
  cx _gate_q_0, _gate_q_1;
  sdg _gate_q_1;
  sdg _gate_q_0;
  sxdg _gate_q_0;
  s _gate_q_0;
  rz(p1) _gate_q_1;
}
qubit[4] q;
ccz q[0], q[2], q[1];
ch q[1], q[2];
ccx q[1], q[0], q[2];
z q[1];
r(0.4164662359871743, 3.3822212903124287) q[3];
ccx q[0], q[2], q[3];
ccz q[2], q[0], q[1];
ccz q[1], q[2], q[0];
xx_minus_yy(4.676398572078337, 4.789400799636339) q[2], q[1];
xx_minus_yy(4.343219352580898, 6.197888625629665) q[2], q[1];
cu(2.469886215681248, 4.979911342691061, 5.5766340751141135, 6.127557184372493) q[2], q[1];
sxdg q[3];
cu(3.83299689069302, 2.98079695429097, 0.7615330765314278, 3.123359284750712) q[0], q[3];
cswap q[0], q[2], q[1];
