OPENQASM 3.0;
include "stdgates.inc";
gate global_phase(p0) {
}
qubit[1] q;
global_phase(0.25) ;
