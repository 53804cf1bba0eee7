OPENQASM 3.0;
include "stdgates.inc";
gate csdg _gate_q_0, _gate_q_1 {
  tdg _gate_q_0;
  cx _gate_q_0, _gate_q_1;
  t _gate_q_1;
  cx _gate_q_0, _gate_q_1;
  tdg _gate_q_1;
}
qubit[4] q;
ry(5.061079802359846) q[1];
u2(6.114650262989231, 1.4107279759793065) q[2];
cp(4.278197196097753) q[3], q[0];
cswap q[2], q[0], q[1];
sdg q[0];
t q[0];
u1(2.9526174733386097) q[0];
z q[0];
tdg q[1];
s q[2];
csdg q[1], q[2];
sdg q[1];
t q[2];
id q[3];
sx q[3];
y q[3];
p(2.3206962508140823) q[3];
x q[3];
