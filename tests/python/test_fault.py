"""Crash safety: SIGKILL the server in the middle of a stream of submissions, restart it on the
same data directory, and check that every acknowledged job is there, reaches Completed with a
result, and appears once; jobs stored but not acknowledged (requests in flight at the kill) may
exist too, at most one per request that got no answer, and they run as well.

Submissions are raw HTTP from several threads, as fast as the server answers: most go to the
ideal simulator (they complete quickly, so at the kill there are completed, queued and running
jobs), a slower stream to emu_slow keeps a job running on that device at the moment of the kill
(restart recovery re-queues it once and says so in its log).

Also: a graceful stop (SIGTERM) with a running job, then a restart: the job runs again and
completes.
"""

from __future__ import annotations

import json
import re
import threading
import time

import requests
from qiskit.circuit import QuantumCircuit

from qrt_testing import SIM, SLOW, QrtServer, bell, decode, sampler_body, wait_until

SHOTS = 64


class Submitter:
    """Threads POSTing one prepared body until stopped; records what was acknowledged."""

    def __init__(self, url: str, key: str):
        self.url = url + "/api/v1/jobs"
        self.headers = {"Authorization": f"apikey {key}", "Content-Type": "application/json",
                        "Accept": "application/json"}
        self.lock = threading.Lock()
        self.acked: dict[str, str] = {}  # id -> backend
        self.unanswered = 0              # requests that got no response (the kill)
        self.refused: list[tuple[int, str]] = []
        self.duplicates: list[str] = []  # ids acknowledged twice
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, body: dict, backend: str, threads: int, pause: float = 0.0) -> None:
        payload = json.dumps(body)
        for _ in range(threads):
            thread = threading.Thread(target=self._run, args=(payload, backend, pause), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _run(self, payload: str, backend: str, pause: float) -> None:
        http = requests.Session()
        while not self.stop.is_set():
            try:
                response = http.post(self.url, data=payload, headers=self.headers, timeout=30)
            except requests.RequestException:
                with self.lock:
                    self.unanswered += 1
                return  # the server is gone
            with self.lock:
                if response.status_code in (200, 201):
                    job_id = response.json()["id"]
                    if job_id in self.acked:
                        self.duplicates.append(job_id)
                    self.acked[job_id] = backend
                else:
                    self.refused.append((response.status_code, response.text[:200]))
            if pause:
                time.sleep(pause)

    def count(self) -> int:
        with self.lock:
            return len(self.acked)

    def count_on(self, backend: str) -> int:
        with self.lock:
            return sum(1 for b in self.acked.values() if b == backend)

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def test_sigkill_during_submissions_loses_no_acknowledged_job(tmp_path):
    server = QrtServer(tmp_path / "data").start()
    slow_circuit = QuantumCircuit(5)
    slow_circuit.measure_all()
    submitter = Submitter(server.url, server.admin_key)
    submitter.start(sampler_body(bell(), SIM, shots=SHOTS), SIM, threads=6)
    submitter.start(sampler_body(slow_circuit, SLOW, shots=SHOTS), SLOW, threads=1, pause=0.2)
    # Enough of both kinds acknowledged (the fast submitters can reach 300 before the paced
    # slow one has 3 on a quick machine).
    wait_until(lambda: submitter.count() >= 300 and submitter.count_on(SLOW) >= 3, timeout=60,
               interval=0.01, what="300 acknowledged submissions, 3 of them slow")
    server.kill()  # SIGKILL while the threads are mid-request
    submitter.join()
    assert not submitter.refused, submitter.refused[:5]
    assert not submitter.duplicates, submitter.duplicates[:5]
    acked = dict(submitter.acked)
    assert sum(1 for b in acked.values() if b == SLOW) >= 3

    server.start()  # same data directory
    try:
        rest = server.rest()
        listed = rest.all_jobs()
        ids = [job["id"] for job in listed]
        assert len(ids) == len(set(ids)), "a job is listed twice"
        missing = set(acked) - set(ids)
        assert not missing, f"{len(missing)} acknowledged jobs lost, e.g. {sorted(missing)[:3]}"
        extra = set(ids) - set(acked)
        assert len(extra) <= submitter.unanswered, (len(extra), submitter.unanswered)
        assert rest.get("/jobs", params={"limit": 1}).json()["count"] == len(ids)

        for job_id in ids:  # acknowledged and stored-but-unacknowledged alike
            job = rest.wait(job_id, timeout=120, interval=0.05)
            assert job["state"]["status"] == "Completed", job
        for job_id in ids:
            response = rest.get(f"/jobs/{job_id}/results")
            assert response.status_code == 200, response.text
            result = decode(response.text)
            assert result[0].data.meas.num_shots == SHOTS, job_id

        slow_ids = [i for i, b in acked.items() if b == SLOW]
        logs = [rest.get(f"/jobs/{i}/logs").text for i in slow_ids]
        assert any(re.search(r"re-?queue|restart|interrupt", text, re.I) for text in logs), \
            "the job running at the kill should say in its log that it was re-queued"
        assert len(rest.all_jobs()) == len(ids)  # nothing duplicated by the recovery either
    finally:
        status = server.stop()
    assert status == 0, server.log_tail()


def test_graceful_stop_requeues_the_running_job(tmp_path):
    server = QrtServer(tmp_path / "data").start()
    circuit = QuantumCircuit(5)
    circuit.measure_all()
    rest = server.rest()
    job_id = rest.submit(sampler_body(circuit, SLOW, shots=8000))  # ~2.5 s on emu_slow
    wait_until(lambda: rest.job(job_id)["state"]["status"] == "Running", timeout=30,
               what="the job running")
    assert server.stop() == 0, server.log_tail()
    server.start()
    try:
        rest = server.rest()
        job = rest.wait(job_id, timeout=60)
        assert job["state"]["status"] == "Completed", job
        assert decode(rest.get(f"/jobs/{job_id}/results").text)[0].data.meas.num_shots == 8000
    finally:
        assert server.stop() == 0, server.log_tail()
