// Tableau: a bit-packed stabilizer tableau (Aaronson-Gottesman, "CHP") for Clifford circuits of
// any width (hundreds or thousands of qubits): Clifford gates, measurement (random or
// deterministic), reset, Pauli expectation values (+1, -1 or 0) and fast sampling of Z-basis
// measurements from the affine subspace a stabilizer state is uniform over.
//
// Layout: column-major by qubit. For qubit q, x_[q*words_ .. +words_) holds the X bit of every
// row (bit i = row i), z_ likewise, r_ holds the sign bit of every row. Rows 0..n-1 are the
// destabilizers, rows n..2n-1 the stabilizers. A gate on q therefore touches 2n/64 words, all
// rows at once; a measurement is O(n * 2n/64) word operations (phases are summed in a
// bit-sliced mod-4 counter over rows, never row by row).
//
// Not thread-safe: one thread per Tableau. A const Tableau may be read from several threads.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/rng.h"
#include "base/status.h"
#include "circuit/circuit.h"

namespace qrt::sim {

class Tableau {
public:
    explicit Tableau(unsigned num_qubits);  // |0...0>
    unsigned num_qubits() const { return n_; }

    // Gates. Qubit indices must be < num_qubits() (and distinct for two-qubit gates).
    void h(unsigned q);
    void s(unsigned q);
    void sdg(unsigned q);
    void x(unsigned q);
    void y(unsigned q);
    void z(unsigned q);
    void sx(unsigned q);
    void sxdg(unsigned q);
    void cx(unsigned c, unsigned t);
    void cy(unsigned c, unsigned t);
    void cz(unsigned a, unsigned b);
    void swap(unsigned a, unsigned b);
    // Applies a Clifford instruction of the IR (any standard gate whose angles are multiples of
    // pi/2 where it has angles: rz, rx, ry, p, u...; ecr, iswap, dcx, ...; custom gates through
    // their definition; barrier, delay, id and global phase are no-ops). Errors
    // (invalid_argument, tableau unchanged): a gate that is not Clifford at these angles (the
    // message names the gate and the angle), an unbound parameter, measure/reset/if_else (these
    // need classical state: use measure() and reset()), a qubit out of range.
    Status apply(const circuit::Instruction& inst);

    // Measures q in the Z basis; random outcomes draw one bit from rng. Returns 0 or 1.
    int measure(unsigned q, Rng& rng);
    // Measures q and flips it to |0> when the outcome was 1.
    void reset(unsigned q, Rng& rng);
    // <P> for a Pauli label (rightmost = qubit 0, letters I X Y Z, an optional leading + or -;
    // a label shorter than num_qubits() leaves the higher qubits as identity): +1, -1 or 0.
    // Throws std::invalid_argument on a bad letter or a label longer than num_qubits().
    int expectation_pauli(std::string_view label) const;

    // Samples `shots` Z-basis measurements of `qubits` (in that order; the tableau is not
    // changed) without re-simulating: one reference outcome plus a uniformly random element of
    // the span of the stabilizers' X parts. Packed layout, shot-major: shot s occupies words
    // [s*W, (s+1)*W) with W = ceil(qubits.size()/64); bit i%64 of word s*W + i/64 is the
    // outcome of qubits[i]. Unused high bits are 0.
    std::vector<std::uint64_t> sample_measurements(std::span<const unsigned> qubits,
                                                   std::uint64_t shots, Rng& rng) const;

private:
    std::uint64_t* col_x(unsigned q) { return x_.data() + std::size_t{q} * words_; }
    std::uint64_t* col_z(unsigned q) { return z_.data() + std::size_t{q} * words_; }
    const std::uint64_t* col_x(unsigned q) const { return x_.data() + std::size_t{q} * words_; }
    const std::uint64_t* col_z(unsigned q) const { return z_.data() + std::size_t{q} * words_; }
    // i^e with Prod_{rows in mask, ascending} P_row = i^e (x) Pauli(a_j, b_j), Y = Pauli(1, 1).
    int product_phase(const std::vector<std::uint64_t>& mask) const;

    unsigned n_ = 0;
    std::size_t words_ = 0;                 // 64-bit words per column (2n rows)
    std::vector<std::uint64_t> x_, z_;      // n columns of words_ words
    std::vector<std::uint64_t> r_;          // sign bits, words_ words
    std::vector<std::uint64_t> stab_mask_;  // bits n..2n-1
};

// True when every instruction of the (bound) circuit is Clifford or measure/reset/barrier/delay/
// if_else whose bodies are Clifford. Unbound parameters make it false.
bool is_clifford(const circuit::Circuit& c);

// The same check for one instruction, with the reason when it is not Clifford.
Status check_clifford(const circuit::Instruction& inst);

}  // namespace qrt::sim
