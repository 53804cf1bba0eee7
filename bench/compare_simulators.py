#!/usr/bin/env python3
"""Times qrt's simulators against Qiskit Aer and qsim (qsimcirq) on the same circuits and machine.

    OMP_NUM_THREADS=2 .venv/bin/python bench/compare_simulators.py \
        [--inputs build/bench-inputs/sim] [--qrt-bench build/hbench-rel/bench/qrt_sim_compare] \
        [--sv-qubits 20,24,26,28] [--families qft,qv,random,su2,ghz] [--skip-qv-above 26] \
        [--no-qsim] [--no-aer] [--qrt-single] [--write-docs docs/performance.md]

Writes (seeded, always regenerated) to the inputs folder, QPY version 17:
  sv_<family>_<n>.qpy      statevector circuits, no measurement: qft (h, cp, swap), qv (quantum
                           volume, depth n, u + cx), random (random_circuit depth 10, u + cx),
                           su2 (EfficientSU2 reps=2, ry/rz/cx, random bound values), ghz (h, cx)
  stab_<family>_<n>.qpy    Clifford circuits with measure_all, 127 and 1000 qubits: ghz and
                           clifford (100 layers of random h/s/identity on every qubit + cx on a
                           random matching)
  est_su2_20.qpy + est_su2_20.observables.json
                           a 20-qubit EfficientSU2 state and 100 random Pauli observables of
                           weight <= 4 ([["IXZ...", coeff], ...])
Timers cover the simulation only (transpilation and conversion happen before the timer):
  qrt    bench/sim/qrt_sim_compare (C++; sim::simulate_state / run_shots / exact_expectations;
         complex128, or complex64 with --qrt-single),
         one process per case, best of 3 below 26 qubits and of 1 from 26 on
  Aer    AerSimulator(method="statevector", precision="double", fusion default) with
         save_statevector, run(...).result(); method="stabilizer" for 10 000 shots; EstimatorV2
         with default_precision=0 (exact) for the observables
  qsim   qsimcirq.QSimSimulator(cpu_threads, max_fused_gate_size=3).simulate() on the cirq
         circuit made by QASM2 export + cirq.contrib.qasm_import (qsimcirq is complex64 only)
All with the same thread count (OMP_NUM_THREADS, default 2). The C++ program also measures
memory bandwidth (triad and in-place read+write with the same threads), from which the lower
bound of one single-qubit gate pass (2 x state bytes / bandwidth) at 26 and 28 qubits follows.
Prints a Markdown table; --write-docs replaces the "## Simulators" section of that file.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHOTS = 10_000
SEED = 4242


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- circuit generation


def sv_circuit(family: str, n: int):
    from qiskit import QuantumCircuit, transpile
    from qiskit.circuit.library import efficient_su2, quantum_volume, QFTGate
    from qiskit.circuit.random import random_circuit

    if family == "qft":
        qc = QuantumCircuit(n)
        qc.append(QFTGate(n), range(n))
        return transpile(qc, basis_gates=["h", "cp", "swap"], optimization_level=0)
    if family == "qv":
        qc = quantum_volume(n, depth=n, seed=SEED)
        return transpile(qc, basis_gates=["u", "cx"], optimization_level=1, seed_transpiler=SEED)
    if family == "random":
        qc = random_circuit(n, 10, max_operands=2, measure=False, seed=SEED)
        return transpile(qc, basis_gates=["u", "cx"], optimization_level=0)
    if family == "su2":
        return su2_circuit(n)
    if family == "ghz":
        return ghz(n, measure=False)
    raise ValueError(family)


def su2_circuit(n: int):
    from qiskit import transpile
    from qiskit.circuit.library import efficient_su2

    qc = efficient_su2(n, reps=2)
    rng = np.random.default_rng(SEED)
    qc = qc.assign_parameters(rng.uniform(-np.pi, np.pi, qc.num_parameters))
    return transpile(qc, basis_gates=["ry", "rz", "cx"], optimization_level=0)


def ghz(n: int, measure: bool):
    from qiskit import QuantumCircuit

    qc = QuantumCircuit(n)
    qc.h(0)
    for q in range(n - 1):
        qc.cx(q, q + 1)
    if measure:
        qc.measure_all()
    return qc


def random_clifford_circuit(n: int, depth: int = 100):
    from qiskit import QuantumCircuit

    rng = np.random.default_rng(SEED + n)
    qc = QuantumCircuit(n)
    for _ in range(depth):
        kinds = rng.integers(0, 3, n)
        for q in range(n):
            if kinds[q] == 1:
                qc.h(q)
            elif kinds[q] == 2:
                qc.s(q)
        perm = rng.permutation(n)
        for i in range(0, n - 1, 2):
            qc.cx(int(perm[i]), int(perm[i + 1]))
    qc.measure_all()
    return qc


def random_observables(n: int, count: int = 100):
    rng = np.random.default_rng(SEED + 7)
    out = []
    for _ in range(count):
        w = int(rng.integers(1, 5))
        qubits = rng.choice(n, w, replace=False)
        label = ["I"] * n
        for q in qubits:
            label[n - 1 - int(q)] = "XYZ"[int(rng.integers(0, 3))]  # rightmost = qubit 0
        out.append(["".join(label), float(np.round(rng.normal(), 6))])
    return out


def write_qpy(qc, path: Path):
    from qiskit import qpy

    with open(path, "wb") as f:
        qpy.dump(qc, f, version=min(17, qpy.QPY_VERSION))


# ---------------------------------------------------------------- reference simulators


def checksum(state) -> float:
    p = np.abs(np.asarray(state)) ** 2
    return float(np.sum(p * (np.arange(p.size) % 1009)) / 1009.0)


def aer_statevector(qc, threads: int, reps: int):
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="statevector", precision="double", max_parallel_threads=threads)
    tqc = transpile(qc, sim, optimization_level=0)
    tqc.save_statevector()
    best, check = None, None
    for _ in range(reps):
        t0 = time.perf_counter()
        res = sim.run(tqc).result()
        dt = time.perf_counter() - t0
        if not res.success:
            raise RuntimeError(res.status)
        best = dt if best is None else min(best, dt)
        if check is None:
            check = checksum(res.get_statevector(tqc).data)
        del res
        gc.collect()
    return best, check


def qsim_statevector(qc, threads: int, reps: int):
    import cirq  # noqa: F401
    import qsimcirq
    from cirq.contrib.qasm_import import circuit_from_qasm
    from qiskit import qasm2, transpile

    tqc = transpile(qc, basis_gates=["u3", "cx", "h", "cu1", "swap", "rz", "ry"],
                    optimization_level=0)
    circuit = circuit_from_qasm(qasm2.dumps(tqc))
    sim = qsimcirq.QSimSimulator(qsimcirq.QSimOptions(cpu_threads=threads, max_fused_gate_size=3))
    best = None
    for _ in range(reps):
        t0 = time.perf_counter()
        res = sim.simulate(circuit)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
        del res
        gc.collect()
    return best


def aer_stabilizer(qc, threads: int):
    """Returns (seconds for 10 000 shots, note). Extrapolates from fewer shots when Aer does not
    sample from one final state and 10 000 shots would take too long."""
    from qiskit import transpile
    from qiskit_aer import AerSimulator

    sim = AerSimulator(method="stabilizer", max_parallel_threads=threads)
    tqc = transpile(qc, sim, optimization_level=0)
    t0 = time.perf_counter()
    probe = sim.run(tqc, shots=10, seed_simulator=1).result()
    t_probe = time.perf_counter() - t0
    sampling = bool(probe.results[0].metadata.get("measure_sampling", False))
    if sampling or t_probe * SHOTS / 10 < 120:
        t0 = time.perf_counter()
        sim.run(tqc, shots=SHOTS, seed_simulator=1).result()
        return time.perf_counter() - t0, ("" if sampling else "per-shot")
    return t_probe * SHOTS / 10, "extrapolated from 10 shots (per-shot)"


def aer_estimator(qc, observables, threads: int, reps: int):
    from qiskit import transpile
    from qiskit.quantum_info import SparsePauliOp
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import EstimatorV2

    est = EstimatorV2(options={"default_precision": 0.0,
                               "backend_options": {"method": "statevector",
                                                   "max_parallel_threads": threads}})
    tqc = transpile(qc, AerSimulator(), optimization_level=0)
    ops = [SparsePauliOp(label, coeff) for label, coeff in observables]
    best, values = None, None
    for _ in range(reps):
        t0 = time.perf_counter()
        res = est.run([(tqc, ops)]).result()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
        values = np.asarray(res[0].data.evs, dtype=float)
    return best, values


# ---------------------------------------------------------------- qrt


def run_qrt(binary: Path | None, args: list[str], timeout: float):
    if binary is None or not binary.exists():
        return [], "qrt_sim_compare not built"
    try:
        p = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return [], f"timeout after {timeout:.0f} s"
    rows = []
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
    err = ""
    if p.returncode != 0:
        msgs = [r.get("error", "") for r in rows if "error" in r]
        err = "; ".join(msgs) or (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1]
    return [r for r in rows if "error" not in r], err


def numpy_bandwidth() -> float:
    a = np.ones(1 << 26)
    b = np.empty_like(a)
    best = 1e9
    for _ in range(5):
        t0 = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - t0)
    return 2 * a.nbytes / best / 1e9


# ---------------------------------------------------------------- main


def fmt_s(x):
    if x is None:
        return "–"
    return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"


def fmt_ratio(other, ours):
    if other is None or ours is None:
        return "–"
    return f"{other / ours:.2f}"


def render(rows, pass_rows, bw, versions, threads) -> str:
    rmw = bw.get("rmw_gbps")
    lines = []
    lines.append(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
                 f"threads = {threads}; " + ", ".join(f"{k} {v}" for k, v in versions.items()) +
                 f"; measured {time.strftime('%Y-%m-%d')}.")
    bw_t = bw.get("triad_gbps")
    lines.append(f"Bandwidth ({bw['source']}, {threads} threads): "
                 + (f"triad {bw_t:.1f} GB/s, " if bw_t else "")
                 + f"in-place read+write {rmw:.1f} GB/s.")
    lines.append("")
    lines.append("| case | qubits | gates | qrt | Aer (c128) | qsim (c64) | Aer / qrt | qsim / qrt "
                 "| notes |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        lines.append(f"| {r['case']} | {r['qubits']} | {r['gates']} | {fmt_s(r.get('qrt'))} | "
                     f"{fmt_s(r.get('aer'))} | {fmt_s(r.get('qsim'))} | "
                     f"{fmt_ratio(r.get('aer'), r.get('qrt'))} | "
                     f"{fmt_ratio(r.get('qsim'), r.get('qrt'))} | {'; '.join(r['notes'])} |")
    lines.append("")
    lines.append("| single-qubit gate pass (complex128) | qrt (best qubit) | bound "
                 "(2 x state / in-place bandwidth) | qrt / bound | kernels |")
    lines.append("| --- | ---: | ---: | ---: | --- |")
    for r in pass_rows:
        ratio = (f"{r['qrt'] / r['bound']:.2f}" if r["qrt"] and r["bound"] else "–")
        lines.append(f"| {r['qubits']} qubits ({16 << r['qubits'] >> 30} GiB) | {fmt_s(r['qrt'])} | "
                     f"{fmt_s(r['bound'])} | {ratio} | {r['simd'] or '–'} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--inputs", type=Path, default=ROOT / "build/bench-inputs/sim")
    ap.add_argument("--qrt-bench", type=Path,
                    default=ROOT / "build/hbench-rel/bench/qrt_sim_compare")
    ap.add_argument("--sv-qubits", default="20,24,26,28")
    ap.add_argument("--families", default="qft,qv,random,su2,ghz")
    ap.add_argument("--skip-qv-above", type=int, default=26,
                    help="quantum volume only up to this width (depth = n makes it long)")
    ap.add_argument("--stab-qubits", default="127,1000")
    ap.add_argument("--qrt-single", action="store_true",
                    help="qrt's statevector in complex64, qsim's precision (qrt_sim_compare --single)")
    ap.add_argument("--no-aer", action="store_true")
    ap.add_argument("--no-qsim", action="store_true")
    ap.add_argument("--no-stab", action="store_true")
    ap.add_argument("--no-est", action="store_true")
    ap.add_argument("--case-timeout", type=float, default=600)
    ap.add_argument("--write-docs", type=Path)
    ap.add_argument("--json-out", type=Path, help="also write every row as JSON")
    args = ap.parse_args()

    threads = int(os.environ.setdefault("OMP_NUM_THREADS", "2"))
    args.inputs.mkdir(parents=True, exist_ok=True)
    binary = args.qrt_bench if args.qrt_bench.exists() else None

    import qiskit
    import qiskit_aer
    versions = {"qiskit": qiskit.__version__, "qiskit-aer": qiskit_aer.__version__}
    try:
        import cirq
        import qsimcirq
        versions.update({"cirq": cirq.__version__, "qsimcirq": qsimcirq.__version__})
    except ImportError:
        args.no_qsim = True
    log("versions:", versions, "threads:", threads)

    # Bandwidth first (the C++ probe; numpy copy as a fallback).
    probe_rows, err = run_qrt(binary, ["--pass-qubits", "26,28", "--reps", "3"], args.case_timeout)
    bw = next((r for r in probe_rows if r["case"] == "bandwidth"), None)
    passes = {r["qubits"]: r for r in probe_rows if r.get("kind") == "pass"}
    if bw is None:
        bw = {"triad_gbps": None, "rmw_gbps": numpy_bandwidth(), "source": "numpy copy"}
        log("probe:", err or "no C++ probe", "-> numpy copy", bw)
    else:
        bw["source"] = "qrt_sim_compare"
        log("probe:", bw, err)
    if err:
        log("probe/pass error:", err)

    rows = []
    sv_qubits = [int(x) for x in args.sv_qubits.split(",") if x]
    families = [f for f in args.families.split(",") if f]
    for n in sv_qubits:
        for fam in families:
            if fam == "qv" and n > args.skip_qv_above:
                continue
            name = f"sv_{fam}_{n}"
            qc = sv_circuit(fam, n)
            path = args.inputs / f"{name}.qpy"
            write_qpy(qc, path)
            reps = 3 if n < 26 else 1
            row = {"case": name, "qubits": n, "gates": qc.size(), "notes": []}
            ours, err = run_qrt(binary, ["--no-probe", "--reps", str(reps), str(path)]
                                + (["--single"] if args.qrt_single else []), args.case_timeout)
            row["qrt"] = ours[0]["seconds"] if ours else None
            if err:
                row["notes"].append(f"qrt: {err[:120]}")
            if not args.no_aer:
                try:
                    row["aer"], aer_check = aer_statevector(qc, threads, reps)
                    if ours and "check" in ours[0]:
                        d = abs(ours[0]["check"] - aer_check)
                        row["check_diff"] = d
                        if d > 1e-6 * max(1.0, abs(aer_check)):
                            row["notes"].append(f"checksum differs from Aer by {d:.2e}")
                except Exception as e:  # noqa: BLE001
                    row["aer"] = None
                    row["notes"].append(f"aer: {e}"[:120])
            if not args.no_qsim:
                try:
                    row["qsim"] = qsim_statevector(qc, threads, reps)
                except Exception as e:  # noqa: BLE001
                    row["qsim"] = None
                    row["notes"].append(f"qsim: {e}"[:120])
            log(row)
            rows.append(row)
            gc.collect()

    if not args.no_stab:
        for n in [int(x) for x in args.stab_qubits.split(",") if x]:
            for fam in ("ghz", "clifford"):
                name = f"stab_{fam}_{n}"
                qc = ghz(n, True) if fam == "ghz" else random_clifford_circuit(n)
                path = args.inputs / f"{name}.qpy"
                write_qpy(qc, path)
                row = {"case": name, "qubits": n, "gates": qc.size(), "notes": [f"{SHOTS} shots"]}
                ours, err = run_qrt(binary, ["--no-probe", "--reps", "3", str(path)],
                                    args.case_timeout)
                row["qrt"] = ours[0]["seconds"] if ours else None
                if err:
                    row["notes"].append(f"qrt: {err[:120]}")
                if not args.no_aer:
                    try:
                        row["aer"], note = aer_stabilizer(qc, threads)
                        if note:
                            row["notes"].append(f"Aer {note}")
                    except Exception as e:  # noqa: BLE001
                        row["aer"] = None
                        row["notes"].append(f"aer: {e}"[:120])
                log(row)
                rows.append(row)

    if not args.no_est:
        n = 20
        qc = su2_circuit(n)
        obs = random_observables(n)
        path = args.inputs / f"est_su2_{n}.qpy"
        write_qpy(qc, path)
        (args.inputs / f"est_su2_{n}.observables.json").write_text(json.dumps(obs))
        row = {"case": f"est_su2_{n}", "qubits": n, "gates": qc.size(),
               "notes": [f"{len(obs)} observables, exact"]}
        ours, err = run_qrt(binary, ["--no-probe", "--reps", "3", str(path)], args.case_timeout)
        row["qrt"] = ours[0]["seconds"] if ours else None
        if err:
            row["notes"].append(f"qrt: {err[:120]}")
        if not args.no_aer:
            try:
                row["aer"], values = aer_estimator(qc, obs, threads, 3)
                if ours and "values" in ours[0]:
                    d = float(np.max(np.abs(np.asarray(ours[0]["values"]) - values)))
                    row["check_diff"] = d
                    row["notes"].append(f"max |qrt - Aer| = {d:.1e}")
            except Exception as e:  # noqa: BLE001
                row["aer"] = None
                row["notes"].append(f"aer: {e}"[:120])
        log(row)
        rows.append(row)

    # Single-qubit pass against the bandwidth bound.
    rmw = bw.get("rmw_gbps")
    pass_rows = []
    for n in (26, 28):
        state = 16 * (1 << n)
        bound = 2 * state / (rmw * 1e9) if rmw else None
        measured = passes.get(n, {}).get("seconds")
        pass_rows.append({"case": f"pass_1q_{n}", "qubits": n, "qrt": measured, "bound": bound,
                          "simd": passes.get(n, {}).get("simd")})

    table = render(rows, pass_rows, bw, versions, threads)
    print(table)

    if args.json_out:
        args.json_out.write_text(json.dumps({"versions": versions, "bandwidth": bw, "rows": rows,
                                             "passes": pass_rows}, indent=1))
    if args.write_docs:
        write_docs(args.write_docs, table)
    return 0


SECTION_INTRO = """\
## Simulators

`bench/compare_simulators.py` (with the C++ driver `bench/sim/sim_bench.cc`, target
`qrt_sim_compare`, built in Release with `-DQRT_BUILD_BENCH=ON`) runs qrt, Qiskit Aer and qsim on the
same seeded circuits on the same machine with the same thread count, and measures the memory
bandwidth alongside. Timers cover the simulation only; transpilation to each simulator's basis and
the Qiskit -> cirq conversion happen before. qrt: `sim::final_statevector` (statevector),
`sim::run_shots` with 10 000 shots (stabilizer), `sim::exact_expectations` (estimator); best of 3
below 26 qubits, one run from 26 on. Aer: `AerSimulator(method="statevector", precision="double")`
with default fusion and `save_statevector`; `method="stabilizer"`; `EstimatorV2` with
`default_precision=0`. qsim: `qsimcirq` with `max_fused_gate_size=3`, which computes in complex64
(half the bytes per pass of the two complex128 engines). Ratios above 1 mean qrt is faster.
The bandwidth of this VM drifts between runs (see
`/work/shared/reference/simulator-anchors.md` §2.1), so compare rows of one run only.

Reproduce:

    cmake -S . -B build/hbench-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DQRT_BUILD_BENCH=ON
    cmake --build build/hbench-rel --target qrt_sim_compare
    OMP_NUM_THREADS=2 .venv/bin/python bench/compare_simulators.py --write-docs docs/performance.md

"""


def write_docs(path: Path, table: str):
    text = path.read_text() if path.exists() else "# Performance\n"
    marker = "\n## Simulators\n"
    if marker in text:
        head, rest = text.split(marker, 1)
        nxt = rest.find("\n## ")
        tail = rest[nxt:] if nxt >= 0 else ""
        text = head.rstrip("\n") + "\n\n" + SECTION_INTRO + table + "\n" + tail
    else:
        text = text.rstrip("\n") + "\n\n" + SECTION_INTRO + table + "\n"
    path.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
