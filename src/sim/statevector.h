// StateVector<Real>: a dense n-qubit state (complex<Real>, Real = double or float) and the gate
// kernels that act on it in place: 1- and 2-qubit matrices, fused k-qubit matrices, diagonals,
// multi-controlled X, swap; probabilities, collapse, reset, Pauli expectation values.
//
// Qiskit's convention: qubit 0 is the least significant bit of the amplitude index. Kernels use
// SIMD (AVX2 / AVX-512, chosen at run time, portable fallback) and OpenMP across cores for
// states large enough to pay for it. Not thread-safe: one thread drives one StateVector (the
// kernels parallelise inside). Amplitudes are 64-byte aligned.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "base/status.h"
#include "circuit/gates.h"

namespace qrt::sim {

// Which instruction set the kernels use on this machine ("avx512", "avx2", "portable").
std::string_view simd_level();
// Test-only: forces the kernels to "portable", "avx2" or "avx512" (or "auto": the best this CPU
// has) so that tests can check every level against the portable one. Errors: invalid_argument
// for an unknown name, failed_precondition when this CPU lacks the instruction set. Not
// thread-safe against kernels running at the same time.
Status set_simd_level_for_testing(std::string_view level);
// Bytes a state of n qubits needs at this precision.
std::size_t state_bytes(unsigned num_qubits, bool single_precision);

template <typename Real>
class StateVector {
public:
    using Amp = std::complex<Real>;

    // |0...0> over num_qubits (at most 40). Allocation failure is reported by create().
    static Result<StateVector> create(unsigned num_qubits);

    unsigned num_qubits() const { return num_qubits_; }
    std::size_t size() const { return std::size_t{1} << num_qubits_; }
    Amp* data() { return amps_.get(); }
    const Amp* data() const { return amps_.get(); }

    // Kernel preconditions (checked by assert in debug builds, by the caller in general): qubits
    // distinct and < num_qubits(), matrix dimension 2^k.
    void set_zero_state();
    // A 2x2 matrix on qubit q.
    void apply_1q(const circuit::Matrix& m, unsigned q);
    // A 4x4 matrix on (q0, q1); q0 is the least significant bit of the matrix index.
    void apply_2q(const circuit::Matrix& m, unsigned q0, unsigned q1);
    // A 2^k x 2^k matrix (k <= 6) on qubits[0..k) (qubits[0] least significant): fused gates.
    void apply_matrix(const circuit::Matrix& m, std::span<const unsigned> qubits);
    // Multiplies amplitude i by diag[index of i's bits on qubits] (diagonal gates: rz, p, cz,
    // rzz, ...; k <= 10).
    void apply_diagonal(std::span<const std::complex<double>> diag,
                        std::span<const unsigned> qubits);
    // X on target when all controls are 1 (cx, ccx, mcx).
    void apply_mcx(std::span<const unsigned> controls, unsigned target);
    void apply_swap(unsigned q0, unsigned q1);
    void scale(std::complex<double> factor);  // global phase

    double norm_squared() const;
    double probability_one(unsigned q) const;
    // Probabilities of every basis state of the listed qubits (qubits[0] least significant).
    std::vector<double> probabilities(std::span<const unsigned> qubits) const;
    // Measures qubit q: samples, collapses and renormalises; returns 0 or 1.
    int measure(unsigned q, Rng& rng);
    // Measures then flips to |0> if needed.
    void reset(unsigned q, Rng& rng);
    // <psi| P |psi> for a Pauli label in Qiskit's order (rightmost character = qubit 0; length
    // num_qubits; characters I X Y Z). NaN for a label of the wrong length or with another
    // character.
    double expectation_pauli(std::string_view label) const;

private:
    explicit StateVector(unsigned n);
    struct Free {
        void operator()(Amp* p) const;
    };
    unsigned num_qubits_ = 0;
    std::unique_ptr<Amp[], Free> amps_;
};

extern template class StateVector<double>;
extern template class StateVector<float>;

}  // namespace qrt::sim
