// qrt_sim_compare: times qrt's simulators on the inputs bench/compare_simulators.py writes, and
// measures this machine's memory bandwidth, printing one JSON object per line on stdout.
//
//   qrt_sim_compare [--reps N] [--pass-qubits 26,28] [--no-probe] [--single] [--fusion K]
//                   PATH...
//
// Each PATH is a QPY file or a folder (its *.qpy files, sorted). The file name picks the case:
//   sv_*.qpy    statevector: sim::simulate_state (the final state as the simulator holds it, no
//               copy to a std::vector), best of N (default 3)
//   stab_*.qpy  stabilizer: sim::run_shots(10 000 shots, Method::kStabilizer), best of N
//   est_*.qpy   estimator: sim::exact_expectations for the observables in the sibling file
//               <stem>.observables.json ([["IXZ...", coeff], ...], one observable per entry)
// Unless --no-probe: a STREAM-like triad and an in-place read-modify-write loop (the access
// pattern of a gate pass) with OpenMP threads, and one dense single-qubit gate pass
// (StateVector<double>::apply_1q on qubits 0, n/2 and n-1) at each --pass-qubits width.
// Threads: OMP_NUM_THREADS. Errors go to stderr as JSON lines with "error"; exit status 1 if any.
//
// Single-threaded driver (the simulators parallelise inside).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "circuit/gates.h"
#include "formats/qpy_reader.h"
#include "sim/simulator.h"
#include "sim/statevector.h"

namespace {

namespace fs = std::filesystem;
using qrt::circuit::Circuit;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kShots = 10'000;

struct Options {
    int reps = 3;
    std::vector<unsigned> pass_qubits{26, 28};
    bool probe = true;
    bool single = false;   // complex64 statevector (qsim's precision)
    int fusion = -1;       // max fused qubits; -1: the simulator's default
    std::vector<fs::path> inputs;
};

bool g_failed = false;

void emit(const boost::json::object& o) {
    std::printf("%s\n", boost::json::serialize(o).c_str());
    std::fflush(stdout);
}

void emit_error(const std::string& where, const std::string& message) {
    g_failed = true;
    boost::json::object o{{"case", where}, {"error", message}};
    std::fprintf(stderr, "%s\n", boost::json::serialize(o).c_str());
    emit(o);
}

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs `body` reps times; returns every time (seconds) or stops at the first error.
struct Timing {
    std::vector<double> times;
    std::string error;
    double best() const { return *std::min_element(times.begin(), times.end()); }
};

Timing time_reps(int reps, const std::function<std::string()>& body) {
    Timing t;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        std::string err = body();
        const double s = seconds_since(t0);
        if (!err.empty()) {
            t.error = std::move(err);
            return t;
        }
        t.times.push_back(s);
    }
    return t;
}

boost::json::array to_array(const std::vector<double>& v) {
    boost::json::array a;
    for (double x : v) a.push_back(x);
    return a;
}

std::string read_file(const fs::path& p, std::string* error) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        *error = "cannot open " + p.string();
        return {};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// [["IXZ...", coeff], ...] -> one single-term PauliSum per entry.
bool read_observables(const fs::path& p, std::vector<qrt::sim::PauliSum>* out, std::string* error) {
    std::string text = read_file(p, error);
    if (!error->empty()) return false;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    if (ec || !v.is_array()) {
        *error = p.string() + ": expected a JSON array of [label, coeff] pairs";
        return false;
    }
    for (const auto& e : v.as_array()) {
        if (!e.is_array() || e.as_array().size() != 2 || !e.as_array()[0].is_string()) {
            *error = p.string() + ": every entry must be [label, coeff]";
            return false;
        }
        const auto& pair = e.as_array();
        out->push_back(qrt::sim::PauliSum{
            {{std::string(pair[0].as_string()), pair[1].to_number<double>()}}});
    }
    return true;
}

// sum_i |a_i|^2 * (i mod 1009) / 1009: a cheap fingerprint of the output distribution that
// compare_simulators.py recomputes from Aer's state (taken after the timer stops).
// Over the simulated qubits: amplitude i sits at circuit index sum_j bit j of i << qubits[j].
template <typename Real>
double amplitude_checksum(const qrt::sim::StateVector<Real>& sv,
                          const std::vector<std::uint32_t>& qubits) {
    double s = 0.0;
    for (std::size_t i = 0; i < sv.size(); ++i) {
        std::size_t full = 0;
        for (std::size_t j = 0; j < qubits.size(); ++j) full |= ((i >> j) & 1u) << qubits[j];
        s += std::norm(std::complex<double>(sv.data()[i])) * static_cast<double>(full % 1009);
    }
    return s / 1009.0;
}

double amplitude_checksum(const qrt::sim::SimulatedState& st) {
    return st.state ? amplitude_checksum(*st.state, st.qubits)
                    : amplitude_checksum(*st.state_single, st.qubits);
}

std::string stem_of(const fs::path& p) { return p.stem().string(); }

void run_case(const fs::path& path, const Options& opt) {
    const std::string name = stem_of(path);
    std::string error;
    const std::string bytes = read_file(path, &error);
    if (!error.empty()) return emit_error(name, error);
    auto parsed = qrt::formats::read_qpy_circuit(std::string_view(bytes));
    if (!parsed.ok()) return emit_error(name, parsed.status().to_string());
    const Circuit& c = *parsed;

    boost::json::object o{{"case", name},
                          {"qubits", c.num_qubits()},
                          {"instructions", c.size()},
                          {"threads", omp_get_max_threads()}};
    qrt::sim::RunOptions ro;
    ro.seed = 1234;
    ro.max_memory_bytes = std::size_t{20} << 30;
    ro.single_precision = opt.single;
    if (opt.fusion >= 0) ro.max_fused_qubits = static_cast<unsigned>(opt.fusion);

    Timing t;
    if (name.rfind("sv_", 0) == 0) {
        o["kind"] = "statevector";
        std::optional<qrt::sim::SimulatedState> last;
        t = time_reps(opt.reps, [&]() -> std::string {
            last.reset();  // free the previous rep's state
            auto r = qrt::sim::simulate_state(c, ro);
            if (!r.ok()) return r.status().to_string();
            last = std::move(*r);
            return {};
        });
        if (last) o["check"] = amplitude_checksum(*last);
    } else if (name.rfind("stab_", 0) == 0) {
        o["kind"] = "stabilizer";
        o["shots"] = kShots;
        ro.shots = kShots;
        ro.method = qrt::sim::Method::kStabilizer;
        t = time_reps(opt.reps, [&]() -> std::string {
            auto r = qrt::sim::run_shots(c, ro);
            return r.ok() ? std::string() : r.status().to_string();
        });
    } else if (name.rfind("est_", 0) == 0) {
        o["kind"] = "estimator";
        std::vector<qrt::sim::PauliSum> obs;
        fs::path obs_path = path.parent_path() / (name + ".observables.json");
        if (!read_observables(obs_path, &obs, &error)) return emit_error(name, error);
        o["observables"] = obs.size();
        std::vector<double> values;
        t = time_reps(opt.reps, [&]() -> std::string {
            auto r = qrt::sim::exact_expectations(c, obs, ro);
            if (!r.ok()) return r.status().to_string();
            values = std::move(*r);
            return {};
        });
        if (!values.empty()) o["values"] = to_array(values);
    } else {
        return;  // not a case of this benchmark
    }
    if (!t.error.empty()) return emit_error(name, t.error);
    o["seconds"] = t.best();
    o["times"] = to_array(t.times);
    emit(o);
}

// STREAM triad a = b + s*c and the in-place gate-pass pattern a = a*s + t, best of reps.
void probe_bandwidth(int reps) {
    const std::size_t n = std::size_t{1} << 26;  // 512 MiB per array, far beyond L3
    std::vector<double> a(n), b(n), c(n);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < n; ++i) {  // first touch by the threads that use the pages
        a[i] = 1.0;
        b[i] = 2.0;
        c[i] = 0.5;
    }
    const double s = 1.0000001;
    double best_triad = 1e30, best_rmw = 1e30;
    for (int r = 0; r < std::max(reps, 5); ++r) {
        auto t0 = Clock::now();
#pragma omp parallel for schedule(static)
        for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + s * c[i];
        best_triad = std::min(best_triad, seconds_since(t0));
        t0 = Clock::now();
#pragma omp parallel for schedule(static)
        for (std::size_t i = 0; i < n; ++i) a[i] = a[i] * s + 1e-9;
        best_rmw = std::min(best_rmw, seconds_since(t0));
    }
    const double bytes = static_cast<double>(n * sizeof(double));
    volatile double sink = a[n / 2];  // keep the loops
    (void)sink;
    emit({{"case", "bandwidth"},
          {"threads", omp_get_max_threads()},
          {"triad_gbps", 3.0 * bytes / best_triad / 1e9},  // STREAM counting (no write-allocate)
          {"rmw_gbps", 2.0 * bytes / best_rmw / 1e9}});    // in place: read + write
}

void probe_pass(unsigned n, int reps) {
    const std::string name = "pass_1q_" + std::to_string(n);
    auto sv = qrt::sim::StateVector<double>::create(n);
    if (!sv.ok()) return emit_error(name, sv.status().to_string());
    const double params[3] = {0.3, 0.7, 1.1};  // a dense U, so no special-case kernel applies
    auto m = qrt::circuit::gate_matrix(qrt::circuit::GateKind::kU, params);
    if (!m.ok()) return emit_error(name, m.status().to_string());
    sv->apply_1q(*m, 0);  // warm-up: pages touched
    const double state_bytes = static_cast<double>(qrt::sim::state_bytes(n, false));
    boost::json::object per_qubit;
    double best = 1e30;
    for (unsigned q : {0u, n / 2, n - 1}) {
        double b = 1e30;
        for (int r = 0; r < reps; ++r) {
            const auto t0 = Clock::now();
            sv->apply_1q(*m, q);
            b = std::min(b, seconds_since(t0));
        }
        per_qubit[std::to_string(q)] = b;
        best = std::min(best, b);
    }
    emit({{"case", name},
          {"kind", "pass"},
          {"qubits", n},
          {"threads", omp_get_max_threads()},
          {"simd", std::string(qrt::sim::simd_level())},
          {"seconds", best},
          {"seconds_by_qubit", per_qubit},
          {"effective_gbps", 2.0 * state_bytes / best / 1e9}});
}

int usage() {
    std::fprintf(stderr,
                 "usage: qrt_sim_compare [--reps N] [--pass-qubits 26,28] [--no-probe] [--single]\n"
                 "                       [--fusion K] PATH...\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--reps" && i + 1 < argc) {
            opt.reps = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--pass-qubits" && i + 1 < argc) {
            opt.pass_qubits.clear();
            std::stringstream ss(argv[++i]);
            for (std::string tok; std::getline(ss, tok, ',');) {
                if (!tok.empty()) opt.pass_qubits.push_back(static_cast<unsigned>(std::stoul(tok)));
            }
        } else if (a == "--no-probe") {
            opt.probe = false;
        } else if (a == "--single") {
            opt.single = true;
        } else if (a == "--fusion" && i + 1 < argc) {
            opt.fusion = std::atoi(argv[++i]);
        } else if (a.rfind("--", 0) == 0) {
            return usage();
        } else {
            opt.inputs.emplace_back(a);
        }
    }

    std::vector<fs::path> files;
    for (const auto& p : opt.inputs) {
        if (fs::is_directory(p)) {
            std::vector<fs::path> in_dir;
            for (const auto& e : fs::directory_iterator(p)) {
                if (e.path().extension() == ".qpy") in_dir.push_back(e.path());
            }
            std::sort(in_dir.begin(), in_dir.end());
            files.insert(files.end(), in_dir.begin(), in_dir.end());
        } else {
            files.push_back(p);
        }
    }
    if (files.empty() && !opt.probe) return usage();

    if (opt.probe) {
        probe_bandwidth(opt.reps);
        for (unsigned n : opt.pass_qubits) probe_pass(n, opt.reps);
    }
    for (const auto& f : files) run_case(f, opt);
    return g_failed ? 1 : 0;
}
