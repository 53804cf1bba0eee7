"""qrt.connect and what the client reads before any job: backends, configuration, target,
properties, status, least_busy, instance usage. Also the server's first-start behaviour (admin key
file with mode 0600, printed once)."""

from __future__ import annotations

import os
import stat

import pytest
from qiskit_ibm_runtime import QiskitRuntimeService

import qrt
from qrt_testing import DEV, DEV27, SIM, SLOW


def test_connect_returns_a_configured_service(server, service):
    assert isinstance(service, QiskitRuntimeService)
    assert os.environ["IAM_URL"] == server.url
    assert os.environ["QISKIT_FUNCTIONS_EXPERIMENTAL"]
    assert service.active_account()["instance"] == qrt.DEFAULT_INSTANCE


def test_connect_without_token_reads_admin_key_from_data_dir(server, monkeypatch):
    monkeypatch.setenv("IAM_URL", os.environ["IAM_URL"])  # restored afterwards
    monkeypatch.delenv("QRT_API_KEY", raising=False)
    monkeypatch.setenv("QRT_DATA_DIR", str(server.data_dir))
    service = qrt.connect(server.url + "/")  # a trailing slash is accepted
    assert {b.name for b in service.backends()} >= {SIM, DEV}


def test_connect_accepts_the_api_base_url(server, monkeypatch):
    monkeypatch.setenv("IAM_URL", os.environ["IAM_URL"])
    service = qrt.connect(server.url + "/api/v1", token=server.admin_key)
    assert service.backend(DEV).name == DEV


def test_connect_without_any_key_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.delenv("QRT_API_KEY", raising=False)
    monkeypatch.setenv("QRT_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="admin.key"):
        qrt.connect("http://127.0.0.1:9")


def test_connect_refuses_a_url_without_scheme():
    with pytest.raises(ValueError, match="http://"):
        qrt.connect("127.0.0.1:8000", token="x")


def test_admin_key_file_is_private_and_printed_once(server):
    key_file = server.data_dir / "admin.key"
    mode = stat.S_IMODE(key_file.stat().st_mode)
    assert mode == 0o600, oct(mode)
    key = server.admin_key
    assert len(key) >= 20
    log = server.log_path.read_text(errors="replace")
    assert f"qrt: admin API key: {key}" in log
    assert "qrt: listening on http://127.0.0.1:" in log


def test_backends_list_and_shapes(service):
    backends = {b.name: b for b in service.backends()}
    assert set(backends) == {SIM, DEV, DEV27, SLOW}
    assert backends[DEV].num_qubits == 5
    assert backends[DEV27].num_qubits == 27
    assert backends[SIM].configuration().simulator is True
    for name in (DEV, DEV27, SLOW):
        config = backends[name].configuration()
        assert config.simulator is False, name  # devices: sessions and ISA checks apply
        assert config.n_qubits == backends[name].num_qubits


def test_device_targets_have_the_configured_families(service):
    ecr = service.backend(DEV).target
    cz = service.backend(SLOW).target
    assert "ecr" in ecr.operation_names and "cz" not in ecr.operation_names
    assert "cz" in cz.operation_names and "ecr" not in cz.operation_names
    for target in (ecr, cz):
        assert {"rz", "sx", "x", "measure"} <= set(target.operation_names)
    # A line of 5: two-qubit gates only between neighbours.
    pairs = {tuple(sorted(q)) for q in ecr["ecr"]}
    assert pairs == {(0, 1), (1, 2), (2, 3), (3, 4)}


def test_heavy_hex_coupling_map(service):
    backend = service.backend(DEV27)
    graph = backend.coupling_map
    assert graph.is_connected()
    undirected = {tuple(sorted(e)) for e in graph.get_edges()}
    degree = {q: 0 for q in range(27)}
    for a, b in undirected:
        degree[a] += 1
        degree[b] += 1
    assert max(degree.values()) == 3  # heavy-hex: degree at most 3
    assert min(degree.values()) >= 1
    assert len(undirected) == 28  # IBM's 27-qubit Falcon layout has 28 couplings


def test_device_properties(service):
    properties = service.backend(DEV).properties()
    assert properties is not None
    assert len(properties.qubits) == 5
    for qubit in range(5):
        assert 0 < properties.t1(qubit) and 0 < properties.t2(qubit)
        assert 0 <= properties.readout_error(qubit) < 0.5
    assert 0 < properties.gate_error("ecr", [0, 1]) < 0.5


def test_backend_status(service):
    status = service.backend(DEV).status()
    assert status.operational is True
    assert status.status_msg == "active"
    assert status.pending_jobs >= 0


def test_least_busy_picks_an_operational_device(service):
    backend = service.least_busy(operational=True, simulator=False)
    assert backend.name in {DEV, DEV27, SLOW}
    assert service.least_busy(min_num_qubits=20, simulator=False).name == DEV27


def test_instance_usage(service, admin):
    usage = service.usage()
    assert isinstance(usage, dict)
    response = admin.get("/instances/usage")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
