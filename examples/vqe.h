// The small pieces the VQE examples share (seed 001 and seed 004): a real problem (the 4-site
// antiferromagnetic Heisenberg chain), its exact ground energy by diagonalizing the 16 x 16
// Hamiltonian (Jacobi), a 3-parameter ansatz that can reach that ground state, and a Nelder-Mead
// and a gradient-descent optimizer that evaluate all the points one step needs in ONE job.
//
// Plain C++20 and the public client header only; copy it next to your own program.
// Thread safety: every function here is pure; the optimizers call `energies` from the calling
// thread only.
#pragma once

#include <qrt/qrt.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace examples {

// H = sum over the bonds (0,1) (1,2) (2,3) of X_i X_j + Y_i Y_j + Z_i Z_j (Pauli units, J = 1).
// Labels are Qiskit's: qubit 0 is the rightmost character.
inline qrt::Observable heisenberg_chain_4() {
    qrt::Observable h;
    for (std::uint32_t i = 0; i < 3; ++i) {
        for (char pauli : {'X', 'Y', 'Z'}) {
            std::string label(4, 'I');
            label[3 - i] = pauli;
            label[3 - (i + 1)] = pauli;
            h.emplace_back(label, 1.0);
        }
    }
    return h;
}

// The 2^n x 2^n matrix of a real observable (every term with an even number of Y, as here).
inline std::vector<std::vector<double>> observable_matrix(const qrt::Observable& obs,
                                                          std::uint32_t n) {
    const std::uint32_t dim = 1u << n;
    std::vector<std::vector<double>> m(dim, std::vector<double>(dim, 0.0));
    for (const auto& [label, coeff] : obs) {
        for (std::uint32_t col = 0; col < dim; ++col) {
            // P|col> = phase |row>: X and Y flip the bit, Y and Z bring a sign, Y an i.
            std::uint32_t row = col;
            double sign = 1.0;
            int ys = 0;
            for (std::uint32_t q = 0; q < n; ++q) {
                const char p = label[n - 1 - q];
                const bool bit = ((col >> q) & 1u) != 0;
                if (p == 'X' || p == 'Y') row ^= 1u << q;
                if (p == 'Z' && bit) sign = -sign;
                if (p == 'Y') {
                    ++ys;
                    if (bit) sign = -sign;  // Y|1> = -i|0>, Y|0> = i|1>
                }
            }
            if (ys % 2 != 0) throw std::invalid_argument("observable_matrix: imaginary term " + label);
            if (ys % 4 == 2) sign = -sign;  // i^2
            m[row][col] += coeff * sign;
        }
    }
    return m;
}

// Eigenvalues of a real symmetric matrix (cyclic Jacobi rotations), ascending.
inline std::vector<double> jacobi_eigenvalues(std::vector<std::vector<double>> a) {
    const std::size_t n = a.size();
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0;
        for (std::size_t p = 0; p < n; ++p)
            for (std::size_t q = p + 1; q < n; ++q) off += a[p][q] * a[p][q];
        if (off < 1e-22) break;
        for (std::size_t p = 0; p < n; ++p) {
            for (std::size_t q = p + 1; q < n; ++q) {
                if (std::abs(a[p][q]) < 1e-300) continue;
                // The rotation that zeroes a[p][q] (Numerical Recipes' stable form).
                const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                const double t = (theta >= 0 ? 1.0 : -1.0) /
                                 (std::abs(theta) + std::sqrt(theta * theta + 1));
                const double c = 1 / std::sqrt(t * t + 1), s = t * c;
                for (std::size_t k = 0; k < n; ++k) {  // columns p, q
                    const double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (std::size_t k = 0; k < n; ++k) {  // rows p, q
                    const double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
            }
        }
    }
    std::vector<double> eig(n);
    for (std::size_t i = 0; i < n; ++i) eig[i] = a[i][i];
    std::sort(eig.begin(), eig.end());
    return eig;
}

// exp(-i t/2 (XX + YY + ZZ)) on qubits i, j: the Heisenberg exchange, built from rzz in the
// Z, X (h) and Y (sdg h) bases. The three terms commute, so the order does not matter.
inline void exchange(qrt::QuantumCircuit& qc, const qrt::Parameter& t, std::uint32_t i,
                     std::uint32_t j) {
    qc.rzz(t, i, j);
    qc.h(i).h(j).rzz(t, i, j).h(i).h(j);
    qc.sdg(i).sdg(j).h(i).h(j).rzz(t, i, j).h(i).h(j).s(i).s(j);
}

// The ansatz (a Hamiltonian-variational one): each pair (0,1), (2,3) starts in
// cos(a/2)|01> + sin(a/2)|10> (a = -pi/2 is a singlet, a = 0 the Neel state, energy -3), then
// exchange on the middle bond (b) and on the outer bonds (c). Parameters in Qiskit's order:
// a, b, c. Its minimum is the exact ground energy, -3 - 2 sqrt(3).
inline qrt::QuantumCircuit heisenberg_ansatz() {
    const qrt::Parameter a("a"), b("b"), c("c");
    qrt::QuantumCircuit qc(4);
    for (std::uint32_t p : {0u, 2u}) qc.ry(a, p).cx(p, p + 1).x(p);
    exchange(qc, b, 1, 2);
    exchange(qc, c, 0, 1);
    exchange(qc, c, 2, 3);
    return qc;
}

// Evaluates the objective at several points at once (one job); returns one value per point.
using BatchObjective = std::function<std::vector<double>(const std::vector<std::vector<double>>&)>;

struct OptimizeResult {
    std::vector<double> x;
    double value = 0;
    int iterations = 0;  // one job each
};

inline std::vector<double> axpy(const std::vector<double>& x, double a, const std::vector<double>& y,
                                double b) {
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = a * x[i] + b * y[i];
    return out;
}

// Nelder-Mead (reflection 1, expansion 2, contractions 1/2, shrink 1/2). Each iteration sends the
// four candidate points (reflect, expand, outside and inside contraction) in one job, so an
// iteration costs one round trip; a shrink costs one more. Stops after `max_iterations` or when
// the simplex's values agree within `f_tolerance`.
inline OptimizeResult nelder_mead(const BatchObjective& energies, std::vector<double> x0,
                                  double step, int max_iterations, double f_tolerance) {
    const std::size_t n = x0.size();
    std::vector<std::vector<double>> simplex{x0};
    for (std::size_t i = 0; i < n; ++i) {
        simplex.push_back(x0);
        simplex.back()[i] += step;
    }
    std::vector<double> f = energies(simplex);
    int it = 0;
    for (; it < max_iterations; ++it) {
        std::vector<std::size_t> order(n + 1);
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](auto l, auto r) { return f[l] < f[r]; });
        std::vector<std::vector<double>> s;
        std::vector<double> fs;
        for (auto i : order) s.push_back(simplex[i]), fs.push_back(f[i]);
        simplex = std::move(s);
        f = std::move(fs);
        if (f[n] - f[0] < f_tolerance) break;

        std::vector<double> centroid(n, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t k = 0; k < n; ++k) centroid[k] += simplex[i][k] / static_cast<double>(n);
        const auto& worst = simplex[n];
        const std::vector<std::vector<double>> candidates = {
            axpy(centroid, 2, worst, -1),       // reflect
            axpy(centroid, 3, worst, -2),       // expand
            axpy(centroid, 1.5, worst, -0.5),   // outside contraction
            axpy(centroid, 0.5, worst, 0.5)};   // inside contraction
        const std::vector<double> fc = energies(candidates);
        const double fr = fc[0], fe = fc[1], foc = fc[2], fic = fc[3];
        std::size_t pick = 4;  // 4: shrink
        if (fr < f[0]) {
            pick = fe < fr ? 1 : 0;
        } else if (fr < f[n - 1]) {
            pick = 0;
        } else if (fr < f[n] && foc <= fr) {
            pick = 2;
        } else if (fic < f[n]) {
            pick = 3;
        }
        if (pick < 4) {
            simplex[n] = candidates[pick];
            f[n] = fc[pick];
            continue;
        }
        std::vector<std::vector<double>> shrunk;
        for (std::size_t i = 1; i <= n; ++i) shrunk.push_back(axpy(simplex[0], 0.5, simplex[i], 0.5));
        const std::vector<double> fsh = energies(shrunk);
        for (std::size_t i = 1; i <= n; ++i) simplex[i] = shrunk[i - 1], f[i] = fsh[i - 1];
    }
    const auto best = static_cast<std::size_t>(std::min_element(f.begin(), f.end()) - f.begin());
    return {simplex[best], f[best], it};
}

// Gradient descent with momentum; the gradient by central differences. Each iteration sends the
// point and its 2n neighbours in one job.
inline OptimizeResult gradient_descent(const BatchObjective& energies, std::vector<double> x,
                                       double learning_rate, double momentum, double h,
                                       int iterations) {
    const std::size_t n = x.size();
    std::vector<double> velocity(n, 0.0);
    double value = 0;
    for (int it = 0; it < iterations; ++it) {
        std::vector<std::vector<double>> points{x};
        for (std::size_t i = 0; i < n; ++i) points.push_back(x), points.back()[i] += h;
        for (std::size_t i = 0; i < n; ++i) points.push_back(x), points.back()[i] -= h;
        const std::vector<double> f = energies(points);
        value = f[0];
        for (std::size_t i = 0; i < n; ++i) {
            const double grad = (f[1 + i] - f[1 + n + i]) / (2 * h);
            velocity[i] = momentum * velocity[i] - learning_rate * grad;
            x[i] += velocity[i];
        }
    }
    return {x, value, iterations};
}

// The energies of `points` (rows of ansatz parameters) from one Estimator job.
inline std::vector<double> estimate_energies(const qrt::Estimator& estimator,
                                             const qrt::QuantumCircuit& isa_ansatz,
                                             const qrt::Observable& hamiltonian,
                                             const std::vector<std::vector<double>>& points) {
    qrt::Job job = estimator.run({qrt::EstimatorPub{isa_ansatz, {hamiltonian}, points, {}}});
    std::vector<double> evs = job.result()[0].evs();
    if (evs.size() != points.size())
        throw std::runtime_error("estimator returned " + std::to_string(evs.size()) +
                                 " values for " + std::to_string(points.size()) + " points");
    return evs;
}

}  // namespace examples
