"""REST users (no Python client): raw `requests` against /api/v1.

* OpenQASM 3 strings in PUBs and no `support_qiskit`: the plain result format IBM documents
  ({"results":[{"data":{"c":{"samples":["0x3",...],"num_bits":2}}, ...}]}), parameters as a list
  or a dict.
* The typed format when `support_qiskit` is set (what the client decodes).
* Status codes the client depends on: 204 for tags, 409 for cancelling a final job, 200 for the
  results of a cancelled job, 404 for unknown jobs; every error as JSON with a reason.
* Hostile or malformed input: 4xx with a reason, nothing stored.
"""

from __future__ import annotations

import base64
import math
import socket

import pytest
from qiskit.circuit import QuantumCircuit

from qrt_testing import DEV, SIM, SLOW, bell, decode, sampler_body

BELL_QASM = """OPENQASM 3.0;
include "stdgates.inc";
bit[2] c;
qubit[2] q;
h q[0];
cx q[0], q[1];
c[0] = measure q[0];
c[1] = measure q[1];
"""

PARAM_QASM = """OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
input float[64] phi;
bit[1] c;
qubit[1] q;
ry(theta) q[0];
rz(phi) q[0];
c[0] = measure q[0];
"""


def results(admin, job_id) -> dict:
    job = admin.wait(job_id)
    assert job["state"]["status"] == "Completed", job
    response = admin.get(f"/jobs/{job_id}/results")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def test_openqasm3_sampler_plain_results(admin):
    job_id = admin.submit({"program_id": "sampler", "backend": SIM,
                           "params": {"pubs": [[BELL_QASM, None, 64]], "version": 2}})
    body = results(admin, job_id)
    assert "__type__" not in body
    (pub,) = body["results"]
    c = pub["data"]["c"]
    assert c["num_bits"] == 2
    assert len(c["samples"]) == 64
    assert set(c["samples"]) <= {"0x0", "0x3"}
    assert "metadata" in pub


def test_openqasm3_sampler_with_parameters_as_list_and_dict(admin):
    # A list follows Qiskit's parameter order (sorted by name): phi, then theta.
    pubs = [[PARAM_QASM, [0.3, math.pi], 20], [PARAM_QASM, {"theta": 0.0, "phi": 1.0}, 20]]
    job_id = admin.submit({"program_id": "sampler", "backend": SIM,
                           "params": {"pubs": pubs, "version": 2}})
    first, second = results(admin, job_id)["results"]
    assert first["data"]["c"]["samples"] == ["0x1"] * 20   # ry(pi)|0> = |1>
    assert second["data"]["c"]["samples"] == ["0x0"] * 20  # ry(0)|0> = |0>


def test_openqasm3_estimator_plain_results(admin):
    no_measure = BELL_QASM.replace("c[0] = measure q[0];\nc[1] = measure q[1];\n", "")
    job_id = admin.submit({"program_id": "estimator", "backend": SIM,
                           "params": {"pubs": [[no_measure, {"ZZ": 1.0, "XX": 0.5}, None]],
                                      "version": 2}})
    (pub,) = results(admin, job_id)["results"]
    assert abs(pub["data"]["evs"] - 1.5) < 1e-10
    assert pub["data"]["stds"] == 0


def test_openqasm3_estimator_observable_list(admin):
    source = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nqubit[1] q;\nx q[0];\n"
    job_id = admin.submit({"program_id": "estimator", "backend": SIM,
                           "params": {"pubs": [[source, ["Z", "X"]]], "version": 2}})
    (pub,) = results(admin, job_id)["results"]
    evs = pub["data"]["evs"]
    assert len(evs) == 2 and abs(evs[0] + 1) < 1e-10 and abs(evs[1]) < 1e-10


def test_typed_results_with_support_qiskit(admin):
    job_id = admin.submit(sampler_body(bell(), SIM, shots=32))
    admin.wait(job_id)
    response = admin.get(f"/jobs/{job_id}/results")
    assert response.json()["__type__"] == "PrimitiveResult"
    result = decode(response.text)
    assert result[0].data.meas.num_shots == 32


def test_job_fields_the_client_reads(admin):
    job_id = admin.submit(sampler_body(bell(), SIM, shots=8, tags=["rest"]))
    job = admin.wait(job_id)
    for key in ("id", "backend", "state", "status", "created", "program", "session_id", "tags"):
        assert key in job, key
    assert job["id"] == job_id and job["backend"] == SIM
    assert job["program"]["id"] == "sampler"
    assert job["status"] == job["state"]["status"] == "Completed"
    assert job["tags"] == ["rest"]
    assert job["created"].endswith("Z")
    full = admin.get(f"/jobs/{job_id}").json()  # without exclude_params: the params, verbatim
    assert full["params"]["pubs"][0][2] == 8


def test_tags_answer_204_and_cancel_of_a_final_job_409(admin):
    job_id = admin.submit(sampler_body(bell(), SIM, shots=8))
    admin.wait(job_id)
    response = admin.put(f"/jobs/{job_id}/tags", {"tags": ["a", "b"]})
    assert response.status_code == 204, response.text
    assert admin.job(job_id)["tags"] == ["a", "b"]
    response = admin.post(f"/jobs/{job_id}/cancel")
    assert response.status_code == 409, response.text


def test_results_of_a_cancelled_job_answer_200(admin):
    circuit = QuantumCircuit(5)
    circuit.measure_all()  # ISA on any device
    admin.pause(SLOW)
    try:
        job_id = admin.submit(sampler_body(circuit, SLOW, shots=8))
        assert admin.job(job_id)["state"]["status"] == "Queued"
        assert admin.post(f"/jobs/{job_id}/cancel").status_code in (200, 204)
    finally:
        admin.resume(SLOW)
    job = admin.wait(job_id)
    assert job["state"]["status"] == "Cancelled"
    response = admin.get(f"/jobs/{job_id}/results")
    assert response.status_code == 200, response.text


def test_unknown_job_is_404_with_a_json_error(admin):
    for method, path in (("GET", "/jobs/nope"), ("GET", "/jobs/nope/results"),
                         ("POST", "/jobs/nope/cancel"), ("DELETE", "/jobs/nope"),
                         ("GET", "/sessions/nope")):
        response = admin.request(method, path)
        assert response.status_code == 404, (method, path, response.status_code)
        body = response.json()
        assert body["errors"][0]["message"], body


def test_logs_of_an_unknown_job_and_unknown_route(admin):
    assert admin.get("/no/such/route").status_code == 404
    assert admin.get("/backends/no_such_backend/configuration").status_code == 404


@pytest.mark.parametrize("body, fragment", [
    ({"backend": SIM, "params": {"pubs": [[BELL_QASM]], "version": 2}}, "program_id"),
    ({"program_id": "sampler", "params": {"pubs": [[BELL_QASM]], "version": 2}}, "backend"),
    ({"program_id": "nope", "backend": SIM, "params": {"pubs": [[BELL_QASM]]}}, "program"),
    ({"program_id": "sampler", "backend": "no_such_backend",
      "params": {"pubs": [[BELL_QASM]]}}, "no_such_backend"),
    ({"program_id": "sampler", "backend": SIM, "params": {"pubs": []}}, "pubs"),
    ({"program_id": "sampler", "backend": SIM, "params": {"pubs": [["OPENQASM 3.0; qubit q; foo q;"]]}},
     "foo"),
    ({"program_id": "sampler", "backend": SIM,
      "params": {"pubs": [[{"__type__": "QuantumCircuit", "__value__": "!!notbase64"}]],
                 "support_qiskit": True}}, "pubs[0]"),
    ({"program_id": "sampler", "backend": SIM,
      "params": {"pubs": [[{"__type__": "QuantumCircuit",
                            "__value__": base64.b64encode(b"not zlib").decode()}]],
                 "support_qiskit": True}}, "pubs[0]"),
    ({"program_id": "sampler", "backend": SIM, "params": {"pubs": [[BELL_QASM, None, -5]]}},
     "shots"),
    ({"program_id": "sampler", "backend": SIM,
      "params": {"pubs": [[BELL_QASM]], "options": {"no_such_option": 1}}}, "no_such_option"),
])
def test_malformed_submissions_are_refused_with_a_reason(admin, body, fragment):
    before = admin.get("/jobs", params={"limit": 1}).json()["count"]
    response = admin.post("/jobs", body)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.status_code not in (401, 403)
    assert fragment.lower() in response.text.lower(), response.text
    assert admin.get("/jobs", params={"limit": 1}).json()["count"] == before


def test_invalid_json_and_wrong_types(admin):
    response = admin.http.post(admin.url + "/api/v1/jobs", data=b"{not json",
                               headers=admin.headers({"Content-Type": "application/json"}))
    assert response.status_code == 400
    assert admin.post("/jobs", [1, 2, 3]).status_code == 400
    assert admin.post("/jobs", {"program_id": 5, "backend": SIM, "params": {}}).status_code == 400
    assert admin.put("/jobs/x/tags", {"tags": "notalist"}).status_code in (400, 404)


def test_oversized_body_is_refused_from_its_header(admin, server):
    """A declared body beyond the limit (64 MiB by default) is refused before it is read."""
    request = (f"POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Authorization: apikey {server.admin_key}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {1 << 30}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request + b"{" * 1024)
        reply = connection.recv(4096).decode(errors="replace")
    assert reply.startswith("HTTP/1.1 413"), reply[:200]


def test_sessions_rest_shapes(admin):
    created = admin.post("/sessions", {"mode": "batch", "backend": DEV, "max_ttl": 600})
    assert created.status_code in (200, 201), created.text
    session = created.json()
    assert session["id"] and session.get("mode") == "batch"
    details = admin.get(f"/sessions/{session['id']}").json()
    assert details["state"] == "open" and details["accepting_jobs"] is True
    assert details["max_ttl"] == 600 and details["backend_name"] == DEV
    assert admin.patch(f"/sessions/{session['id']}", {"accepting_jobs": False}).status_code < 300
    assert admin.get(f"/sessions/{session['id']}").json()["accepting_jobs"] is False
    assert admin.delete(f"/sessions/{session['id']}/close").status_code < 300
    assert admin.get(f"/sessions/{session['id']}").json()["state"] == "closed"
    bad = admin.post("/sessions", {"mode": "weird", "backend": DEV})
    assert bad.status_code == 400
    # Never more than the server maximum (rule S8, 8 h by default): refused or clamped.
    too_long = admin.post("/sessions", {"mode": "dedicated", "backend": DEV, "max_ttl": 10**9})
    assert too_long.status_code == 400 or too_long.json()["max_ttl"] <= 28800, too_long.text


def test_backend_routes(admin):
    listing = admin.get("/backends").json()
    names = {d["name"] for d in listing["devices"]}
    assert {SIM, DEV} <= names
    for device in listing["devices"]:
        assert device["status"]["name"] in ("online", "offline", "paused")
        assert isinstance(device["queue_length"], int)
    status = admin.get(f"/backends/{DEV}/status").json()
    assert status["state"] is True and status["status"] == "active"
    configuration = admin.get(f"/backends/{DEV}/configuration").json()
    assert configuration["backend_name"] == DEV and configuration["n_qubits"] == 5
    assert configuration["online_date"]
    assert admin.get(f"/backends/{SIM}/properties").status_code == 200
