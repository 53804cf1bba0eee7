"""Jobs through the client: retrieval, listing with every filter the client sends, tags, cancel
(queued and running), failures with the server's reason, max_execution_time (reason 1305),
metrics, usage, logs, inputs, delete. Rules J1-J6, K2 of shared/SESSIONS.md."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from qiskit.circuit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp
from qiskit_ibm_runtime import EstimatorV2, SamplerV2, Session
from qiskit_ibm_runtime.exceptions import (IBMRuntimeError, RuntimeInvalidStateError,
                                           RuntimeJobFailureError, RuntimeJobMaxTimeoutError,
                                           RuntimeJobNotFound)

from qrt_testing import DEV, SIM, SLOW, bell, isa, wait_until

FINAL = {"DONE", "ERROR", "CANCELLED"}


def wait_status(job, wanted, timeout=30.0):
    return wait_until(lambda: (s := job.status()) in wanted and s, timeout=timeout,
                      interval=0.02, what=f"job {job.job_id()} in {wanted}")


@pytest.fixture()
def paused_slow(admin):
    admin.pause(SLOW)
    try:
        yield SLOW
    finally:
        admin.resume(SLOW)


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_paused_backend_holds_jobs_and_a_queued_job_cancels_at_once(service, admin, paused_slow):
    backend = service.backend(SLOW)
    assert backend.status().status_msg != "active"  # rule K2
    assert service.least_busy(simulator=False).name != SLOW
    job = SamplerV2(mode=backend).run([isa(bell(), backend)], shots=100)
    time.sleep(0.3)
    assert job.status() == "QUEUED"
    info = admin.job(job.job_id()).get("queue_info")
    assert info and "paus" in (info.get("reason") or "").lower(), info  # rule V2
    job.cancel()
    assert job.status() == "CANCELLED"
    assert admin.job(job.job_id())["state"]["status"] == "Cancelled"
    with pytest.raises(RuntimeInvalidStateError):
        job.result()
    with pytest.raises(RuntimeInvalidStateError):  # cancelling a final job: HTTP 409 (J4)
        job.cancel()
    assert job.in_final_state()


def test_cancel_a_running_job(service, admin):
    backend = service.backend(SLOW)
    job = SamplerV2(mode=backend).run([isa(bell(), backend)], shots=20000)  # ~5.5 s on emu_slow
    wait_status(job, {"RUNNING"})
    time.sleep(0.3)
    cancelled_at = time.monotonic()
    job.cancel()
    assert job.status() == "CANCELLED"  # the client's own view, set by cancel()
    # The server's view: stopped cooperatively, well before the job's 5.5 s.
    state = admin.wait(job.job_id(), timeout=10)["state"]
    assert state["status"] == "Cancelled", state
    assert time.monotonic() - cancelled_at < 3.0
    with pytest.raises(RuntimeInvalidStateError):
        job.result()
    stamps = job.metrics()["timestamps"]
    assert stamps["running"] and stamps["finished"], stamps
    ran = parse_time(stamps["finished"]) - parse_time(stamps["running"])
    assert ran.total_seconds() < 4.0


def test_max_execution_time_ends_the_job_with_reason_1305(service, admin):
    backend = service.backend(SLOW)
    sampler = SamplerV2(mode=backend, options={"max_execution_time": 1})
    job = sampler.run([isa(bell(), backend)], shots=20000)  # ~5.5 s of QPU time > 1 s
    with pytest.raises(RuntimeJobMaxTimeoutError):
        job.result(timeout=60)
    assert job.status() == "ERROR"  # the client shows Cancelled + 1305 as ERROR
    state = admin.job(job.job_id())["state"]
    assert state["status"] == "Cancelled"
    assert state["reason_code"] == 1305
    assert state["reason"]


def test_failed_job_reports_the_servers_reason(service, admin):
    """A job that passes the client's checks but cannot run: a 30-qubit non-Clifford state is
    2^30 amplitudes (16 GiB) for the ideal simulator, above its memory limit. The server either
    refuses it at submission or fails it; both must say why."""
    circuit = QuantumCircuit(30)
    for qubit in range(30):
        circuit.rx(0.1 * (qubit + 1), qubit)
    for qubit in range(29):
        circuit.cx(qubit, qubit + 1)
    circuit.t(range(30))
    circuit.measure_all()
    backend = service.backend(SIM)
    try:
        job = SamplerV2(mode=backend).run([circuit], shots=10)
    except IBMRuntimeError as refused:
        assert "memory" in str(refused).lower() or "qubit" in str(refused).lower(), refused
        return
    assert wait_status(job, FINAL, timeout=60) == "ERROR"
    with pytest.raises(RuntimeJobFailureError) as failure:
        job.result()
    message = str(failure.value)
    assert "memory" in message.lower() or "qubit" in message.lower(), message
    assert job.error_message()
    state = admin.job(job.job_id())["state"]
    assert state["status"] == "Failed" and state["reason"]
    results = admin.get(f"/jobs/{job.job_id()}/results")
    assert results.status_code == 200  # the client reads /results of a failed job too
    assert job.logs() is not None


def test_metrics_usage_logs_and_inputs(service):
    backend = service.backend(DEV)
    circuit = isa(bell(), backend)
    job = SamplerV2(mode=backend).run([circuit], shots=300)
    estimate = job.usage_estimation["quantum_seconds"]
    assert estimate is None or estimate > 0
    job.result()
    metrics = job.metrics()
    stamps = metrics["timestamps"]
    created, running, finished = (parse_time(stamps[k]) for k in ("created", "running", "finished"))
    assert created <= running <= finished
    assert job.creation_date is not None
    # usage: the modelled QPU time of an emulated device (job overhead + shots x rep delay).
    assert metrics["usage"]["quantum_seconds"] > 0
    assert job.usage() > 0, metrics  # the client reads usage.qpu_charge_time_seconds / status
    assert isinstance(job.logs(), str)
    inputs = job.inputs
    assert len(inputs["pubs"]) == 1
    pub = inputs["pubs"][0]
    assert pub[0] == circuit and pub[2] == 300
    assert job.properties() is not None  # the backend properties at the time the job ran


def test_service_job_by_id_and_not_found(service):
    backend = service.backend(SIM)
    job = SamplerV2(mode=backend).run([bell()], shots=50)
    job.result()
    again = service.job(job.job_id())
    assert again.status() == "DONE"
    assert again.backend().name == SIM
    assert again.result()[0].data.meas.num_shots == 50
    with pytest.raises(RuntimeJobNotFound):
        service.job("no-such-job")


def test_update_tags(service, tag):
    backend = service.backend(SIM)
    sampler = SamplerV2(mode=backend)
    sampler.options.environment.job_tags = [tag]
    job = sampler.run([bell()], shots=10)
    assert job.tags == [tag]
    job.result()
    job.update_tags([f"{tag}-x", f"{tag}-y"])
    # The client sends list(set(new_tags)): the order is the client's hash order.
    assert sorted(job.tags) == [f"{tag}-x", f"{tag}-y"]
    assert sorted(service.job(job.job_id()).tags) == [f"{tag}-x", f"{tag}-y"]
    assert [j.job_id() for j in service.jobs(job_tags=[f"{tag}-y"])] == [job.job_id()]
    assert service.jobs(job_tags=[tag]) == []
    job.update_tags([])
    assert service.job(job.job_id()).tags == []


def test_jobs_filters_and_paging(service, admin, tag):
    sim, dev = service.backend(SIM), service.backend(DEV)
    sampler_sim = SamplerV2(mode=sim)
    sampler_sim.options.environment.job_tags = [tag, "sim"]
    sampler_dev = SamplerV2(mode=dev)
    sampler_dev.options.environment.job_tags = [tag, "dev"]
    estimator_sim = EstimatorV2(mode=sim)
    estimator_sim.options.environment.job_tags = [tag, "est"]
    first = [sampler_sim.run([bell()], shots=10) for _ in range(2)]
    for job in first:
        job.result()
    time.sleep(1.1)
    boundary = dt.datetime.now()  # created_after is local time in the client
    time.sleep(0.1)
    later = [sampler_dev.run([isa(bell(), dev)], shots=10) for _ in range(2)]
    later.append(estimator_sim.run([(bell(measure=False), SparsePauliOp("ZZ"))]))
    for job in later:
        job.result()
    ids_in_order = [j.job_id() for j in first + later]

    everything = service.jobs(job_tags=[tag], limit=None)
    assert [j.job_id() for j in everything] == list(reversed(ids_in_order))  # newest first
    ascending = service.jobs(job_tags=[tag], limit=None, descending=False)
    assert [j.job_id() for j in ascending] == ids_in_order
    assert {j.job_id() for j in service.jobs(job_tags=[tag], backend_name=DEV, limit=None)} == \
        {j.job_id() for j in later[:2]}
    assert [j.job_id() for j in service.jobs(job_tags=[tag, "est"], limit=None)] == \
        [later[2].job_id()]
    assert [j.job_id() for j in service.jobs(job_tags=[tag], program_id="estimator",
                                             limit=None)] == [later[2].job_id()]
    assert {j.job_id() for j in service.jobs(job_tags=[tag], created_after=boundary,
                                             limit=None)} == {j.job_id() for j in later}
    assert {j.job_id() for j in service.jobs(job_tags=[tag], created_before=boundary,
                                             limit=None)} == {j.job_id() for j in first}
    # Paging: limit and skip.
    page1 = service.jobs(job_tags=[tag], limit=2)
    page2 = service.jobs(job_tags=[tag], limit=2, skip=2)
    page3 = service.jobs(job_tags=[tag], limit=2, skip=4)
    assert [j.job_id() for j in page1 + page2 + page3] == list(reversed(ids_in_order))
    assert service.jobs(job_tags=[tag], pending=True) == []
    assert len(service.jobs(job_tags=[tag], pending=False, limit=None)) == 5
    raw = admin.get("/jobs", params={"tags": tag, "limit": 1, "exclude_params": "true"}).json()
    assert raw["count"] == 5 and len(raw["jobs"]) == 1


def test_jobs_pending_and_session_filters(service, admin, tag):
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    admin.pause(SLOW)
    try:
        session = Session(backend=backend)
        sampler = SamplerV2(mode=session)
        sampler.options.environment.job_tags = [tag]
        queued = [sampler.run([circuit], shots=10) for _ in range(2)]
        pending = service.jobs(job_tags=[tag], pending=True, limit=None)
        assert {j.job_id() for j in pending} == {j.job_id() for j in queued}
        assert service.jobs(job_tags=[tag], pending=False) == []
        in_session = service.jobs(session_id=session.session_id, limit=None)
        assert {j.job_id() for j in in_session} == {j.job_id() for j in queued}
        assert all(j.session_id == session.session_id for j in in_session)
    finally:
        admin.resume(SLOW)
    session.close()
    for job in queued:
        job.result(timeout=60)
    assert service.jobs(job_tags=[tag], pending=True) == []
    assert len(service.jobs(job_tags=[tag], pending=False, limit=None)) == 2


def test_delete_job(service):
    job = SamplerV2(mode=service.backend(SIM)).run([bell()], shots=10)
    job.result()
    service.delete_job(job.job_id())
    with pytest.raises(RuntimeJobNotFound):
        service.job(job.job_id())
    with pytest.raises(RuntimeJobNotFound):
        service.delete_job(job.job_id())
