"""ISA (instruction set) checks on both sides of the wire.

* The client checks circuits against the backend's target before it POSTs: a non-ISA circuit to
  an emulated device raises the client's own IBMInputValueError, and the server's configuration
  and properties are what make that check right.
* The server checks again: a non-ISA circuit POSTed without the client's check (the client's
  private `service._run` path, or raw HTTP) is refused with 400 and a reason naming the
  instruction and qubits, and nothing is stored.
* The ideal simulator (simulator: true) accepts any gate on any qubits.
"""

from __future__ import annotations

import pytest
from qiskit import qasm3
from qiskit.circuit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit_ibm_runtime import EstimatorV2, SamplerV2
from qiskit_ibm_runtime.exceptions import IBMInputValueError, IBMRuntimeError

from qrt_testing import DEV, SIM, bell, empty_parameters, isa, sampler_body

CLIENT_SUFFIX = "Circuits that do not match the target hardware definition are no longer supported"


def test_client_refuses_a_non_isa_gate(service):
    backend = service.backend(DEV)
    with pytest.raises(IBMInputValueError) as refused:
        SamplerV2(mode=backend).run([bell()])
    message = str(refused.value)
    assert "The instruction h on qubits (0,) is not supported by the target system." in message
    assert CLIENT_SUFFIX in message


def test_client_refuses_a_two_qubit_gate_between_unconnected_qubits(service):
    backend = service.backend(DEV)
    circuit = QuantumCircuit(5)
    circuit.ecr(0, 2)  # a line 0-1-2-3-4: no coupling between 0 and 2
    circuit.measure_all()
    with pytest.raises(IBMInputValueError, match=r"The instruction ecr on qubits \(0, 2\) is not"):
        SamplerV2(mode=backend).run([circuit])


def test_client_refuses_a_circuit_wider_than_the_device(service):
    backend = service.backend(DEV)
    circuit = QuantumCircuit(6)
    circuit.measure_all()
    with pytest.raises(IBMInputValueError, match="The circuit has 6 qubits but the target system "
                                                 "requires 5 qubits."):
        SamplerV2(mode=backend).run([circuit])


def test_client_refuses_a_non_isa_estimator_circuit(service):
    backend = service.backend(DEV)
    with pytest.raises(IBMInputValueError, match="not supported by the target system"):
        EstimatorV2(mode=backend).run([(bell(measure=False), "ZZ")])


def test_transpiled_circuit_passes_the_clients_check(service):
    backend = service.backend(DEV)
    result = SamplerV2(mode=backend).run([isa(bell(), backend)], shots=20).result()
    assert result[0].data.meas.num_shots == 20


def test_server_refuses_non_isa_through_the_clients_private_path(service, admin):
    """service._run skips the primitives' validation: the circuit reaches the server."""
    before = admin.get("/jobs", params={"limit": 1}).json()["count"]
    inputs = {"pubs": [(bell(), empty_parameters(), 100)], "version": 2, "support_qiskit": True,
              "options": {}}
    with pytest.raises(IBMRuntimeError) as refused:
        service._run(program_id="sampler", inputs=inputs, options={"backend": DEV})
    message = str(refused.value)
    assert "400" in message, message
    assert "h" in message and "not" in message.lower(), message
    assert admin.get("/jobs", params={"limit": 1}).json()["count"] == before  # nothing stored


@pytest.mark.parametrize("case", ["gate", "coupling", "width"])
def test_server_refuses_non_isa_over_raw_http(admin, case):
    circuit = QuantumCircuit(6 if case == "width" else 5)
    if case == "gate":
        circuit.h(0)
    elif case == "coupling":
        circuit.ecr(0, 2)
    circuit.measure_all()
    response = admin.post("/jobs", sampler_body(circuit, DEV))
    assert response.status_code == 400, (response.status_code, response.text)
    body = response.json()
    text = response.text.lower()
    assert body.get("errors") or body.get("error"), body
    if case == "gate":
        assert "instruction h on qubits (0,)" in text, text
    elif case == "coupling":
        assert "ecr" in text and "0" in text and "2" in text, text
    else:
        assert "6" in text and "5" in text, text


def test_server_refuses_non_isa_openqasm3(admin):
    source = ('OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nh $0;\ncx $0, $1;\n'
              'c[0] = measure $0;\nc[1] = measure $1;\n')
    response = admin.post("/jobs", {"program_id": "sampler", "backend": DEV,
                                    "params": {"pubs": [[source]], "version": 2}})
    assert response.status_code == 400, (response.status_code, response.text)
    assert "h" in response.text


def test_isa_openqasm3_is_accepted_by_a_device(admin, service):
    backend = service.backend(DEV)
    source = qasm3.dumps(isa(bell(creg="c"), backend))
    job_id = admin.submit({"program_id": "sampler", "backend": DEV,
                           "params": {"pubs": [[source, None, 50]], "version": 2}})
    assert admin.wait(job_id)["state"]["status"] == "Completed"


def test_ideal_simulator_accepts_any_gates(service):
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.ccx(0, 1, 2)
    circuit.swap(0, 2)
    circuit.measure_all()
    result = SamplerV2(mode=service.backend(SIM)).run([circuit], shots=50).result()
    assert result[0].data.meas.num_shots == 50
    value = EstimatorV2(mode=service.backend(SIM)).run(
        [(bell(measure=False), SparsePauliOp("ZZ"))]).result()[0].data.evs
    assert abs(float(value) - 1) < 1e-10
