"""`qrt serve` with no configuration file: the default backends, and seed 002's example as a user
would run it right after starting the server (least_busy among the emulated devices, which may
be a 127- or 133-qubit heavy-hex)."""

from __future__ import annotations

import os

import pytest
from qiskit.circuit import ClassicalRegister, QuantumCircuit, QuantumRegister
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import SamplerV2, Session

import qrt
from qrt_testing import QrtServer

DEFAULTS = {"emu_small5": 5, "emu_falcon27": 27, "emu_eagle127": 127, "emu_heron133": 133,
            "sim_ideal": None}


@pytest.fixture(scope="module")
def default_server(tmp_path_factory):
    server = QrtServer(tmp_path_factory.mktemp("default") / "data", config=None).start()
    yield server
    assert server.stop() == 0, server.log_tail()


@pytest.fixture()
def default_service(default_server, monkeypatch):
    monkeypatch.setenv("IAM_URL", os.environ.get("IAM_URL", ""))  # restored for the other tests
    return qrt.connect(default_server.url, token=default_server.admin_key)


def test_default_backends(default_service):
    backends = {b.name: b for b in default_service.backends()}
    assert set(backends) == set(DEFAULTS)
    for name, qubits in DEFAULTS.items():
        if qubits is not None:
            assert backends[name].num_qubits == qubits, name
            assert backends[name].configuration().simulator is False
    assert backends["sim_ideal"].configuration().simulator is True
    assert "cz" in backends["emu_heron133"].target.operation_names
    assert "ecr" in backends["emu_eagle127"].target.operation_names


@pytest.mark.parametrize("name", ["least_busy", "emu_eagle127", "emu_heron133"])
def test_seed002_example_on_the_default_devices(default_service, name):
    service = default_service
    if name == "least_busy":
        backend = service.least_busy(operational=True, simulator=False)
    else:
        backend = service.backend(name)
    qr = QuantumRegister(2, name="qr")
    cr = ClassicalRegister(2, name="cr")
    qc = QuantumCircuit(qr, cr, name="bell")
    qc.h(qr[0])
    qc.cx(qr[0], qr[1])
    qc.measure(qr, cr)
    pm = generate_preset_pass_manager(backend=backend, optimization_level=1)
    isa_circuit = pm.run(qc)
    with Session(backend=backend) as session:
        sampler = SamplerV2(mode=session)
        job = sampler.run([isa_circuit])
        pub_result = job.result()[0]
        counts = pub_result.data.cr.get_counts()
    assert sum(counts.values()) == 4096
    assert counts.get("00", 0) + counts.get("11", 0) > 0.8 * 4096, (backend.name, counts)
    assert session.status() == "Closed"
