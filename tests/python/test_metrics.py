"""Metrics and logs of a real `qrt serve` (docs/operations.md "Metrics" and "Logs").

* GET /metrics parses with Prometheus' own text parser (prometheus_client), every family qrt
  documents is there with HELP and TYPE, and the counts move as jobs and requests go through.
* Labels carry route templates, never raw paths (a job id in a label would be a series per job).
* The server log is JSON lines: every line an object with ts (RFC 3339, ms), level and msg; the
  request and job lifecycle lines carry request_id, job_id, instance, backend, user.
* `[metrics] require_auth = true` makes /metrics admin-only.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from qrt_testing import SIM, TEST_CONFIG, QrtServer

BELL_QASM = """OPENQASM 3.0;
include "stdgates.inc";
bit[2] c;
qubit[2] q;
h q[0];
cx q[0], q[1];
c[0] = measure q[0];
c[1] = measure q[1];
"""

# Families the parser reports (it drops a counter's _total) and their types.
FAMILIES = {
    "qrt_build_info": "gauge",
    "qrt_jobs": "gauge",
    "qrt_job_transitions": "counter",
    "qrt_job_wait_seconds": "histogram",
    "qrt_job_run_seconds": "histogram",
    "qrt_backend_queue_length": "gauge",
    "qrt_backend_paused": "gauge",
    "qrt_sessions": "gauge",
    "qrt_session_activations": "counter",
    "qrt_instance_usage_seconds": "counter",
    "qrt_http_requests": "counter",
    "qrt_http_errors": "counter",
    "qrt_http_request_duration_seconds": "histogram",
    "qrt_store_operation_seconds": "histogram",
    "qrt_store_statements_compiled": "counter",
    "qrt_runtime_timer_wakeups": "counter",
    "process_cpu_seconds": "counter",
    "process_resident_memory_bytes": "gauge",
    "process_start_time_seconds": "gauge",
}

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def scrape(url: str, headers: dict[str, str] | None = None) -> dict:
    response = requests.get(url + "/metrics", headers=headers or {}, timeout=30)
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {f.name: f for f in text_string_to_metric_families(response.text)}


def value(families: dict, sample_name: str, **labels: str) -> float:
    """The sample `sample_name` whose labels include `labels` (0 when there is none)."""
    family_name = re.sub(r"(_total|_bucket|_count|_sum)$", "", sample_name)
    family = families.get(family_name)
    if family is None:
        return 0.0
    total = 0.0
    for s in family.samples:
        if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items()):
            total += s.value
    return total


def submit_bell(admin, session_id: str | None = None, headers=None) -> str:
    body = {"program_id": "sampler", "backend": SIM,
            "params": {"pubs": [[BELL_QASM, None, 16]], "version": 2}}
    if session_id:
        body["session_id"] = session_id
    response = admin.post("/jobs", body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["id"]


def test_metrics_parse_and_move_with_jobs_and_requests(server, admin):
    before = scrape(server.url)
    for name, kind in FAMILIES.items():
        assert name in before, f"{name} missing from /metrics"
        assert before[name].type == kind, (name, before[name].type)
        assert before[name].documentation, f"{name} has no HELP"

    session = admin.post("/sessions", {"mode": "dedicated", "backend": SIM, "max_ttl": 600})
    assert session.status_code < 300, session.text
    session_id = session.json()["id"]
    jobs = [submit_bell(admin), submit_bell(admin), submit_bell(admin, session_id)]
    for job_id in jobs:
        assert admin.wait(job_id)["state"]["status"] == "Completed"
        assert admin.get(f"/jobs/{job_id}").status_code == 200
    assert admin.get("/jobs/job_does_not_exist").status_code == 404
    mid = scrape(server.url)  # the session is still open
    assert admin.delete(f"/sessions/{session_id}/close").status_code < 300

    after = scrape(server.url)
    for state in ("Queued", "Running", "Completed"):
        moved = (value(after, "qrt_job_transitions_total", backend=SIM, state=state)
                 - value(before, "qrt_job_transitions_total", backend=SIM, state=state))
        assert moved >= 3, (state, moved)
    for histogram in ("qrt_job_wait_seconds", "qrt_job_run_seconds"):
        moved = (value(after, f"{histogram}_count", backend=SIM)
                 - value(before, f"{histogram}_count", backend=SIM))
        assert moved >= 3, (histogram, moved)
        inf = value(after, f"{histogram}_bucket", backend=SIM, le="+Inf")
        assert inf == value(after, f"{histogram}_count", backend=SIM)

    job_route = {"route": "/api/v1/jobs/{id}", "method": "GET"}
    assert (value(after, "qrt_http_requests_total", code="200", **job_route)
            - value(before, "qrt_http_requests_total", code="200", **job_route)) >= 3
    assert (value(after, "qrt_http_requests_total", route="/api/v1/jobs", method="POST", code="200")
            - value(before, "qrt_http_requests_total", route="/api/v1/jobs", method="POST",
                    code="200")) == 3
    assert (value(after, "qrt_http_errors_total", route="/api/v1/jobs/{id}", code="not_found")
            - value(before, "qrt_http_errors_total", route="/api/v1/jobs/{id}",
                    code="not_found")) == 1
    assert value(after, "qrt_http_request_duration_seconds_count", **job_route) > 0
    assert (value(after, "qrt_store_operation_seconds_count", op="get_job")
            > value(before, "qrt_store_operation_seconds_count", op="get_job"))
    assert (value(after, "qrt_session_activations_total", backend=SIM, mode="dedicated")
            - value(before, "qrt_session_activations_total", backend=SIM, mode="dedicated")) >= 1
    open_sessions = sum(value(mid, "qrt_sessions", mode="dedicated", state=s)
                        for s in ("open", "active", "inactive"))
    assert open_sessions >= 1
    assert value(after, "qrt_jobs", backend=SIM, state="Queued") >= 0
    assert value(after, "qrt_backend_queue_length", backend=SIM) >= 0
    assert value(after, "qrt_build_info") == 1

    # Route templates only: no job or session id ever becomes a label value.
    ids = set(jobs) | {session_id, "job_does_not_exist"}
    for family in after.values():
        for s in family.samples:
            for text in s.labels.values():
                assert not any(i in text for i in ids), (s.name, s.labels)


def test_server_log_is_json_lines_with_request_and_job_ids(server, admin):
    request_id = f"metrics-{uuid.uuid4().hex[:12]}"
    job_id = submit_bell(admin, headers={"X-Request-Id": request_id})
    assert admin.wait(job_id)["state"]["status"] == "Completed"
    time.sleep(0.2)  # the lines of the job's end are written after the store commit

    records = []
    for line in server.log_path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))  # every log line is one JSON object
        else:  # the launcher's header and qrt serve's own "qrt: ..." lines for people
            assert line.startswith(("=====", "qrt: ")) or not line.strip(), line
    assert records
    for r in records:
        assert TS.match(r["ts"]), r
        assert r["level"] in ("debug", "info", "warn", "error"), r
        assert isinstance(r["msg"], str), r

    access = [r for r in records if r.get("request_id") == request_id
              and r["msg"].startswith("POST /api/v1/jobs 200 ")]
    assert len(access) == 1, [r for r in records if r.get("request_id") == request_id]
    assert access[0]["user"] and access[0]["instance"]

    lifecycle = [r for r in records if r.get("job_id") == job_id]
    messages = " | ".join(r["msg"] for r in lifecycle)
    assert any("queued" in r["msg"] and r.get("request_id") == request_id for r in lifecycle), \
        messages
    assert any("started" in r["msg"] for r in lifecycle), messages
    assert any("Completed" in r["msg"] for r in lifecycle), messages
    for r in lifecycle:
        assert r["backend"] == SIM and r["instance"] and r["user"], r


def test_metrics_can_be_restricted_to_admins(tmp_path):
    config = tmp_path / "qrt.toml"
    config.write_text(TEST_CONFIG.read_text() + "\n[metrics]\nrequire_auth = true\n")
    own = QrtServer(tmp_path / "data", config=config).start()
    try:
        assert requests.get(own.url + "/metrics", timeout=30).status_code == 401
        admin = own.rest()
        created = admin.post("/admin/users", {"name": "metrics-reader"})
        assert created.status_code < 300, created.text
        user_id = created.json()["id"]
        key = admin.post(f"/admin/users/{user_id}/keys", {"label": "scrape"})
        assert key.status_code < 300, key.text
        user_key = key.json()["api_key"]
        denied = requests.get(own.url + "/metrics", timeout=30,
                              headers={"Authorization": f"apikey {user_key}"})
        assert denied.status_code == 403, denied.text
        families = scrape(own.url, {"Authorization": f"apikey {own.admin_key}"})
        assert "qrt_http_requests" in families
    finally:
        assert own.stop() == 0, own.log_tail()
