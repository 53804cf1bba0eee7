#!/usr/bin/env python3
"""Times Qiskit's own readers on the circuit-format benchmark inputs, and compares with qrt's.

    .venv/bin/python bench/compare_qiskit_formats.py [--inputs build/bench-inputs]
        [--qrt-bench build/release/src/formats/qrt_formats_bench] [--regenerate]

Generates (once; --regenerate to redo) a 127-qubit, 20 000-instruction ISA circuit for
FakeBrisbane (layers of random rz and sx on every qubit and ecr on a random matching of the
heavy-hex coupling map, seeded) and writes it to the inputs folder (not committed; the C++
benchmarks read the same files):

    isa_127q_20k.qpy            raw QPY, version min(17, qiskit.qpy.QPY_VERSION) (what clients send)
    isa_127q_20k.v<N>.qpy       raw QPY of every other version 13..QPY_VERSION
    isa_127q_20k.runtime.json   qiskit-ibm-runtime's RuntimeEncoder value:
                                {"__type__": "QuantumCircuit", "__value__": base64(zlib(QPY))}
    isa_127q_20k.qasm           qiskit.qasm3.dumps
    isa_127q_20k.qasm2          qiskit.qasm2.dumps

Then times, best of several runs:
  * qiskit.qpy.load on the runtime value, base64 and zlib decoding included (and the full
    json.loads(..., cls=RuntimeDecoder) path);
  * qiskit.qasm3.loads (qiskit-qasm3-import, ANTLR) and, if present,
    qiskit.qasm3.loads_experimental (Rust) on the QASM3 text, in MB/s;
  * qiskit.qasm2.loads (Rust) on the QASM2 text, in MB/s.
If the qrt benchmark binary exists it is run (Google Benchmark, JSON output) and the ratios are
printed.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import random
import subprocess
import sys
import time
import warnings
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEM = "isa_127q_20k"
NUM_INSTRUCTIONS = 20_000
SEED = 20_000


def build_circuit():
    """The 127-qubit ISA circuit: exactly NUM_INSTRUCTIONS instructions, ending in a barrier and a
    measurement of every qubit, laid out trivially on FakeBrisbane."""
    from qiskit import QuantumCircuit
    from qiskit.transpiler import generate_preset_pass_manager
    from qiskit_ibm_runtime.fake_provider import FakeBrisbane

    backend = FakeBrisbane()
    n = backend.num_qubits
    edges = sorted(set(backend.coupling_map.get_edges()))  # directed: ecr is native this way
    rng = random.Random(SEED)
    qc = QuantumCircuit(n, n, name=STEM)
    budget = NUM_INSTRUCTIONS - 1 - n  # leave room for barrier + measures
    count = 0

    def room():
        return count < budget

    while room():
        for q in range(n):
            if not room():
                break
            qc.rz(rng.uniform(-3.14159, 3.14159), q)
            count += 1
        for q in range(n):
            if not room():
                break
            qc.sx(q)
            count += 1
        order = edges[:]
        rng.shuffle(order)
        busy = set()
        for a, b in order:
            if not room():
                break
            if a in busy or b in busy:
                continue
            busy.update((a, b))
            qc.ecr(a, b)
            count += 1
    qc.barrier()
    qc.measure(range(n), range(n))
    assert len(qc.data) == NUM_INSTRUCTIONS, len(qc.data)
    # Give it the layout a transpiled circuit has (physical qubits $n in QASM3, LAYOUT in QPY).
    pm = generate_preset_pass_manager(optimization_level=0, backend=backend,
                                      initial_layout=list(range(n)), seed_transpiler=SEED)
    isa = pm.run(qc)
    isa.name = STEM
    assert len(isa.data) == NUM_INSTRUCTIONS, len(isa.data)
    return isa


def generate(inputs: str):
    from qiskit import qasm2, qasm3, qpy
    from qiskit_ibm_runtime import RuntimeEncoder

    os.makedirs(inputs, exist_ok=True)
    qc = build_circuit()
    runtime_version = min(17, qpy.QPY_VERSION)
    for version in range(13, qpy.QPY_VERSION + 1):
        buf = io.BytesIO()
        qpy.dump(qc, buf, version=version)
        name = f"{STEM}.qpy" if version == runtime_version else f"{STEM}.v{version}.qpy"
        with open(os.path.join(inputs, name), "wb") as f:
            f.write(buf.getvalue())
    with open(os.path.join(inputs, f"{STEM}.runtime.json"), "w") as f:
        f.write(json.dumps(qc, cls=RuntimeEncoder))
    with open(os.path.join(inputs, f"{STEM}.qasm"), "w") as f:
        f.write(qasm3.dumps(qc))
    with open(os.path.join(inputs, f"{STEM}.qasm2"), "w") as f:
        f.write(qasm2.dumps(qc))


def best_time(fn, min_runs=3, max_runs=20, budget_s=5.0):
    """Best wall time of fn() over a few runs (at least min_runs unless one run exceeds budget)."""
    times = []
    start = time.perf_counter()
    while len(times) < max_runs:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= min_runs and time.perf_counter() - start > budget_s:
            break
        if times[-1] > budget_s:
            break
    return min(times), len(times)


def time_qiskit(inputs: str) -> dict:
    from qiskit import qasm2, qasm3, qpy
    from qiskit_ibm_runtime import RuntimeDecoder

    def read(name, mode="r"):
        with open(os.path.join(inputs, name), mode) as f:
            return f.read()

    runtime_text = read(f"{STEM}.runtime.json")
    qasm3_text = read(f"{STEM}.qasm")
    qasm2_text = read(f"{STEM}.qasm2")
    raw_qpy = read(f"{STEM}.qpy", "rb")
    results = {}

    def qpy_from_runtime():
        value = json.loads(runtime_text)["__value__"]
        circuits = qpy.load(io.BytesIO(zlib.decompress(base64.standard_b64decode(value))))
        assert len(circuits[0].data) == NUM_INSTRUCTIONS

    def qpy_raw():
        qpy.load(io.BytesIO(raw_qpy))

    def runtime_decoder():
        json.loads(runtime_text, cls=RuntimeDecoder)

    results["qpy.load (runtime value: json + base64 + zlib + QPY)"] = (
        best_time(qpy_from_runtime), len(runtime_text))
    results["qpy.load (raw QPY bytes)"] = (best_time(qpy_raw), len(raw_qpy))
    results["json.loads(cls=RuntimeDecoder)"] = (best_time(runtime_decoder), len(runtime_text))
    def experimental(text):
        # The Rust importer knows only stdgates.inc; Qiskit's exporter defines ecr in the file.
        from qiskit.circuit.library import ECRGate
        gates = list(qasm3.STDGATES_INC_GATES) + [qasm3.CustomGate(ECRGate, "ecr", 0, 2)]
        return qasm3.loads_experimental(text, custom_gates=gates)

    loaders = [("qasm3.loads", getattr(qasm3, "loads", None))]
    if hasattr(qasm3, "loads_experimental"):
        loaders.append(("qasm3.loads_experimental", experimental))
    for label, loader in loaders:
        if loader is None:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = loader(qasm3_text)
            assert len(out.data) == NUM_INSTRUCTIONS, len(out.data)
        except Exception as err:  # e.g. the experimental reader refuses something
            results[label] = (None, f"{type(err).__name__}: {err}".splitlines()[0])
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results[label] = (best_time(lambda: loader(qasm3_text), min_runs=1, budget_s=20.0),
                              len(qasm3_text.encode()))
    results["qasm2.loads"] = (best_time(lambda: qasm2.loads(
        qasm2_text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)),
        len(qasm2_text.encode()))
    return results


def run_qrt_bench(binary: str, inputs: str):
    """Runs the qrt benchmark binary; returns {name: (seconds per iteration, bytes/s or None)}."""
    env = dict(os.environ, QRT_BENCH_INPUTS=os.path.abspath(inputs))
    proc = subprocess.run([binary, "--benchmark_format=json"], capture_output=True, text=True,
                          env=env, cwd=ROOT, check=False)
    if proc.returncode != 0:
        print(f"{binary} failed ({proc.returncode}):\n{proc.stderr[-2000:]}", file=sys.stderr)
        return {}
    data = json.loads(proc.stdout)
    unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    out = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        out[b["name"]] = (b["real_time"] * unit[b.get("time_unit", "ns")],
                          b.get("bytes_per_second"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--inputs", default=os.path.join(ROOT, "build", "bench-inputs"))
    ap.add_argument("--qrt-bench", default=os.path.join(ROOT, "build", "release", "src",
                                                        "formats", "qrt_formats_bench"))
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()

    import qiskit
    import qiskit_ibm_runtime
    from qiskit import qpy

    marker = os.path.join(args.inputs, f"{STEM}.runtime.json")
    if args.regenerate or not os.path.exists(marker):
        t0 = time.perf_counter()
        generate(args.inputs)
        print(f"generated inputs in {args.inputs} ({time.perf_counter() - t0:.1f} s)")
    print(f"qiskit {qiskit.__version__}, qiskit-ibm-runtime {qiskit_ibm_runtime.__version__}, "
          f"QPY_VERSION {qpy.QPY_VERSION}, python {sys.version.split()[0]}")
    for name in sorted(os.listdir(args.inputs)):
        if name.startswith(STEM):
            size = os.path.getsize(os.path.join(args.inputs, name))
            print(f"  {name:32s} {size / 1e6:8.3f} MB")

    results = time_qiskit(args.inputs)
    print(f"\nQiskit readers, {NUM_INSTRUCTIONS} instructions, 127 qubits (best of n runs):")
    report = {"qiskit_version": qiskit.__version__, "qiskit": {}, "qrt": {}}
    for label, (timing, size) in results.items():
        if timing is None:
            print(f"  {label:55s} failed: {size}")
            report["qiskit"][label] = {"error": size}
            continue
        secs, runs = timing
        print(f"  {label:55s} {secs * 1e3:10.2f} ms  {size / secs / 1e6:8.2f} MB/s of input"
              f"  (n={runs})")
        report["qiskit"][label] = {"seconds": secs, "bytes": size, "runs": runs}

    if os.path.exists(args.qrt_bench):
        qrt = run_qrt_bench(args.qrt_bench, args.inputs)
        if qrt:
            print(f"\nqrt ({os.path.relpath(args.qrt_bench, ROOT)}):")
        py_qpy = results["qpy.load (runtime value: json + base64 + zlib + QPY)"][0]
        py_qasm3 = results.get("qasm3.loads", (None, 0))[0]
        py_qasm2 = results["qasm2.loads"][0]
        for name, (secs, bps) in qrt.items():
            low = name.lower()
            ref = None
            if "qpy" in low or "runtime" in low:
                ref = ("qiskit.qpy.load (runtime value)", py_qpy)
            elif "qasm3" in low or "openqasm3" in low:
                ref = ("qiskit.qasm3.loads", py_qasm3)
            elif "qasm2" in low:
                ref = ("qiskit.qasm2.loads", py_qasm2)
            line = f"  {name:55s} {secs * 1e3:10.3f} ms"
            if bps:
                line += f"  {bps / 1e6:8.2f} MB/s"
            if ref and ref[1]:
                line += f"  {ref[1][0] / secs:8.1f}x faster than {ref[0]}"
            print(line)
            report["qrt"][name] = {"seconds": secs, "bytes_per_second": bps}
    else:
        print(f"\n(no qrt benchmark binary at {os.path.relpath(args.qrt_bench, ROOT)}; build the "
              f"release preset to compare)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
