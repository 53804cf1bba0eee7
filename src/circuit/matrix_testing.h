// Test helpers for the circuit module: matrix comparison and small circuit builders. Only test
// files include this header.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <initializer_list>
#include <vector>

#include "circuit/circuit.h"
#include "circuit/gates.h"

namespace qrt::circuit::testing {

// Entry-wise comparison; on failure names the first differing entry.
inline ::testing::AssertionResult matrices_near(const Matrix& a, const Matrix& b,
                                                double tol = 1e-12) {
    if (a.dim != b.dim) {
        return ::testing::AssertionFailure() << "dimensions differ: " << a.dim << " vs " << b.dim;
    }
    for (int r = 0; r < a.dim; ++r) {
        for (int c = 0; c < a.dim; ++c) {
            if (std::abs(a(r, c) - b(r, c)) > tol) {
                return ::testing::AssertionFailure()
                       << "entry (" << r << ", " << c << ") differs: " << a(r, c) << " vs "
                       << b(r, c);
            }
        }
    }
    return ::testing::AssertionSuccess();
}

inline Matrix multiply(const Matrix& a, const Matrix& b) {
    Matrix m;
    m.dim = a.dim;
    m.data.assign(a.data.size(), 0.0);
    for (int r = 0; r < a.dim; ++r) {
        for (int k = 0; k < a.dim; ++k) {
            for (int c = 0; c < a.dim; ++c) m(r, c) += a(r, k) * b(k, c);
        }
    }
    return m;
}

inline Matrix dagger(const Matrix& a) {
    Matrix m = a;
    for (int r = 0; r < a.dim; ++r) {
        for (int c = 0; c < a.dim; ++c) m(r, c) = std::conj(a(c, r));
    }
    return m;
}

// One gate application for the builders below.
struct Op {
    GateKind kind;
    std::vector<std::uint32_t> qubits;
    std::vector<double> params = {};
};

// A circuit of `num_qubits` qubits applying `ops` in order, with a global phase.
inline Circuit build(std::uint32_t num_qubits, std::initializer_list<Op> ops,
                     double global_phase = 0.0) {
    Circuit c(num_qubits, 0);
    c.global_phase = global_phase;
    for (const Op& op : ops) {
        std::vector<Expr> params(op.params.begin(), op.params.end());
        Status s = c.append(op.kind, op.qubits, params);
        EXPECT_TRUE(s.ok()) << s.to_string();
    }
    return c;
}

// The unitary of `c`, failing the test (and returning an empty matrix) on error.
inline Matrix unitary_of(const Circuit& c) {
    auto u = circuit_unitary(c);
    EXPECT_TRUE(u.ok()) << u.status().to_string();
    return u.ok() ? *u : Matrix{};
}

inline Matrix matrix_of(GateKind kind, std::vector<double> params = {}, int num_qubits = 0) {
    auto m = gate_matrix(kind, params, num_qubits);
    EXPECT_TRUE(m.ok()) << m.status().to_string();
    return m.ok() ? *m : Matrix{};
}

}  // namespace qrt::circuit::testing
