"""The real Qiskit client reads our backend JSON (ctest label python).

usage: check_backend_json.py DUMP_TOOL OUT_DIR

Runs DUMP_TOOL (qrt_backends_dump_json) to write every default backend's configuration and
properties JSON into OUT_DIR, then does with each what qiskit-ibm-runtime's IBMBackend does
(configuration_from_server_data, properties_from_server_data, convert_to_target) and transpiles
a Bell and a GHZ circuit for the resulting Target with generate_preset_pass_manager. Fails on any
warning-swallowed decode failure, a target that differs from the JSON's shape, or a transpiled
circuit that is not ISA for the target.
"""

import json
import subprocess
import sys
import warnings
from pathlib import Path

from qiskit import QuantumCircuit
from qiskit.transpiler import generate_preset_pass_manager
from qiskit_ibm_runtime.utils.backend_converter import convert_to_target
from qiskit_ibm_runtime.utils.backend_decoder import (
    configuration_from_server_data,
    properties_from_server_data,
)
from qiskit_ibm_runtime.utils.utils import is_isa_circuit


def bell():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def ghz(n):
    qc = QuantumCircuit(n)
    qc.h(0)
    for i in range(n - 1):
        qc.cx(i, i + 1)
    qc.measure_all()
    return qc


def check(out_dir: Path, name: str, simulator: bool) -> None:
    raw_config = json.loads((out_dir / f"{name}.configuration.json").read_text())
    raw_props = json.loads((out_dir / f"{name}.properties.json").read_text())
    config = configuration_from_server_data(raw_config)
    assert config is not None, f"{name}: the client refused the configuration (see its log)"
    assert config.backend_name == name
    assert config.simulator == simulator, f"{name}: simulator flag"
    assert config.max_shots == 100000
    props = None
    if simulator:
        assert raw_props == {}, f"{name}: a simulator serves no properties"
    else:
        props = properties_from_server_data(raw_props)
        assert props is not None
        assert len(props.qubits) == config.n_qubits
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a dropped instruction warns: that is a failure here
        target = convert_to_target(configuration=config, properties=props)
    assert target.num_qubits == config.n_qubits, f"{name}: {target.num_qubits} qubits"
    for op in ("measure", "reset", "delay"):
        assert op in target.operation_names, f"{name}: {op} missing"
    if not simulator:
        two_q = "cz" if "cz" in config.basis_gates else "ecr"
        assert sorted(config.basis_gates) == sorted([two_q, "id", "rz", "sx", "x"]), (
            f"{name}: basis {config.basis_gates}"
        )
        assert "if_else" in target.operation_names, f"{name}: no dynamic circuits"
        edges = set(target[two_q].keys())
        undirected = {tuple(sorted(e)) for e in edges}
        if two_q == "ecr":
            assert len(edges) == len(undirected), f"{name}: ECR in both directions"
        else:
            assert len(edges) == 2 * len(undirected), f"{name}: CZ not symmetric"
        q0 = target.qubit_properties[0]
        assert q0.t1 and q0.t1 > 0 and q0.t2 and q0.t2 <= 2 * q0.t1 + 1e-12, f"{name}: T1/T2"
        assert target["sx"][(0,)].error > 0 and target["sx"][(0,)].duration > 0
        assert target["rz"][(0,)].error == 0 and target["rz"][(0,)].duration == 0
        assert target["measure"][(0,)].error > 0
    width = min(config.n_qubits, 12)
    pm = generate_preset_pass_manager(optimization_level=1, target=target, seed_transpiler=7)
    for circuit in (bell(), ghz(width)):
        isa = pm.run(circuit)
        assert is_isa_circuit(isa, target) == "", f"{name}: {is_isa_circuit(isa, target)}"
    print(f"ok {name}: {config.n_qubits} qubits, {len(target.operation_names)} operations")


def main() -> int:
    tool, out_dir = sys.argv[1], Path(sys.argv[2])
    subprocess.run([tool, str(out_dir)], check=True)
    lines = (out_dir / "backends.txt").read_text().split("\n")
    backends = [line.split() for line in lines if line.strip()]
    assert len(backends) == 5, backends
    for name, sim in backends:
        check(out_dir, name, sim == "1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
