"""Results checked against Qiskit's own reference values.

* Estimator on the ideal simulator: exact (Statevector.expectation_value), to 1e-10, stds 0,
  including broadcasting of observables against parameter sets.
* Sampler on the ideal simulator: a chi-square test of the counts against Statevector
  probabilities; reproducible with a seed.
* The sampler's data layout as Qiskit defines it: one BitArray per classical register, named
  after it, num_bits, byte packing, get_counts keys (highest bit first), parametrised PUB shapes.
* Noisy emulated devices: Bell-state statistics with visible but bounded noise; readout
  mitigation (resilience level 1) moves the estimate towards the exact value.
"""

from __future__ import annotations

import numpy as np
import pytest
from qiskit.circuit import ClassicalRegister, Parameter, QuantumCircuit, QuantumRegister
from qiskit.circuit.library import efficient_su2
from qiskit.circuit.random import random_circuit
from qiskit.primitives import BitArray
from qiskit.quantum_info import SparsePauliOp, Statevector
from qiskit_ibm_runtime import EstimatorV2, SamplerV2
from scipy.stats import chisquare

from qrt_testing import DEV, DEV27, SIM, bell, isa


def exact(circuit, observable, values=None) -> float:
    bound = circuit.assign_parameters(values) if values is not None else circuit
    return float(Statevector(bound).expectation_value(observable).real)


# --- Estimator, ideal

@pytest.mark.parametrize("seed", [3, 11, 29])
def test_estimator_ideal_matches_statevector(service, seed):
    circuit = random_circuit(4, 6, seed=seed)
    rng = np.random.default_rng(seed)
    labels = ["".join(rng.choice(list("IXYZ"), 4)) for _ in range(5)]
    observables = [SparsePauliOp(label) for label in labels]
    observables.append(SparsePauliOp.from_list([("ZZII", 0.5), ("IXYI", -1.25), ("YIIZ", 2.0)]))
    result = EstimatorV2(mode=service.backend(SIM)).run([(circuit, observables)]).result()
    data = result[0].data
    assert data.evs.shape == (len(observables),)
    want = [exact(circuit, obs) for obs in observables]
    np.testing.assert_allclose(data.evs, want, atol=1e-10, rtol=0)
    np.testing.assert_array_equal(data.stds, np.zeros(len(observables)))


def test_estimator_ideal_broadcasts_observables_against_parameters(service):
    ansatz = efficient_su2(3, reps=2)
    rng = np.random.default_rng(7)
    values = rng.uniform(-np.pi, np.pi, size=(4, ansatz.num_parameters))  # bindings shape (4,)
    observables = [[SparsePauliOp("ZZI")], [SparsePauliOp("XIX")]]      # shape (2, 1)
    result = EstimatorV2(mode=service.backend(SIM)).run([(ansatz, observables, values)]).result()
    evs = result[0].data.evs
    assert evs.shape == (2, 4)
    for i, row in enumerate(observables):
        for j in range(4):
            assert abs(evs[i, j] - exact(ansatz, row[0], values[j])) < 1e-10
    assert result[0].data.shape == (2, 4)


# The client deprecates per-PUB precision/shots (0.48) but still sends them: the server handles them.
@pytest.mark.filterwarnings("ignore:Specifying different:DeprecationWarning")
def test_estimator_ideal_several_pubs_and_precision_metadata(service):
    a = bell(measure=False)
    b = QuantumCircuit(1)
    b.ry(0.7, 0)
    result = EstimatorV2(mode=service.backend(SIM)).run(
        [(a, "XX"), (b, "Z", None, 0.01)]).result()
    assert len(result) == 2
    assert abs(float(result[0].data.evs) - 1.0) < 1e-10
    assert abs(float(result[1].data.evs) - np.cos(0.7)) < 1e-10
    assert result[1].metadata["target_precision"] == 0.01
    assert result[0].metadata["target_precision"] == 0.015625  # the default precision


# --- Sampler, ideal

def skewed_circuit() -> tuple[QuantumCircuit, dict[str, float]]:
    circuit = QuantumCircuit(3)
    circuit.ry(0.9, 0)
    circuit.ry(2.1, 1)
    circuit.cx(1, 2)
    circuit.rx(0.4, 2)
    probabilities = Statevector(circuit).probabilities_dict()
    circuit.measure_all()
    return circuit, probabilities


def test_sampler_ideal_counts_follow_the_statevector_distribution(service):
    circuit, probabilities = skewed_circuit()
    shots = 20000
    sampler = SamplerV2(mode=service.backend(SIM), options={"simulator": {"seed_simulator": 42}})
    counts = sampler.run([circuit], shots=shots).result()[0].data.meas.get_counts()
    assert sum(counts.values()) == shots
    keys = [k for k, p in probabilities.items() if p > 1e-12]
    assert set(counts) <= set(keys)
    observed = [counts.get(k, 0) for k in keys]
    expected = [probabilities[k] * shots for k in keys]
    statistic, p_value = chisquare(observed, expected)
    assert p_value > 1e-4, (statistic, counts, probabilities)


def test_sampler_seed_reproduces_counts(service):
    circuit, _ = skewed_circuit()
    backend = service.backend(SIM)

    def counts(seed):
        sampler = SamplerV2(mode=backend, options={"simulator": {"seed_simulator": seed}})
        return sampler.run([circuit], shots=500).result()[0].data.meas.get_counts()

    assert counts(5) == counts(5)
    assert counts(5) != counts(6)


def test_sampler_default_shots(service):
    result = SamplerV2(mode=service.backend(SIM)).run([bell()]).result()
    assert result[0].data.meas.num_shots == 4096
    sampler = SamplerV2(mode=service.backend(SIM), options={"default_shots": 123})
    assert sampler.run([bell()]).result()[0].data.meas.num_shots == 123


# --- Sampler data layout

def test_sampler_registers_num_bits_and_bit_order(service):
    qr = QuantumRegister(4, "q")
    alpha = ClassicalRegister(2, "alpha")
    beta = ClassicalRegister(10, "beta")
    circuit = QuantumCircuit(qr, alpha, beta)
    circuit.x(0)
    circuit.x(3)
    circuit.measure(0, alpha[0])   # 1
    circuit.measure(1, alpha[1])   # 0
    circuit.measure(3, beta[0])    # 1
    circuit.measure(0, beta[8])    # 1
    circuit.measure(3, beta[9])    # 1   (beta bits 1..7 never written: 0)
    result = SamplerV2(mode=service.backend(SIM)).run([circuit], shots=16).result()[0]
    data = result.data
    assert list(data.keys()) == ["alpha", "beta"]  # one field per register, in circuit order
    assert isinstance(data.alpha, BitArray) and isinstance(data.beta, BitArray)
    assert data.alpha.num_bits == 2 and data.beta.num_bits == 10
    assert data.alpha.num_shots == data.beta.num_shots == 16
    assert data.alpha.array.shape == (16, 1) and data.beta.array.shape == (16, 2)
    assert data.alpha.get_counts() == {"01": 16}
    assert data.beta.get_counts() == {"1100000001": 16}
    assert data.beta.array[0].tolist() == [0b11, 0b00000001]  # big-endian bytes
    assert data.beta.get_int_counts() == {0b1100000001: 16}


def test_sampler_measure_all_beside_an_existing_register(service):
    circuit = QuantumCircuit(2, 1)
    circuit.x(1)
    circuit.measure(1, 0)
    circuit.measure_all()
    data = SamplerV2(mode=service.backend(SIM)).run([circuit], shots=8).result()[0].data
    assert list(data.keys()) == ["c", "meas"]
    assert data.c.get_counts() == {"1": 8}
    assert data.meas.get_counts() == {"10": 8}


def test_sampler_parametrised_pub_shape(service):
    theta = Parameter("theta")
    circuit = QuantumCircuit(1)
    circuit.ry(theta, 0)
    circuit.measure_all()
    values = np.array([[0.0], [np.pi], [np.pi / 2]])
    result = SamplerV2(mode=service.backend(SIM), options={"simulator": {"seed_simulator": 1}}) \
        .run([(circuit, values, 2000)]).result()[0]
    bits = result.data.meas
    assert bits.shape == (3,)
    assert bits.array.shape == (3, 2000, 1)
    assert bits.get_counts(0) == {"0": 2000}
    assert bits.get_counts(1) == {"1": 2000}
    half = bits.get_counts(2)
    assert abs(half.get("1", 0) - 1000) < 6 * np.sqrt(500)


@pytest.mark.filterwarnings("ignore:Specifying different:DeprecationWarning")
def test_sampler_several_pubs_with_their_own_shots(service):
    result = SamplerV2(mode=service.backend(SIM)).run([(bell(), None, 10), (bell(), None, 30)]) \
        .result()
    assert [r.data.meas.num_shots for r in result] == [10, 30]


# --- Noisy emulated devices

def test_noisy_device_bell_statistics(service):
    backend = service.backend(DEV)
    shots = 8000
    counts = SamplerV2(mode=backend).run([isa(bell(), backend)], shots=shots) \
        .result()[0].data.meas.get_counts()
    assert sum(counts.values()) == shots
    good = counts.get("00", 0) + counts.get("11", 0)
    bad = shots - good
    # Readout error ~1.5% per qubit plus gate errors: some wrong outcomes, but few.
    assert 0 < bad < 0.12 * shots, counts
    assert abs(counts.get("00", 0) - counts.get("11", 0)) < 6 * np.sqrt(good), counts


def test_noisy_device_27_qubits_heavy_hex(service):
    backend = service.backend(DEV27)
    circuit = QuantumCircuit(3)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.cx(1, 2)
    circuit.measure_all()
    counts = SamplerV2(mode=backend).run([isa(circuit, backend)], shots=2000) \
        .result()[0].data.meas.get_counts()
    assert counts.get("000", 0) + counts.get("111", 0) > 0.8 * 2000, counts


def test_readout_mitigation_moves_towards_the_exact_value(service):
    backend = service.backend(DEV)
    circuit = isa(bell(measure=False), backend)
    observable = SparsePauliOp("ZZ").apply_layout(circuit.layout)

    def value(level):
        estimator = EstimatorV2(mode=backend, options={"resilience_level": level,
                                                        "default_shots": 20000,
                                                        "seed_estimator": 9})
        pub = estimator.run([(circuit, observable)]).result()[0]
        return float(pub.data.evs), float(pub.data.stds), pub.metadata

    raw, raw_std, raw_meta = value(0)
    mitigated, mitigated_std, _ = value(1)
    assert raw < 0.99  # noise is visible without mitigation
    assert raw_std > 0
    assert abs(mitigated - 1.0) < abs(raw - 1.0)
    assert abs(mitigated - 1.0) < 0.05 + 5 * mitigated_std
    assert raw_meta["shots"] == 20000
