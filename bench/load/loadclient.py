#!/usr/bin/env python3
"""The Python side of the load benchmark (bench/load/run.sh, bench/load/compare_peer.sh).

    loadclient.py payloads --url U --key K --out DIR [--shots N]             (qrt)
    loadclient.py payloads --peer --out DIR [--shots N]                      (gyu-don/qiskit-runtime-server)
    loadclient.py wait-job --url U --prefix P --auth A --body FILE           -> prints the job id
    loadclient.py latency --url U --prefix P --auth A --body FILE [--session BACKEND] [-n N]
    loadclient.py client-latency --url U --key K --backend B [-n N] [--shots S]  (the real client, qrt)
    loadclient.py client-latency --peer-helper PATH --url U --backend B ...      (the real client, peer)

payloads writes the POST /jobs bodies the official client would send (RuntimeEncoder, QPY):
  sim.json      SamplerV2, a Bell circuit (h, cx, measure) on the ideal simulator
                (qrt: sim_ideal; peer: statevector_simulator@aer)
  device.json   SamplerV2, the same Bell circuit transpiled (optimization level 1) for a 5-qubit
                device (qrt: emu_small5, its target fetched from the server; peer: fake_manila@aer)
latency: a raw-HTTP client (requests, keep-alive) that optionally opens a session
(POST {prefix}/sessions), then n times: POST the job (in the session), poll GET {prefix}/jobs/{id}
with no pause until the state is final; prints p50/p90/p99/mean/max in milliseconds and a
"RESULT {json}" line. client-latency times SamplerV2(mode=session).run([...]).result() with the
official client (its poll interval in a session is 0.1 s, which dominates).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import requests

FINAL = {"completed", "failed", "cancelled"}


def bell():
    from qiskit import QuantumCircuit

    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def body(circuit, backend: str, shots: int) -> str:
    import numpy as np

    try:
        from qiskit_ibm_runtime import RuntimeEncoder
    except ImportError:  # qiskit-ibm-runtime < 0.48 (the peer's pinned client)
        from qiskit_ibm_runtime.utils import RuntimeEncoder

    params = {"pubs": [[circuit, np.zeros((0,)), shots]], "options": {}, "version": 2,
              "support_qiskit": True}
    return json.dumps({"program_id": "sampler", "backend": backend, "params": params,
                       "log_level": "WARNING"}, cls=RuntimeEncoder)


def cmd_payloads(args) -> None:
    from qiskit.transpiler import generate_preset_pass_manager

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.peer:
        from qiskit_ibm_runtime.fake_provider import FakeManilaV2

        sim_backend, device_name, device = "statevector_simulator@aer", "fake_manila@aer", FakeManilaV2()
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
        import qrt

        service = qrt.connect(args.url, token=args.key)
        sim_backend, device_name = "sim_ideal", "emu_small5"
        device = service.backend(device_name)
    isa = generate_preset_pass_manager(backend=device, optimization_level=1,
                                       seed_transpiler=1).run(bell())
    (out / "sim.json").write_text(body(bell(), sim_backend, args.shots))
    (out / "device.json").write_text(body(isa, device_name, args.shots))
    print(f"payloads: {out}/sim.json ({sim_backend}), {out}/device.json ({device_name}), "
          f"shots={args.shots}")


def http_session(auth: str | None) -> requests.Session:
    http = requests.Session()
    http.headers.update({"Accept": "application/json", "Content-Type": "application/json"})
    if auth:
        http.headers["Authorization"] = auth
    return http


def status_of(job: dict) -> str:
    state = job.get("state") or {}
    return str(state.get("status") or job.get("status") or "").lower()


def submit_and_wait(http, base: str, payload: str, timeout: float = 120.0) -> tuple[str, str]:
    response = http.post(base + "/jobs", data=payload, timeout=60)
    if response.status_code >= 300:
        raise RuntimeError(f"POST /jobs: HTTP {response.status_code}: {response.text[:300]}")
    job_id = response.json()["id"]
    deadline = time.monotonic() + timeout
    while True:
        job = http.get(f"{base}/jobs/{job_id}", params={"exclude_params": "true"}, timeout=60)
        if job.status_code != 200:
            raise RuntimeError(f"GET /jobs/{job_id}: HTTP {job.status_code}: {job.text[:300]}")
        status = status_of(job.json())
        if status in FINAL:
            return job_id, status
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} not final after {timeout} s ({status})")


def cmd_wait_job(args) -> None:
    http = http_session(args.auth)
    job_id, status = submit_and_wait(http, args.url + args.prefix, Path(args.body).read_text())
    if status != "completed":
        raise SystemExit(f"job {job_id} ended {status}")
    print(job_id)


def summary(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)

    def pct(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50_ms": round(pct(50), 3), "p90_ms": round(pct(90), 3),
            "p99_ms": round(pct(99), 3), "mean_ms": round(statistics.fmean(ordered), 3),
            "max_ms": round(ordered[-1], 3)}


def cmd_latency(args) -> None:
    http = http_session(args.auth)
    base = args.url + args.prefix
    payload = json.loads(Path(args.body).read_text())
    if args.session:
        created = http.post(base + "/sessions", timeout=60,
                            data=json.dumps({"mode": "dedicated", "backend": args.session,
                                             "max_ttl": 3600}))
        if created.status_code >= 300:
            raise SystemExit(f"POST /sessions: HTTP {created.status_code}: {created.text[:300]}")
        payload["session_id"] = created.json()["id"]
    text = json.dumps(payload)
    for _ in range(args.warmup):
        submit_and_wait(http, base, text)
    samples = []
    for _ in range(args.n):
        start = time.perf_counter()
        _, status = submit_and_wait(http, base, text)
        samples.append((time.perf_counter() - start) * 1000)
        if status != "completed":
            raise SystemExit(f"a job ended {status}")
    if args.session:
        http.patch(f"{base}/sessions/{payload['session_id']}", timeout=60,
                   data=json.dumps({"accepting_jobs": False}))
    result = summary(samples)
    result["mode"] = "session" if args.session else "job"
    print(f"latency (raw HTTP, tight polling): p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, "
          f"p99 {result['p99_ms']} ms, mean {result['mean_ms']} ms over {result['n']} jobs")
    print("RESULT " + json.dumps(result))


def cmd_client_latency(args) -> None:
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_ibm_runtime import SamplerV2, Session

    if args.peer_helper:
        # gyu-don/qiskit-runtime-server's own way to connect the client (monkey-patches).
        sys.path.insert(0, str(Path(args.peer_helper).resolve().parent))
        from local_service_helper import local_service_connection

        context = local_service_connection(args.url)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))
        import contextlib

        import qrt

        context = contextlib.nullcontext(qrt.connect(args.url, token=args.key))
    with context as service:
        backend = service.backend(args.backend)
        isa = generate_preset_pass_manager(backend=backend, optimization_level=1,
                                           seed_transpiler=1).run(bell())
        samples = []
        with Session(backend=backend) as session:
            sampler = SamplerV2(mode=session)
            for i in range(args.n + 1):
                start = time.perf_counter()
                sampler.run([isa], shots=args.shots).result()
                if i:  # the first one includes the properties/target fetches
                    samples.append((time.perf_counter() - start) * 1000)
    result = summary(samples)
    result["mode"] = "official client, session"
    print(f"latency (official client in a session): p50 {result['p50_ms']} ms, "
          f"p90 {result['p90_ms']} ms over {result['n']} jobs")
    print("RESULT " + json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("payloads")
    p.add_argument("--url")
    p.add_argument("--key")
    p.add_argument("--peer", action="store_true")
    p.add_argument("--out", required=True)
    p.add_argument("--shots", type=int, default=128)
    p.set_defaults(func=cmd_payloads)
    for name, func in (("wait-job", cmd_wait_job), ("latency", cmd_latency)):
        p = sub.add_parser(name)
        p.add_argument("--url", required=True)
        p.add_argument("--prefix", default="/api/v1")
        p.add_argument("--auth", default="")
        p.add_argument("--body", required=True)
        p.add_argument("--session", help="open a dedicated session on this backend first")
        p.add_argument("-n", type=int, default=300)
        p.add_argument("--warmup", type=int, default=10)
        p.set_defaults(func=func)
    p = sub.add_parser("client-latency")
    p.add_argument("--url", required=True)
    p.add_argument("--key")
    p.add_argument("--peer-helper")
    p.add_argument("--backend", required=True)
    p.add_argument("-n", type=int, default=30)
    p.add_argument("--shots", type=int, default=128)
    p.set_defaults(func=cmd_client_latency)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
