#!/usr/bin/env python3
"""Generate the circuit fixture corpus (tests/corpus/) with real Qiskit.

Run through scripts/gen-corpus (which pins the Qiskit version), or directly with a Python that has
qiskit and qiskit-ibm-runtime installed:

    .venv/bin/python tests/corpus/generate.py [--out tests/corpus]

Writes, for every case, the QPY bytes for every version Qiskit can write (13..QPY_VERSION), the
JSON value qiskit-ibm-runtime's RuntimeEncoder sends, OpenQASM 3 and 2 text where Qiskit can export
them, and Qiskit's own unitary or statevector; then tests/corpus/manifest.json describing them
(format: docs/formats/corpus.md), and the backend configuration/properties JSON of a few fake
backends under tests/corpus/backends/.

Deterministic: every random choice has a fixed seed and every Parameter / ParameterVector is built
with a fixed UUID (Qiskit would otherwise draw a random one, and QPY stores it), so running the
script twice with the same package versions gives byte-identical files.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import math
import os
import random
import re
import shutil
import sys
import uuid
import warnings
import zlib

import numpy as np

import qiskit
from qiskit import qasm2, qasm3, qpy, transpile
from qiskit.circuit import (
    ClassicalRegister,
    Parameter,
    ParameterVector,
    QuantumCircuit,
    QuantumRegister,
)
from qiskit.circuit import library as lib
from qiskit.circuit.random import random_circuit
from qiskit.quantum_info import Operator, Statevector
from qiskit.transpiler import generate_preset_pass_manager

import qiskit_ibm_runtime
from qiskit_ibm_runtime import fake_provider

try:  # qiskit-ibm-runtime >= 0.48
    from qiskit_ibm_runtime import RuntimeEncoder
except ImportError:  # older releases
    from qiskit_ibm_runtime.utils.json import RuntimeEncoder

HERE = os.path.dirname(os.path.abspath(__file__))

# The standard gates the qrt gate table knows (src/circuit/gates.h), by Qiskit name. Circuits are
# decomposed into these before export so that neither QPY nor QASM carry UnitaryGate & co.
# ("mcx" is left out: transpile refuses it as a basis name; C3X and MCX appear in their own cases.)
STANDARD_GATES = [
    "id", "x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg",
    "rx", "ry", "rz", "p", "r", "u", "u1", "u2", "u3",
    "cx", "cy", "cz", "ch", "cs", "csdg", "csx", "crx", "cry", "crz", "cp", "cu", "cu1", "cu3",
    "swap", "iswap", "ecr", "dcx", "rxx", "ryy", "rzz", "rzx", "xx_minus_yy", "xx_plus_yy",
    "ccx", "ccz", "cswap", "rccx", "c3sx", "rcccx", "global_phase",
]

KEEP_EQUIVALENT = True  # --fresh turns it off

MAX_UNITARY_QUBITS = 5  # "auto": a unitary up to here (a 6-qubit one is ~150 kB of JSON) ...
MAX_STATEVECTOR_QUBITS = 10  # ... else a statevector up to here, else nothing

# Fixed UUIDs: Parameter and ParameterVector take an explicit uuid; we hand out consecutive ones.
_uuid_counter = [0x5157_0000_0000_0000_0000_0000_0000_0000]


def _next_uuid() -> uuid.UUID:
    _uuid_counter[0] += 1 << 16  # vectors use root + index, so leave room between them
    return uuid.UUID(int=_uuid_counter[0])


def P(name: str) -> Parameter:
    return Parameter(name, uuid=_next_uuid())


def PV(name: str, length: int) -> ParameterVector:
    root = _next_uuid()
    try:
        return ParameterVector(name, length, uuid=root)
    except TypeError:  # Qiskit < 2.4: Python class without the uuid argument
        vec = ParameterVector(name, 0)
        vec._root_uuid = root  # pylint: disable=protected-access
        vec.resize(length)  # elements get root + index, as in newer releases
        return vec


def fix_parameter_uuids(qc: QuantumCircuit) -> QuantumCircuit:
    """Replace every parameter of a library-built circuit with an equal one with a fixed UUID."""
    vectors: dict[str, ParameterVector] = {}
    mapping = {}
    for p in qc.parameters:
        vec = getattr(p, "vector", None)
        if vec is not None:
            if vec.name not in vectors:
                vectors[vec.name] = PV(vec.name, len(vec))
            mapping[p] = vectors[vec.name][p.index]
        else:
            mapping[p] = P(p.name)
    return qc.assign_parameters(mapping)


def to_standard(qc: QuantumCircuit) -> QuantumCircuit:
    """Unroll everything outside STANDARD_GATES (library blocks, UnitaryGate) into standard gates."""
    out = transpile(qc, basis_gates=STANDARD_GATES, optimization_level=0, seed_transpiler=7)
    out.name = qc.name
    return out


# ------------------------------------------------------------------------------------------------
# Case registry


class Case:
    def __init__(self, name, qc, *, bind=None, dynamic=False, transpiled=False, target=None,
                 matrix="auto", reduced_qubits=None, notes=None, matrix_circuit=None):
        self.name = name
        self.qc = qc
        self.bind = bind
        self.dynamic = dynamic
        self.transpiled = transpiled
        self.target = target
        self.matrix = matrix  # "auto" | "unitary" | "statevector" | None
        self.reduced_qubits = reduced_qubits
        self.notes = notes
        # A circuit to compute the matrix from instead of qc (e.g. qc without leading resets).
        self.matrix_circuit = matrix_circuit


CASES: list[Case] = []


def case(name, qc, **kw):
    qc.name = name
    CASES.append(Case(name, qc, **kw))
    return qc


# ------------------------------------------------------------------------------------------------
# Small library circuits


def build_basic_cases():
    qc = QuantumCircuit(2, 2, name="bell")
    qc.metadata = {"purpose": "corpus", "shots_hint": 1024}
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    case("bell", qc)

    qc = QuantumCircuit(QuantumRegister(5, "q"), ClassicalRegister(5, "meas"), name="ghz_5")
    qc.h(0)
    for i in range(4):
        qc.cx(i, i + 1)
    qc.barrier()
    qc.measure(range(5), range(5))
    case("ghz_5", qc)

    qft = QuantumCircuit(4, name="qft_4")
    qft.append(lib.QFTGate(4), range(4))
    qft = to_standard(qft)
    case("qft_4", qft)

    qv = lib.quantum_volume(4, seed=11)
    # Synthesis into the full standard basis is not deterministic (it picks among equal-cost
    # bases in hash order); one fixed basis is.
    qv = transpile(qv, basis_gates=["u", "cx"], optimization_level=0, seed_transpiler=7)
    qv.name = "quantum_volume_4"
    case("quantum_volume_4", qv)

    su2 = fix_parameter_uuids(lib.efficient_su2(3, reps=2, parameter_prefix="θ"))
    su2.name = "efficient_su2_3"
    rng = np.random.default_rng(3)
    bind = [float(v) for v in rng.uniform(-math.pi, math.pi, su2.num_parameters)]
    case("efficient_su2_3", su2, bind=bind)


# ------------------------------------------------------------------------------------------------
# Parameters and expressions


def build_parameter_cases():
    b, a, angle_10, angle_2 = P("b"), P("a"), P("angle_10"), P("angle_2")
    upper, theta = P("Z"), P("θ")
    x = PV("x", 11)
    qc = QuantumCircuit(3, name="param_order")
    # Append in an order different from Qiskit's sorted order.
    qc.rz(b, 0)
    qc.rx(x[10], 1)
    qc.ry(angle_10, 2)
    qc.rz(x[2], 0)
    qc.rx(a, 1)
    qc.ry(angle_2, 2)
    qc.p(upper, 0)
    qc.p(theta, 1)
    for i in (0, 1, 3, 4, 5, 6, 7, 8, 9):
        qc.rz(x[i], i % 3)
    qc.cx(0, 1)
    qc.cx(1, 2)
    names = [str(p) for p in qc.parameters]
    values = {n: 0.1 * (k + 1) - 0.55 for k, n in enumerate(sorted(names))}
    case("param_order", qc, bind=[values[n] for n in names])

    # Every expression operation QPY carries, with values inside each function's domain.
    a, b, c = P("a"), P("b"), P("c")
    x = PV("x", 4)
    exprs = [
        2 * a + 1,
        (2 * a + 1).sin(),
        b.sin(),
        a * b - x[3],
        a ** 2,
        -a,
        a.exp(),
        (a + 2).log(),
        (a - 5).abs(),
        b.arctan(),
        (a / 4).tan(),
        c.cos(),
        (a / 4).arcsin(),
        (b / 4).arccos(),
        a / b,
        1 - a,
        2 / a,
        2 ** a,
        a ** b,
        a - b,
        (a - b).sign(),
        x[0] * x[1] + x[2],
        (a * 1j).conjugate() * 1j,  # conjugate of an imaginary expression, real again
        3.5 * c - a / 2,
    ]
    qc = QuantumCircuit(3, name="param_exprs")
    for k, e in enumerate(exprs):
        gate = ("rz", "rx", "ry", "p")[k % 4]
        getattr(qc, gate)(e, k % 3)
        if k % 5 == 4:
            qc.cx(k % 3, (k + 1) % 3)
    qc.global_phase = a / 2 + 0.25
    names = [str(p) for p in qc.parameters]
    bind = {"a": 0.7, "b": 1.3, "c": -0.4, "x[0]": 0.11, "x[1]": -0.23, "x[2]": 0.37,
            "x[3]": 0.41}
    case("param_exprs", qc, bind=[bind[n] for n in names])

    # Gates of every parameter count with parameters, and parameterized two-qubit gates.
    t = PV("t", 12)
    qc = QuantumCircuit(3, name="param_gates")
    qc.u(t[0], t[1], t[2], 0)
    qc.r(t[3], t[4], 1)
    qc.cu(t[5], t[6], t[7], t[8], 0, 2)
    qc.rzz(t[9], 0, 1)
    qc.append(lib.XXPlusYYGate(t[10], t[11]), [1, 2])
    qc.crx(t[0] + t[1], 2, 0)
    bind = [0.3 + 0.17 * i for i in range(12)]
    case("param_gates", qc, bind=bind)


# ------------------------------------------------------------------------------------------------
# Every standard gate


def std_gate_instances():
    """(gate, num_qubits) for every standard gate, with numeric angles."""
    G = lib
    return [
        (G.IGate(), 1), (G.XGate(), 1), (G.YGate(), 1), (G.ZGate(), 1), (G.HGate(), 1),
        (G.SGate(), 1), (G.SdgGate(), 1), (G.TGate(), 1), (G.TdgGate(), 1), (G.SXGate(), 1),
        (G.SXdgGate(), 1), (G.RXGate(0.1), 1), (G.RYGate(0.2), 1), (G.RZGate(0.3), 1),
        (G.PhaseGate(0.4), 1), (G.RGate(0.5, 0.6), 1), (G.UGate(0.7, 0.8, 0.9), 1),
        (G.U1Gate(1.0), 1), (G.U2Gate(1.1, 1.2), 1), (G.U3Gate(1.3, 1.4, 1.5), 1),
        (G.CXGate(), 2), (G.CYGate(), 2), (G.CZGate(), 2), (G.CHGate(), 2), (G.CSGate(), 2),
        (G.CSdgGate(), 2), (G.CSXGate(), 2), (G.CRXGate(1.6), 2), (G.CRYGate(1.7), 2),
        (G.CRZGate(1.8), 2), (G.CPhaseGate(1.9), 2), (G.CUGate(2.0, 2.1, 2.2, 2.3), 2),
        (G.CU1Gate(2.4), 2), (G.CU3Gate(2.5, 2.6, 2.7), 2),
        (G.SwapGate(), 2), (G.iSwapGate(), 2), (G.ECRGate(), 2), (G.DCXGate(), 2),
        (G.RXXGate(2.8), 2), (G.RYYGate(2.9), 2), (G.RZZGate(3.0), 2), (G.RZXGate(-0.1), 2),
        (G.XXMinusYYGate(-0.2, -0.3), 2), (G.XXPlusYYGate(-0.4, -0.5), 2),
        (G.CCXGate(), 3), (G.CCZGate(), 3), (G.CSwapGate(), 3), (G.RCCXGate(), 3),
        (G.C3XGate(), 4), (G.C3SXGate(), 4), (G.RC3XGate(), 4),
        (G.GlobalPhaseGate(0.25), 0),
    ]


def build_standard_gate_cases():
    gates = std_gate_instances()
    # All of them in one 4-qubit circuit (matrix compared as a whole) ...
    # (GlobalPhaseGate is left out of it: Qiskit exports it as a zero-qubit gate, which is not
    # valid OpenQASM 3; it has its own case, gate_global_phase.)
    qc = QuantumCircuit(4, name="std_gates_all")
    qc.global_phase = -0.3
    for k, (g, n) in enumerate(gates):
        if n == 0:
            continue
        qubits = [(k + i) % 4 for i in range(n)]
        qc.append(g, qubits)
    case("std_gates_all", qc)
    # ... and one small circuit per gate, so a wrong matrix is pinned to its gate. Reversed qubit
    # order for multi-qubit gates to catch endianness mistakes.
    for g, n in gates:
        width = max(n, 1)
        qc = QuantumCircuit(width, name=f"gate_{g.name}")
        qc.append(g, list(reversed(range(n))))
        case(f"gate_{g.name}", qc)
    # Multi-controlled X forms that QPY carries.
    for ctrl in (4, 5):
        qc = QuantumCircuit(ctrl + 1, name=f"mcx_{ctrl}")
        qc.mcx(list(range(ctrl)), ctrl)
        case(f"mcx_{ctrl}", qc, matrix="unitary")  # a statevector of |0..0> would say nothing
    for cls in ("MCXGrayCode", "MCXRecursive", "MCXVChain"):
        if not hasattr(lib, cls):
            continue
        try:
            g = getattr(lib, cls)(3)
        except Exception as err:  # deprecated or removed in this Qiskit
            print(f"note: {cls}(3) unavailable: {err}", file=sys.stderr)
            continue
        qc = QuantumCircuit(g.num_qubits, name=f"mcx_{cls.lower()}")
        qc.append(g, range(g.num_qubits))
        case(f"mcx_{cls.lower()}", qc)


# ------------------------------------------------------------------------------------------------
# Random circuits


def build_random_cases():
    for seed, (n, depth) in enumerate([(3, 5), (4, 6), (5, 8), (6, 10), (4, 10), (3, 7)], start=100):
        qc = random_circuit(n, depth, max_operands=3, measure=False, seed=seed)
        qc = to_standard(qc)
        qc.name = f"random_{n}q_d{depth}_s{seed}"
        case(qc.name, qc)


# ------------------------------------------------------------------------------------------------
# Non-unitary instructions, custom gates, dynamic circuits


def build_structure_cases():
    qc = QuantumCircuit(2, name="global_phase_numeric")
    qc.global_phase = 0.75
    qc.h(0)
    qc.cx(0, 1)
    case("global_phase_numeric", qc)

    phi = P("phi")
    qc = QuantumCircuit(2, name="global_phase_symbolic")
    qc.global_phase = 2 * phi - 0.5
    qc.rx(phi, 0)
    qc.cz(0, 1)
    case("global_phase_symbolic", qc, bind=[0.9])

    qc = QuantumCircuit(3, 3, name="barrier_delay")
    qc.h(0)
    qc.barrier()
    qc.delay(160, 0, unit="dt")
    qc.cx(0, 1)
    qc.barrier([1, 2])
    qc.delay(32, [1, 2], unit="dt")
    qc.cx(1, 2)
    qc.measure(range(3), range(3))
    case("barrier_delay", qc)

    # QPY does not store a delay's unit (reference pitfall P4): the ns and us delays below come
    # back from QPY as 35 dt and 1.5 dt, and Qiskit's own qpy.load refuses the latter.
    qc = QuantumCircuit(3, name="delay_units")
    qc.h(0)
    qc.delay(35, 1, unit="ns")
    qc.delay(1.5, 2, unit="us")
    qc.delay(0.25, 0, unit="ms")
    qc.delay(2e-7, 1, unit="s")
    qc.cx(0, 1)
    case("delay_units", qc, notes="QPY stores no delay unit: durations 35 (ns), 1.5 (us), 0.25 "
                                  "(ms), 2e-07 (s) read back as dt; QASM3 keeps the units")

    qc = QuantumCircuit(2, 2, name="reset_measure")
    qc.reset(0)
    qc.reset(1)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure(0, 0)
    qc.reset(0)
    qc.x(0)
    qc.measure(1, 1)
    case("reset_measure", qc, matrix=None, dynamic=True,
         notes="mid-circuit measure and reset: no matrix")

    qc = QuantumCircuit(2, name="reset_initial")
    qc.reset([0, 1])
    qc.h(0)
    qc.cx(0, 1)
    qc.t(1)
    mc = QuantumCircuit(2)
    mc.h(0)
    mc.cx(0, 1)
    mc.t(1)
    case("reset_initial", qc, matrix="statevector", matrix_circuit=mc,
         notes="statevector of |00> through the circuit (the leading resets act trivially)")

    # A user-defined gate from a subcircuit; a parameterized one; one that uses another.
    sub = QuantumCircuit(2, name="my_entangler")
    sub.h(0)
    sub.cx(0, 1)
    sub.rz(0.3, 1)
    ent = sub.to_gate()
    theta = P("theta")
    psub = QuantumCircuit(2, name="my_rot")
    psub.ry(theta, 0)
    psub.crz(2 * theta, 0, 1)
    rot = psub.to_gate()
    nsub = QuantumCircuit(3, name="my_outer")
    nsub.append(ent, [0, 1])
    nsub.append(rot, [1, 2])  # keeps theta symbolic
    outer = nsub.to_gate()
    qc = QuantumCircuit(3, name="custom_gates")
    qc.append(ent, [0, 1])
    qc.append(ent, [2, 1])
    qc.append(lib.RZGate(0.2), [2])
    rot_bound = psub.assign_parameters({theta: 0.45}).to_gate()
    rot_bound.name = "my_rot"
    qc.append(rot_bound, [1, 2])
    qc.append(outer, [2, 0, 1])
    case("custom_gates", qc, bind=[0.8] if qc.parameters else None)

    # Dynamic circuits: if_else on a clbit and on a register value.
    qr, cr = QuantumRegister(2, "q"), ClassicalRegister(2, "c")
    qc = QuantumCircuit(qr, cr, name="dynamic_if_clbit")
    qc.h(0)
    qc.measure(0, 0)
    with qc.if_test((cr[0], 1)) as else_:
        qc.x(1)
    with else_:
        qc.h(1)
    qc.measure(1, 1)
    case("dynamic_if_clbit", qc, dynamic=True, matrix=None)

    qr, cr, out = QuantumRegister(3, "q"), ClassicalRegister(2, "m"), ClassicalRegister(1, "out")
    qc = QuantumCircuit(qr, cr, out, name="dynamic_if_register")
    qc.h([0, 1])
    qc.measure([0, 1], cr)
    with qc.if_test((cr, 2)):
        qc.x(2)
        qc.rz(0.5, 2)
    with qc.if_test((cr, 3)):
        qc.h(2)
    with qc.if_test((cr[1], 0)):
        qc.sx(2)
    qc.measure(2, out[0])
    case("dynamic_if_register", qc, dynamic=True, matrix=None)

    # Feed-forward reset-like teleport pattern with a register of the full circuit.
    qr, c0, c1 = QuantumRegister(3, "q"), ClassicalRegister(1, "c0"), ClassicalRegister(1, "c1")
    qc = QuantumCircuit(qr, c0, c1, name="dynamic_teleport")
    qc.ry(0.8, 0)
    qc.h(1)
    qc.cx(1, 2)
    qc.cx(0, 1)
    qc.h(0)
    qc.measure(0, c0[0])
    qc.measure(1, c1[0])
    with qc.if_test((c1, 1)):
        qc.x(2)
    with qc.if_test((c0, 1)):
        qc.z(2)
    case("dynamic_teleport", qc, dynamic=True, matrix=None)


# ------------------------------------------------------------------------------------------------
# Transpiled (ISA) circuits


def reduce_to_used_qubits(qc: QuantumCircuit):
    """The circuit on its used qubits only (sorted), without barriers, and the list of them."""
    used = set()
    for inst in qc.data:
        if inst.operation.name == "barrier":
            continue
        for q in inst.qubits:
            used.add(qc.find_bit(q).index)
    used = sorted(used)
    index = {q: i for i, q in enumerate(used)}
    red = QuantumCircuit(len(used), qc.num_clbits, global_phase=qc.global_phase)
    for inst in qc.data:
        if inst.operation.name == "barrier":
            continue
        qs = [red.qubits[index[qc.find_bit(q).index]] for q in inst.qubits]
        cs = [red.clbits[qc.find_bit(c).index] for c in inst.clbits]
        red.append(inst.operation, qs, cs)
    return red, used


def build_transpiled_cases():
    sources = {c.name: c for c in CASES}
    backends = [
        ("fake_brisbane", fake_provider.FakeBrisbane(), ["ghz_5", "qft_4", "efficient_su2_3",
                                                         "efficient_su2_3_bound", "bell"]),
        ("fake_torino", fake_provider.FakeTorino(), ["ghz_5", "qft_4", "efficient_su2_3_bound"]),
        ("fake_manila", fake_provider.FakeManilaV2(), ["ghz_5", "qft_4"]),
    ]
    su2 = sources["efficient_su2_3"]
    bound = su2.qc.assign_parameters(su2.bind)
    bound.name = "efficient_su2_3_bound"
    sources["efficient_su2_3_bound"] = Case("efficient_su2_3_bound", bound)
    for target, backend, names in backends:
        pm = generate_preset_pass_manager(optimization_level=1, backend=backend,
                                          seed_transpiler=1234)
        for name in names:
            src = sources[name]
            isa = pm.run(src.qc)
            short = target.removeprefix("fake_")
            isa.name = f"{name}_isa_{short}"
            _, used = reduce_to_used_qubits(isa)
            case(isa.name, isa, bind=src.bind, transpiled=True, target=target,
                 reduced_qubits=used)


# ------------------------------------------------------------------------------------------------
# Writing


def complex_json(vec) -> list:
    return [[float(z.real), float(z.imag)] for z in vec]


def strip_for_matrix(qc: QuantumCircuit) -> QuantumCircuit:
    out = qc.remove_final_measurements(inplace=False)
    return out


def check_qpy_roundtrip(c: Case, entry: dict, out_dir: str, kind, data):
    """Self-check: Qiskit reads each QPY file back to the same parameters and matrix. Failures
    are recorded in the entry ("qpy_load_errors"), never silently kept."""
    errors = {}
    for version, fname in entry["qpy"].items():
        try:
            with open(os.path.join(out_dir, fname), "rb") as f:
                back = qpy.load(f)[0]
            names = [str(p) for p in back.parameters]
            if names != entry["parameters"]:
                raise ValueError(f"parameters {names} != {entry['parameters']}")
            if kind is not None:
                bound = back.assign_parameters(entry["bind"]) if names else back
                other = Case(c.name, bound, matrix=kind, reduced_qubits=c.reduced_qubits,
                             matrix_circuit=c.matrix_circuit)
                _, got = compute_matrix(other, bound)
                if not np.allclose(np.array(got["data"]), np.array(data["data"]), atol=1e-10):
                    raise ValueError("Qiskit's load of it gives a different matrix")
        except Exception as err:
            errors[version] = f"{type(err).__name__}: {err}".splitlines()[0]
    if errors:
        entry["qpy_load_errors"] = errors
        print(f"note: {c.name}: qiskit cannot read back: {errors}", file=sys.stderr)


def compute_matrix(c: Case, qc_bound: QuantumCircuit):
    """('unitary'|'statevector'|None, data dict) for the case."""
    if c.matrix is None:
        return None, None
    src = c.matrix_circuit if c.matrix_circuit is not None else qc_bound
    src = strip_for_matrix(src)
    if c.reduced_qubits is not None:
        src, used = reduce_to_used_qubits(src)
        assert used == c.reduced_qubits, (used, c.reduced_qubits)
        src = strip_for_matrix(src)
    n = src.num_qubits
    kind = c.matrix
    if kind == "auto":
        kind = "unitary" if n <= MAX_UNITARY_QUBITS else "statevector"
    if kind == "statevector" and n > MAX_STATEVECTOR_QUBITS:
        return None, None
    if kind == "unitary":
        data = Operator(src).data
        return "unitary", {"dim": int(data.shape[0]), "data": complex_json(data.reshape(-1))}
    sv = Statevector(src).data
    return "statevector", {"dim": int(sv.shape[0]), "data": complex_json(sv)}


@contextlib.contextmanager
def deterministic_uuid4(key: str):
    """uuid.uuid4 drawn from a generator seeded by `key` (Qiskit's Python QPY writer, v13-16,
    suffixes custom gate names with uuid4().hex)."""
    rng = random.Random(zlib.crc32(key.encode()))
    saved = uuid.uuid4
    uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)
    try:
        yield
    finally:
        uuid.uuid4 = saved


def _same_circuit(old: bytes, new: bytes) -> bool:
    """True when two QPY streams come from the same Qiskit release and decode to equal circuits."""
    if old[:10] != new[:10]:  # magic, QPY version, Qiskit version
        return False
    try:
        a = qpy.load(io.BytesIO(old))
        b = qpy.load(io.BytesIO(new))
    except Exception:
        return False
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x != y or [str(p) for p in x.parameters] != [str(p) for p in y.parameters]:
            return False
        if x.global_phase != y.global_phase or x.metadata != y.metadata or x.name != y.name:
            return False
    return True


def write_qpy(path, data: bytes):
    """Writes QPY bytes, keeping an existing file that decodes to the same circuit.

    Qiskit's Rust QPY writer (v17+) and its parameter expressions iterate hash maps and draw
    random UUIDs for custom gate names, so two runs can give different bytes for the same circuit.
    Keeping the existing file makes regeneration reproducible (no churn in git)."""
    if KEEP_EQUIVALENT and os.path.exists(path):
        with open(path, "rb") as f:
            old = f.read()
        if old == data or _same_circuit(old, data):
            return
    write_bytes(path, data)


def _runtime_qpy(text: str) -> bytes:
    return zlib.decompress(base64.standard_b64decode(json.loads(text)["__value__"]))


def write_runtime_json(path, text: str):
    """Like write_qpy, for the RuntimeEncoder JSON value."""
    if KEEP_EQUIVALENT and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
        try:
            if old == text or _same_circuit(_runtime_qpy(old), _runtime_qpy(text)):
                return
        except Exception:
            pass
    write_text(path, text)


def check_qasm(key: str, text: str):
    """None if a reference parser accepts the text, else why not."""
    try:
        if key == "qasm3":
            import openqasm3  # the reference OpenQASM 3 parser (needed by qiskit-qasm3-import)
            openqasm3.parse(text)
        else:
            qasm2.loads(text, custom_instructions=qasm2.LEGACY_CUSTOM_INSTRUCTIONS)
    except Exception as err:
        cause = err.__cause__ or err
        return (f"Qiskit's export is rejected by the reference parser: "
                f"{type(cause).__name__}: {cause}".splitlines()[0])
    return None


def _same_qasm(old: str, new: str) -> bool:
    """Qiskit's QASM3 exporter prints symbolic expressions inside gate definitions in hash order
    ("0.5*p1 + 0.5*p2" or "0.5*p2 + 0.5*p1"); treat such texts as the same when they parse to
    circuits with the same operator."""
    try:
        a, b = qasm3.loads(old), qasm3.loads(new)
        if a == b:
            return True
        if a.num_qubits > 8 or a.parameters or b.parameters:
            return False
        ua = Operator(a.remove_final_measurements(inplace=False))
        ub = Operator(b.remove_final_measurements(inplace=False))
        return ua == ub
    except Exception:
        return False


def write_qasm(path, text: str):
    if KEEP_EQUIVALENT and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = f.read()
        if old == text or (path.endswith(".qasm") and _same_qasm(old, text)):
            return
    write_text(path, text)


def same_matrix(path: str, data: dict) -> bool:
    if not os.path.exists(path):
        return False
    with open(path, encoding="utf-8") as f:
        old = json.load(f)
    return old["dim"] == data["dim"] and np.allclose(
        np.array(old["data"]), np.array(data["data"]), rtol=0, atol=1e-12)


def write_bytes(path, data: bytes):
    with open(path, "wb") as f:
        f.write(data)


def write_text(path, text: str):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def emit_case(c: Case, out_dir: str, versions=None, reuse_matrix_of=None) -> dict:
    """Writes the case's files; returns its manifest entry. `versions`: the QPY versions to write
    (default all); `reuse_matrix_of`: a case name whose matrix file to reference instead of
    writing an equal one."""
    qc = c.qc
    entry = {
        "name": c.name,
        "num_qubits": qc.num_qubits,
        "num_clbits": qc.num_clbits,
        "num_instructions": len(qc.data),
        "qpy": {},
    }
    errors = {}
    for version in range(qpy.QPY_COMPATIBILITY_VERSION, qpy.QPY_VERSION + 1):
        if version < 13 or (versions is not None and version not in versions):
            continue
        buf = io.BytesIO()
        try:
            with deterministic_uuid4(f"{c.name}.v{version}"):
                qpy.dump(qc, buf, version=version)
        except Exception as err:  # record and skip
            errors[str(version)] = f"{type(err).__name__}: {err}"
            continue
        fname = f"{c.name}.v{version}.qpy"
        write_qpy(os.path.join(out_dir, fname), buf.getvalue())
        entry["qpy"][str(version)] = fname
    if errors:
        entry["qpy_errors"] = errors

    fname = f"{c.name}.runtime.json"
    with deterministic_uuid4(f"{c.name}.runtime"):
        write_runtime_json(os.path.join(out_dir, fname), json.dumps(qc, cls=RuntimeEncoder))
    entry["runtime_value"] = fname

    for key, dumper, ext in (("qasm3", qasm3.dumps, "qasm"), ("qasm2", qasm2.dumps, "qasm2")):
        if key == "qasm2" and any(i.operation.name == "delay" for i in qc.data):
            # Qiskit writes "opaque delay_<python id>(param0) q0;": not meaningful, not stable.
            entry["qasm2_error"] = "skipped: OpenQASM 2 has no delay (Qiskit emits opaque delay_<id>)"
            continue
        try:
            text = dumper(qc)
        except Exception as err:
            entry[f"{key}_error"] = f"{type(err).__name__}: {err}".splitlines()[0]
            continue
        fname = f"{c.name}.{ext}"
        text = text if text.endswith("\n") else text + "\n"
        problem = check_qasm(key, text)
        if problem:
            # Keep Qiskit's text for negative tests, but not as a case readers must accept.
            fname = f"{c.name}.invalid.{ext}"
            entry[f"{key}_invalid"] = fname
            entry[f"{key}_error"] = problem
        else:
            entry[key] = fname
        if key == "qasm3" and qc.parameters:
            # The exporter renames what is not a valid identifier (x[0] -> _x_0_); its inputs
            # come in circuit.parameters order.
            entry["qasm3_parameters"] = re.findall(r"^input float\[64\] (\S+);", text, re.M)
        write_qasm(os.path.join(out_dir, fname), text)

    names = [str(p) for p in qc.parameters]
    entry["parameters"] = names
    entry["bind"] = list(c.bind) if c.bind is not None else []
    assert len(entry["bind"]) == len(names), (c.name, names, c.bind)
    qc_bound = qc.assign_parameters(c.bind) if names else qc
    entry["reduced_qubits"] = (list(c.reduced_qubits) if c.reduced_qubits is not None
                               else list(range(qc.num_qubits)))
    if names:
        entry["global_phase"] = float(qc_bound.global_phase)
    else:
        entry["global_phase"] = float(qc.global_phase)
    kind, data = compute_matrix(c, qc_bound)
    check_qpy_roundtrip(c, entry, out_dir, kind, data)
    if kind is not None:
        suffix = "unitary.json" if kind == "unitary" else "sv.json"
        fname = f"{c.name}.{suffix}"
        other = f"{reuse_matrix_of}.{suffix}" if reuse_matrix_of else None
        if other and same_matrix(os.path.join(out_dir, other), data):
            fname = other
        else:
            write_text(os.path.join(out_dir, fname),
                       json.dumps(data, separators=(",", ":")) + "\n")
        entry[kind] = fname
    entry["dynamic"] = bool(c.dynamic)
    entry["transpiled"] = bool(c.transpiled)
    if c.target:
        entry["target"] = c.target
    if c.notes:
        entry["notes"] = c.notes
    return entry


BACKENDS = [("fake_brisbane", "brisbane"), ("fake_torino", "torino"), ("fake_manila", "manila")]


def emit_backends(out_dir: str) -> list:
    base = os.path.join(os.path.dirname(fake_provider.__file__), "backends")
    bdir = os.path.join(out_dir, "backends")
    os.makedirs(bdir, exist_ok=True)
    listed = []
    for name, short in BACKENDS:
        for kind, prefix in (("configuration", "conf"), ("properties", "props")):
            src = os.path.join(base, short, f"{prefix}_{short}.json")
            dst = os.path.join(bdir, f"{name}.{kind}.json")
            shutil.copyfile(src, dst)
        listed.append(name)
    return listed


# Cases also generated with older Qiskit releases (--legacy): other QPY writers (the Python writer
# for v17 before 2.4, v14 as Qiskit 2.0 + its runtime client send it) and other exporters.
LEGACY_CASES = [
    "bell", "ghz_5", "qft_4", "efficient_su2_3", "param_order", "param_exprs", "param_gates",
    "std_gates_all", "custom_gates", "global_phase_symbolic", "barrier_delay",
    "dynamic_if_clbit", "dynamic_if_register", "ghz_5_isa_brisbane",
    "efficient_su2_3_isa_brisbane", "qft_4_isa_torino",
]

OUTPUT_SUFFIXES = (".qpy", ".qasm", ".qasm2", ".runtime.json", ".unitary.json", ".sv.json")


def referenced_files(entries) -> set:
    files = set()
    for e in entries:
        files.update(e["qpy"].values())
        files.update(e[k] for k in ("runtime_value", "qasm3", "qasm2", "qasm3_invalid",
                                    "qasm2_invalid", "unitary", "statevector") if k in e)
    return files


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=HERE, help="output folder (default: tests/corpus)")
    ap.add_argument("--fresh", action="store_true",
                    help="rewrite every file, even one that decodes to the same circuit")
    ap.add_argument("--legacy", action="store_true",
                    help="write only LEGACY_CASES, named <case>__qiskit_X_Y_Z, and the manifest "
                         "fragment manifest.qiskit-X.Y.Z.json that the main run merges")
    args = ap.parse_args()
    global KEEP_EQUIVALENT
    KEEP_EQUIVALENT = not args.fresh
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    tag = "__qiskit_" + qiskit.__version__.replace(".", "_")
    before = {f for f in os.listdir(out_dir) if f.endswith(OUTPUT_SUFFIXES)}
    if args.legacy:
        before = {f for f in before if tag + "." in f}
    else:
        before = {f for f in before if "__qiskit_" not in f}

    warnings.simplefilter("ignore", DeprecationWarning)
    np.random.seed(0)
    for build in (build_basic_cases, build_parameter_cases, build_standard_gate_cases,
                  build_random_cases, build_structure_cases, build_transpiled_cases):
        build()

    selected = CASES
    if args.legacy:
        selected = [c for c in CASES if c.name in LEGACY_CASES]
    seen = set()
    entries = []
    for c in selected:
        assert c.name not in seen, c.name
        seen.add(c.name)
        if args.legacy:
            # Only the version this release's runtime client sends; the matrix of the main case
            # when equal (the main run's files must exist: scripts/gen-corpus runs it first).
            base = c.name
            c.name += tag
            entry = emit_case(c, out_dir, versions={json_runtime_qpy_version()},
                              reuse_matrix_of=base)
        else:
            entry = emit_case(c, out_dir)
        entry["qiskit_version"] = qiskit.__version__
        entries.append(entry)
        print(f"{c.name}: {len(entry['qpy'])} qpy versions", file=sys.stderr)

    versions = {
        "qiskit_version": qiskit.__version__,
        "qiskit_ibm_runtime_version": qiskit_ibm_runtime.__version__,
        "numpy_version": np.__version__,
        "qpy_versions": list(range(13, qpy.QPY_VERSION + 1)),
        "runtime_qpy_version": json_runtime_qpy_version(),
    }
    if args.legacy:
        fragment = dict(versions, cases=entries)
        write_text(os.path.join(out_dir, f"manifest.qiskit-{qiskit.__version__}.json"),
                   json.dumps(fragment, indent=1) + "\n")
    else:
        legacy = []
        for fname in sorted(os.listdir(out_dir)):
            if fname.startswith("manifest.qiskit-") and fname.endswith(".json"):
                with open(os.path.join(out_dir, fname), encoding="utf-8") as f:
                    frag = json.load(f)
                legacy.append({k: v for k, v in frag.items() if k != "cases"})
                entries.extend(frag["cases"])
        manifest = {"generator": "tests/corpus/generate.py", **versions,
                    "legacy": legacy, "backends": emit_backends(out_dir), "cases": entries}
        write_text(os.path.join(out_dir, "manifest.json"), json.dumps(manifest, indent=1) + "\n")
    # Remove outputs of cases that no longer exist.
    for fname in sorted(before - referenced_files(entries)):
        os.remove(os.path.join(out_dir, fname))
    return 0


def json_runtime_qpy_version() -> int:
    """The QPY version RuntimeEncoder writes with these packages."""
    qc = QuantumCircuit(1, name="probe")
    value = json.loads(json.dumps(qc, cls=RuntimeEncoder))["__value__"]
    return zlib.decompress(base64.standard_b64decode(value))[6]


if __name__ == "__main__":
    sys.exit(main())
