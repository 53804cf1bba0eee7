"""Fixtures of the Python suites: one real `qrt serve` for the whole run, and clients of it.

    server   the QrtServer (tests/python/test.toml, a temporary data dir, port 0), stopped with
             SIGTERM at the end; a non-zero exit status (a crash, a sanitizer report) fails the run
    admin    Rest as the admin key (raw HTTP)
    service  qiskit_ibm_runtime.QiskitRuntimeService from qrt.connect(server.url, admin key)
    tag      a tag unique to the test, so that job listings can be checked in isolation

Tests that need their own server (fault test, default configuration) start one with QrtServer.
"""

from __future__ import annotations

import uuid

import pytest

import qrt
from qrt_testing import QrtServer, Rest


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    instance = QrtServer(tmp_path_factory.mktemp("qrt") / "data").start()
    yield instance
    status = instance.stop()
    if status != 0:
        pytest.fail(f"qrt serve exited with status {status} on SIGTERM:\n{instance.log_tail()}",
                    pytrace=False)


@pytest.fixture(scope="session")
def admin(server) -> Rest:
    return server.rest()


@pytest.fixture(scope="session")
def service(server):
    return qrt.connect(server.url, token=server.admin_key)


@pytest.fixture()
def tag(request) -> str:
    return f"t-{request.node.name[:40]}-{uuid.uuid4().hex[:8]}"


def pytest_report_header(config):
    from qrt_testing import server_binary

    return f"qrt binary: {server_binary()}"
