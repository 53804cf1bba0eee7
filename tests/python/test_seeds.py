"""The user's documents (shared/seeds/000-004), made runnable against qrt with the official client.

Each test names the seed and the passage it runs. What had to change, and why:
* The service: `QiskitRuntimeService()` becomes `qrt.connect(...)` (the only change the issue allows).
* Backend names: "ibmq_qasm_simulator" -> sim_ideal (qrt's ideal simulator); "ibm_sherbrooke" and
  least_busy(simulator=False) -> qrt's emulated devices (emu_small5, emu_slow, ...).
* qiskit-ibm-runtime 0.51 removed the V1 primitives (`Estimator(session=..., options=Options())`,
  used by seeds 000 and 003) and `Session(service=..., backend="name")`: they run as their V2
  equivalents with the same meaning: an EstimatorV2 in a session with the same resilience level,
  the circuit transpiled to an ISA circuit by generate_preset_pass_manager at the seed's
  optimization level, the observable laid out onto it; `Session(backend=service.backend(name))`.
* Seed 004's snippets have elided bodies (`job1 =`); they are filled with small Sampler/Estimator
  jobs. Its VQE uses a 2-qubit Hamiltonian, few iterations and raw estimates (resilience level 0,
  500 shots) to stay fast.

Timing: emu_slow spends the modelled QPU time in wall-clock time (~0.5 s + ~0.25 ms per shot), so
"a job is running" and "jobs are still queued" can be observed; the interactive timeout of the
test server is 3 s (tests/python/test.toml).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from qiskit.circuit import QuantumCircuit, QuantumRegister, ClassicalRegister
from qiskit.circuit.library import efficient_su2
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime import Batch, EstimatorV2, SamplerV2, Session
from qiskit_ibm_runtime.exceptions import (IBMInputValueError, IBMRuntimeError,
                                           RuntimeInvalidStateError, RuntimeJobFailureError)
from scipy.optimize import minimize

from qrt_testing import DEV, SIM, SLOW, bell, isa, sampler_body, wait_until

FINAL = {"DONE", "ERROR", "CANCELLED"}


def bell_counts_ok(counts: dict[str, int], shots: int, min_fidelity: float = 0.85) -> None:
    assert sum(counts.values()) == shots
    good = counts.get("00", 0) + counts.get("11", 0)
    assert good >= min_fidelity * shots, counts
    # The two good outcomes are equally likely: within 6 sigma of a fair coin.
    assert abs(counts.get("00", 0) - counts.get("11", 0)) <= 6 * np.sqrt(good) + 1, counts


def wait_status(job, wanted: set[str], timeout: float = 30.0) -> str:
    return wait_until(lambda: (s := job.status()) in wanted and s, timeout=timeout,
                      interval=0.02, what=f"job {job.job_id()} in {wanted}")


# ---------------------------------------------------------------------------------------------
# Seed 000: "Run a primitive in a session" (V1 Estimator + Options -> EstimatorV2)

def _seed000(service, backend_name):
    circuit = random_circuit(2, 2, seed=1).decompose(reps=1)
    observable = SparsePauliOp("IY")
    backend = service.backend(backend_name)
    # options.optimization_level = 2: the transpilation the V1 primitive did server-side.
    isa_circuit = generate_preset_pass_manager(backend=backend, optimization_level=2,
                                               seed_transpiler=1).run(circuit)
    isa_observable = observable.apply_layout(isa_circuit.layout)
    with Session(backend=backend) as session:
        # options.resilience_level = 2
        estimator = EstimatorV2(mode=session, options={"resilience_level": 2})
        job = estimator.run([(isa_circuit, isa_observable)])
        result = job.result()
        session.close()
    reference = Statevector(circuit).expectation_value(observable).real
    return session, job, result, reference


def test_seed000_full_example_on_the_ideal_simulator(service):
    session, job, result, reference = _seed000(service, SIM)
    # A simulator backend: the client opens no server session (its configuration says simulator).
    assert session.session_id is None
    pub = result[0]
    assert pub.data.evs.shape == ()
    assert abs(float(pub.data.evs) - reference) < 1e-10  # ideal: exact expectation values
    assert float(pub.data.stds) == 0.0
    assert "target_precision" in pub.metadata  # print(f" > Metadata: {result.metadata[0]}")
    assert job.status() == "DONE"


def test_seed000_full_example_on_an_emulated_device(service):
    session, job, result, reference = _seed000(service, DEV)
    assert session.session_id  # a real session on a device
    assert job.session_id == session.session_id
    pub = result[0]
    value, std = float(pub.data.evs), float(pub.data.stds)
    # resilience level 2 (TREX + ZNE) on a noisy device: near the exact value.
    assert abs(value - reference) <= max(0.12, 5 * std), (value, std, reference)
    assert pub.metadata["shots"] > 0
    # "Keep in mind that you cannot submit more jobs to a closed session."
    with pytest.raises(IBMRuntimeError, match="closed"):
        EstimatorV2(mode=session).run([(QuantumCircuit(5), "IIIIZ")])


def test_seed000_retrieve_previous_job_results(service):
    """'Run job.job_id() ... job = service.job(job_id) then run job.status()'."""
    backend = service.backend(DEV)
    job = SamplerV2(mode=backend).run([isa(bell(), backend)], shots=200)
    job_id = job.job_id()
    job.result()
    again = service.job(job_id)
    assert again.job_id() == job_id
    assert again.status() == "DONE"
    assert again.backend().name == DEV
    assert again.primitive_id == "sampler"
    bell_counts_ok(again.result()[0].data.meas.get_counts(), 200)


def test_seed000_and_003_session_jobs_go_before_the_fair_share_queue(service, admin):
    """Seed 000/003 'How session jobs fit into the job queue', seed 001 'mechanics': while a
    session is active, its jobs run before other queued jobs; the backend waits for the session
    (rules S3, S4); closing the session lets the next job run at once (S9)."""
    backend = service.backend(DEV)
    circuit = isa(bell(), backend)
    session = Session(backend=backend)
    in_session = SamplerV2(mode=session)
    first = in_session.run([circuit], shots=100)
    first.result()  # the session is now active; its interactive window has started
    other = SamplerV2(mode=backend).run([circuit], shots=100)  # a job-mode job, same backend
    second = in_session.run([circuit], shots=100)
    second.result()
    assert other.status() == "QUEUED"  # held: the session owns the backend (S4)
    queue_info = admin.job(other.job_id()).get("queue_info")
    assert queue_info and queue_info.get("reason"), queue_info  # rule V2: why it waits
    session.close()
    other.result(timeout=30)
    started_other = other.metrics()["timestamps"]["running"]
    finished_second = second.metrics()["timestamps"]["finished"]
    assert started_other >= finished_second
    assert session.status() == "Closed"


# ---------------------------------------------------------------------------------------------
# Seed 001: "Introduction to sessions"

def test_seed001_interactive_timeout_deactivates_and_next_job_reactivates(service):
    backend = service.backend(DEV)
    circuit = isa(bell(), backend)
    with Session(backend=backend) as session:
        sampler = SamplerV2(mode=session)
        assert session.status() == "Pending"  # created, not started (S1)
        assert session.details()["state"] == "open"
        sampler.run([circuit], shots=100).result()
        details = session.details()
        assert details["state"] == "active"
        assert session.status() == "In progress, accepting new jobs"
        ttl = details["interactive_timeout"]
        assert ttl == 3  # tests/python/test.toml
        assert details["started_at"] and details["activated_at"]
        assert details["last_job_started"] and details["last_job_completed"]
        # No session job within the interactive timeout: the session goes inactive (S5),
        # which the client shows as "Pending" again; it is not closed.
        wait_until(lambda: session.details()["state"] == "inactive", timeout=ttl + 5,
                   what="session inactive")
        assert session.status() == "Pending"
        assert session.details()["accepting_jobs"] is True
        # The next job reactivates it (S6).
        sampler.run([circuit], shots=100).result()
        assert session.details()["state"] == "active"
    assert session.status() == "Closed"  # no job left: closed at once (S9)


def test_seed001_max_time_ends_the_session_and_fails_its_queued_jobs(service):
    """'A session ends by reaching its maximum timeout value ... Any queued jobs remaining in the
    session are put into a failed state' (rule S8); a running job finishes."""
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    session = Session(backend=backend, max_time=2)
    sampler = SamplerV2(mode=session)
    jobs = [sampler.run([circuit], shots=4000) for _ in range(3)]  # ~1.5 s each on emu_slow
    assert session.details()["max_time"] == 2
    for job in jobs:
        wait_status(job, FINAL, timeout=60)
    assert jobs[0].status() == "DONE"
    assert jobs[2].status() == "ERROR"
    with pytest.raises(RuntimeJobFailureError) as failure:
        jobs[2].result()
    assert "max" in str(failure.value).lower() or "time" in str(failure.value).lower()
    details = session.details()
    assert details["state"] == "closed"
    assert details["closed_at"]
    assert session.status() == "Closed"


def test_seed001_cancelling_the_first_session_job_does_not_fail_the_others(service):
    """Seed 001: 'if the first job is cancelled, subsequent session jobs will all fail' (IBM's
    cache). qrt does not tie later jobs to the first one (rule S17, beyond IBM)."""
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    with Session(backend=backend) as session:
        sampler = SamplerV2(mode=session)
        first = sampler.run([circuit], shots=3000)
        later = [sampler.run([circuit], shots=100) for _ in range(2)]
        wait_status(first, {"RUNNING"})
        first.cancel()
        results = [job.result() for job in later]
    assert all(r[0].data.meas.num_shots == 100 for r in results)
    assert service.job(first.job_id()).status() == "CANCELLED"


# ---------------------------------------------------------------------------------------------
# Seed 002: the Session class reference page

def test_seed002_session_example_with_least_busy(service):
    backend = service.least_busy(operational=True, simulator=False)
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
        assert job.job_id()
        counts = pub_result.data.cr.get_counts()
    bell_counts_ok(counts, 4096)  # the service default: 4096 shots
    assert session.backend() == backend.name
    assert session.service is service


def test_seed002_session_attributes_and_methods(service):
    backend = service.backend(DEV)
    session = Session(backend=backend, max_time="2h 30m 40s")
    assert session.session_id
    details = session.details()
    for key in ("id", "backend_name", "interactive_timeout", "max_time", "active_timeout",
                "state", "accepting_jobs", "last_job_started", "last_job_completed",
                "started_at", "closed_at", "activated_at", "mode", "usage_time"):
        assert key in details, key
    assert details["id"] == session.session_id
    assert details["backend_name"] == DEV
    assert details["max_time"] == 2 * 3600 + 30 * 60 + 40
    assert details["mode"] == "dedicated"
    assert details["state"] == "open" and details["accepting_jobs"] is True
    assert details["started_at"] is None and details["closed_at"] is None
    assert session.status() == "Pending"
    assert session.usage() in (0, 0.0, None)
    job = SamplerV2(mode=session).run([isa(bell(), backend)], shots=100)
    job.result()
    assert session.usage() > 0  # usage: from the first job start (S14)
    assert session.details()["active_timeout"] <= details["max_time"]
    # from_id: the same session from its id, e.g. in another process.
    again = Session.from_id(session.session_id, service)
    assert again.session_id == session.session_id
    assert again.backend() == DEV
    SamplerV2(mode=again).run([isa(bell(), backend)], shots=100).result()
    session.close()
    assert session.status() == "Closed"
    # A closed session re-attached by id refuses jobs on the client side.
    closed = Session.from_id(session.session_id, service)
    with pytest.raises(IBMRuntimeError, match="closed"):
        SamplerV2(mode=closed).run([isa(bell(), backend)], shots=10)


def test_seed002_from_id_refuses_unknown_ids_and_mode_mismatch(service):
    backend = service.backend(DEV)
    session = Session(backend=backend)
    try:
        with pytest.raises(IBMInputValueError):
            Batch.from_id(session.session_id, service)
        with pytest.raises(IBMInputValueError):
            Session.from_id("no-such-session", service)
    finally:
        session.cancel()


def test_seed002_cancel_cancels_all_pending_jobs(service):
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    session = Session(backend=backend)
    sampler = SamplerV2(mode=session)
    jobs = [sampler.run([circuit], shots=3000) for _ in range(3)]
    wait_status(jobs[0], {"RUNNING"})
    session.cancel()
    # Rule S10: closed at once, queued jobs cancelled, the running job completes.
    assert session.status() == "Closed"
    assert jobs[0].result() is not None
    for job in jobs[1:]:
        assert wait_status(job, FINAL) == "CANCELLED"
        with pytest.raises(RuntimeInvalidStateError):
            job.result()
    with pytest.raises(IBMRuntimeError, match="closed"):
        sampler.run([circuit], shots=10)


# ---------------------------------------------------------------------------------------------
# Seed 003: IBM Cloud "Sessions" page

def test_seed003_context_manager_runs_jobs_in_one_session_and_closes_it(service):
    """'with Estimator(...):' (V1) -> Session context manager with an EstimatorV2: the jobs run in
    the session and the session is closed automatically when the block is exited."""
    backend = service.backend(DEV)
    circuit = isa(bell(measure=False), backend)
    observable = SparsePauliOp("ZZ").apply_layout(circuit.layout)
    with Session(backend=backend) as session:
        estimator = EstimatorV2()  # picks up the session of the with-block
        jobs = [estimator.run([(circuit, observable)]) for _ in range(2)]
        values = [float(job.result()[0].data.evs) for job in jobs]
    assert all(job.session_id == session.session_id for job in jobs)
    assert all(0.8 < v <= 1.05 for v in values), values
    assert session.details()["state"] == "closed"


def test_seed003_jobs_api_session_id(admin, service):
    """'When you start a runtime job with the jobs API ... you can assign the job to run in a
    current session (session_id=ID of a running session)'."""
    backend = service.backend(DEV)
    circuit = isa(bell(), backend)
    created = admin.post("/sessions", {"mode": "dedicated", "backend": DEV})
    assert created.status_code in (200, 201), created.text
    session_id = created.json()["id"]
    job = admin.wait(admin.submit(sampler_body(circuit, DEV, session_id=session_id)))
    assert job["state"]["status"] == "Completed"
    assert job["session_id"] == session_id
    assert admin.get(f"/sessions/{session_id}").json()["state"] == "active"
    assert admin.patch(f"/sessions/{session_id}", {"accepting_jobs": False}).status_code < 300


def test_seed003_jobs_api_start_session(admin, service):
    """'... by default it does not run in a session. You can specify that it runs in a new session
    (start_session=true)'."""
    backend = service.backend(DEV)
    body = sampler_body(isa(bell(), backend), DEV)
    body["start_session"] = True
    response = admin.post("/jobs", body)
    assert response.status_code in (200, 201), response.text
    job = admin.wait(response.json()["id"])
    assert job["state"]["status"] == "Completed"
    assert job["session_id"], "start_session=true must put the job in a new session"
    session = admin.get(f"/sessions/{job['session_id']}").json()
    assert session["backend_name"] == DEV
    admin.patch(f"/sessions/{job['session_id']}", {"accepting_jobs": False})


# ---------------------------------------------------------------------------------------------
# Seed 004: "Run jobs in a session"

def test_seed004_session_class_with_both_primitives(service):
    backend = service.backend(DEV)
    session = Session(backend=backend)
    estimator = EstimatorV2(mode=session)
    sampler = SamplerV2(mode=session)
    sampler_circuit = QuantumCircuit(2)
    sampler_circuit.h(0)
    sampler_circuit.cx(0, 1)
    sampler_circuit.measure_all()
    sampler_circuit = isa(sampler_circuit, backend)
    circuit = isa(bell(measure=False), backend)
    observable = SparsePauliOp("ZZ").apply_layout(circuit.layout)
    job1 = sampler.run([sampler_circuit])
    job2 = estimator.run([(circuit, observable)])
    print(f"Result1: {job1.result()}")
    print(f"Result2: {job2.result()}")
    session.close()
    bell_counts_ok(job1.result()[0].data.meas.get_counts(), 4096)
    assert 0.8 < float(job2.result()[0].data.evs) <= 1.05
    assert job1.session_id == job2.session_id == session.session_id
    assert session.status() == "Closed"


def test_seed004_context_manager_with_max_time_and_mode_less_primitives(service):
    backend = service.backend(DEV)
    sampler_circuit = isa(bell(), backend)
    circuit = isa(bell(measure=False), backend)
    observable = SparsePauliOp("ZZ").apply_layout(circuit.layout)
    with Session(backend=backend, max_time="25m") as session:
        assert session.details()["max_time"] == 25 * 60
        sampler = SamplerV2()
        estimator = EstimatorV2()
        job = sampler.run([sampler_circuit])
        result = job.result()
        counts = result[0].data.meas.get_counts()
        job = estimator.run([(circuit, observable)])
        result = job.result()
        assert result[0].metadata  # print(f" > Metadata: {result[0].metadata}")
        assert job.session_id == session.session_id
    bell_counts_ok(counts, 4096)
    assert 0.8 < float(result[0].data.evs) <= 1.05


def test_seed004_exiting_the_context_manager_drains_then_closes(service):
    """'When the session context manager is exited, the session is put into "In progress, not
    accepting new jobs" status ... After all jobs are completed, the session is immediately
    closed.' (rule S9)"""
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    with Session(backend=backend) as session:
        sampler = SamplerV2()
        job1 = sampler.run([circuit], shots=2000)
        job2 = sampler.run([circuit], shots=2000)
        wait_status(job1, {"RUNNING"})
    assert session.status() == "In progress, not accepting new jobs"
    assert session.details()["accepting_jobs"] is False
    # The session is no longer accepting jobs but the submitted jobs run to completion.
    result = job1.result()
    result2 = job2.result()
    assert result[0].data.meas.num_shots == result2[0].data.meas.num_shots == 2000
    # Closed at once, without waiting for the 3 s interactive timeout.
    wait_until(lambda: session.details()["state"] == "closed", timeout=1.5,
               what="session closed right after its last job")
    assert session.status() == "Closed"
    # "You cannot submit jobs to a closed session": refused by the client...
    with pytest.raises(IBMRuntimeError, match="closed"):
        sampler.run([circuit], shots=10)


def test_seed004_submitting_to_a_draining_session_is_refused_by_the_server(service, admin):
    """Rule S11: the server itself refuses a job for a session that no longer accepts jobs
    (a second process attached with Session.from_id does not know it was closed)."""
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    session = Session(backend=backend)
    running = SamplerV2(mode=session).run([circuit], shots=3000)
    wait_status(running, {"RUNNING"})
    attached = Session.from_id(session.session_id, service)  # still open: not yet drained
    session.close()
    with pytest.raises(IBMRuntimeError) as refused:
        SamplerV2(mode=attached).run([circuit], shots=10)
    assert "accept" in str(refused.value).lower() or "closed" in str(refused.value).lower()
    raw = admin.post("/jobs", sampler_body(circuit, SLOW, session_id=session.session_id))
    assert 400 <= raw.status_code < 500, (raw.status_code, raw.text)
    running.result()


def test_seed004_two_vqe_threads_with_tags_in_one_session(service, tag):
    backend = service.backend(DEV)
    hamiltonian = SparsePauliOp.from_list([("ZZ", 1.0), ("XI", 0.5), ("IX", 0.5)])
    ansatz = isa(efficient_su2(2, reps=1), backend)
    isa_hamiltonian = hamiltonian.apply_layout(ansatz.layout)
    x0 = np.full(ansatz.num_parameters, 0.4)
    evaluations: dict[str, int] = {}
    lock = threading.Lock()

    def cost_func(params, ansatz, hamiltonian, estimator, method):
        with lock:
            evaluations[method] = evaluations.get(method, 0) + 1
        pub = (ansatz, [hamiltonian], [params])
        result = estimator.run(pubs=[pub]).result()
        return float(result[0].data.evs[0])

    def minimize_thread(estimator, method):
        # Few iterations to stay fast (COBYLA needs at least num_params + 2 evaluations).
        maxiter = ansatz.num_parameters + 2 if method == "cobyla" else 8
        return minimize(cost_func, x0, args=(ansatz, isa_hamiltonian, estimator, method),
                        method=method, options={"maxiter": maxiter})

    cobyla_tag, nelder_tag = f"{tag}-cobyla", f"{tag}-nelder-mead"
    with Session(backend=backend) as session, ThreadPoolExecutor() as executor:
        # Few shots and no readout mitigation: many small jobs, fast (the seed sets no options).
        estimator1 = EstimatorV2(options={"default_shots": 500, "resilience_level": 0})
        estimator2 = EstimatorV2(options={"default_shots": 500, "resilience_level": 0})
        # Use different tags to differentiate the jobs.
        estimator1.options.environment.job_tags = [cobyla_tag]
        estimator2.options.environment.job_tags = [nelder_tag]
        cobyla_future = executor.submit(minimize_thread, estimator1, "cobyla")
        nelder_mead_future = executor.submit(minimize_thread, estimator2, "nelder-mead")
        cobyla_result = cobyla_future.result()
        nelder_mead_result = nelder_mead_future.result()
    exact_x0 = Statevector(efficient_su2(2, reps=1).assign_parameters(x0)).expectation_value(
        hamiltonian).real
    for result in (cobyla_result, nelder_mead_result):
        assert result.fun < exact_x0 + 0.15  # it did not get worse than the start (noisy, raw)
    for method, job_tag in (("cobyla", cobyla_tag), ("nelder-mead", nelder_tag)):
        jobs = service.jobs(job_tags=[job_tag], session_id=session.session_id, limit=None)
        assert len(jobs) == evaluations[method], (method, len(jobs), evaluations[method])
        assert all(job.tags == [job_tag] for job in jobs)
    assert len(service.jobs(session_id=session.session_id, limit=None)) == sum(evaluations.values())


def test_seed004_open_plan_sessions_run_in_job_mode(server, admin, service, monkeypatch):
    """Seed 004: 'Session execution mode is not supported in the Open Plan. Jobs will run in job
    mode instead.' (rule S15): an open-plan session does not hold the backend between its jobs."""
    import os
    import uuid

    import qrt

    name = f"open{uuid.uuid4().hex[:6]}"
    crn = admin.put_instance(name, plan="open", share=1.0)["crn"]
    user = admin.create_user(f"olivia-{name}", [crn])
    monkeypatch.setenv("IAM_URL", os.environ["IAM_URL"])
    open_service = qrt.connect(server.url, token=admin.create_key(user["id"]), instance=crn)
    backend = open_service.backend(DEV)
    circuit = isa(bell(), backend)
    session = Session(backend=backend)
    SamplerV2(mode=session).run([circuit], shots=100).result()
    # A paid instance's job-mode job right after: not held for the 3 s interactive window.
    other = SamplerV2(mode=service.backend(DEV)).run([isa(bell(), service.backend(DEV))], shots=100)
    start = time.monotonic()
    other.result(timeout=30)
    assert time.monotonic() - start < 2.0
    session.close()


def test_seed004_batch(service, tag):
    backend = service.backend(DEV)
    circuit = isa(bell(), backend)
    with Batch(backend=backend) as batch:
        sampler = SamplerV2()
        sampler.options.environment.job_tags = [tag]
        jobs = [sampler.run([circuit], shots=200) for _ in range(4)]
        assert batch.details()["mode"] == "batch"
        results = [job.result() for job in jobs]
    for result in results:
        bell_counts_ok(result[0].data.meas.get_counts(), 200)
    assert all(job.session_id == batch.session_id for job in jobs)
    assert batch.usage() > 0  # batch usage: the sum of its jobs' backend time (B4)
    assert batch.status() == "Closed"
    again = Batch.from_id(batch.session_id, service)
    assert again.details()["mode"] == "batch"
    with pytest.raises(IBMInputValueError):
        Session.from_id(batch.session_id, service)


def test_seed004_session_status_strings_over_a_lifetime(service):
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    session = Session(backend=backend)
    seen = [session.status()]
    job = SamplerV2(mode=session).run([circuit], shots=2000)
    wait_status(job, {"RUNNING"})
    seen.append(session.status())
    session.close()
    seen.append(session.status())
    job.result()
    wait_until(lambda: session.status() == "Closed", timeout=5, what="Closed")
    seen.append(session.status())
    assert seen == ["Pending", "In progress, accepting new jobs",
                    "In progress, not accepting new jobs", "Closed"]


def test_seed004_cancel_fails_queued_jobs_and_prevents_submission(service):
    """'Canceling a session immediately closes it, failing all queued jobs and preventing new
    submission ... Any jobs that are already running continue to run.' qrt ends the queued jobs
    Cancelled (rule S10)."""
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    with Session(backend=backend) as session:
        estimator_circuit = isa(bell(measure=False), backend)
        observable = SparsePauliOp("ZZ").apply_layout(estimator_circuit.layout)
        estimator = EstimatorV2(options={"resilience_level": 0, "default_shots": 2000})
        job1 = estimator.run([(estimator_circuit, observable)])
        job2 = SamplerV2().run([circuit], shots=2000)
        wait_status(job1, {"RUNNING"})
        session.cancel()
    assert job1.result() is not None
    assert wait_status(job2, FINAL) == "CANCELLED"
    assert session.details()["state"] == "closed"
    with pytest.raises(IBMRuntimeError, match="closed"):
        SamplerV2(mode=Session.from_id(session.session_id, service)).run([circuit], shots=10)


def test_seed004_session_jobs_wait_for_a_busy_backend_but_not_for_each_other(service):
    """Seed 000: 'Jobs still run one at a time ... you do not have to wait for them to complete
    before submitting more jobs.'"""
    backend = service.backend(SLOW)
    circuit = isa(bell(), backend)
    with Session(backend=backend) as session:
        sampler = SamplerV2(mode=session)
        start = time.monotonic()
        jobs = [sampler.run([circuit], shots=1000) for _ in range(3)]
        submit_time = time.monotonic() - start
        for job in jobs:
            job.result()
    assert submit_time < 3.0  # submitting did not wait for the ~0.75 s jobs
    spans = sorted((job.metrics()["timestamps"]["running"], job.metrics()["timestamps"]["finished"])
                   for job in jobs)
    for (_, end), (begin, _) in zip(spans, spans[1:]):
        assert begin >= end  # one at a time
