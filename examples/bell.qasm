// A Bell pair: H on qubit 0, CNOT 0 -> 1, both measured. `qrt run examples/bell.qasm` runs it on
// the least busy device and prints the counts: about half 00, half 11 (and a few 01/10 from the
// device's noise).
OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
bit[2] c;
h q[0];
cx q[0], q[1];
c = measure q;
