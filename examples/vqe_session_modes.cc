// Seed 001, "Introduction to sessions": an iterative VQE in a session, then the same loop in batch
// mode and in job mode, each timed while a background user keeps the same device busy.
//
// The problem is real: the ground energy of the 4-site Heisenberg chain (vqe.h), known exactly by
// diagonalizing its 16 x 16 Hamiltonian. Each Nelder-Mead iteration is one Estimator job (the
// simplex's candidate points as parameter rows), followed by classical work: the iterative
// pattern of the seed. The background thread submits job-mode Sampler jobs to the same backend
// (long single-qubit experiments, 3.6 s of device time each),
// always keeping a few queued, with the same credentials (so the same instance: FIFO among them,
// docs/sessions.md F2).
//
// What to expect (docs/sessions.md): in a session only the first job queues; then the session
// holds the device between iterations (S3, S4) and the loop runs at its own pace. A batch's jobs
// go before the fair-share queue (B3) but the device runs other work between them (B2): each
// iteration waits for the background job running when it arrives. In job mode each iteration
// queues behind the backlog. All three loops use the same seed, so they compute the same energies:
// only the wall time differs.
//
// The device is noisy, so its energies read higher than the truth; the check evaluates the
// parameters each loop found on the ideal simulator and compares with the exact ground energy.
//
//   vqe_session_modes [--backend B] [--iterations N] [--background K] [--shots S]
//   (defaults: emu_small5, 8, 2, 300; QRT_URL / QRT_TOKEN name the server)
#include "vqe.h"

#include <qrt/qrt.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
    std::string backend = "emu_small5";
    int iterations = 8;   // Nelder-Mead iterations per loop (one job each, plus shrinks)
    int background = 2;   // background jobs kept queued
    int shots = 300;      // shots of each background job (10 ms each on the device)
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i], value = argv[i + 1];
        if (flag == "--backend") o.backend = value;
        else if (flag == "--iterations") o.iterations = std::stoi(value);
        else if (flag == "--background") o.background = std::stoi(value);
        else if (flag == "--shots") o.shots = std::stoi(value);
        else throw std::invalid_argument("unknown flag " + flag);
    }
    return o;
}

// Another workload on the same device: job-mode Sampler jobs, `depth` of them always pending.
class BackgroundLoad {
public:
    BackgroundLoad(std::shared_ptr<qrt::Service> service, const qrt::BackendInfo& backend,
                   int depth, int shots)
        : thread_([this, service, backend, depth, shots] {
              // A long experiment that costs the emulator little: a T1-style measurement with a
              // 10 ms wait in every shot (300 shots: about 3.6 s of modelled QPU time).
              const qrt::QuantumCircuit t1 = qrt::QuantumCircuit::from_qasm(
                  "OPENQASM 3.0; include \"stdgates.inc\"; qubit[1] q; bit[1] c;"
                  " x q[0]; delay[10ms] q[0]; c[0] = measure q[0];");
              const qrt::SamplerPub pub{qrt::transpile(t1, backend), {},
                                        static_cast<std::uint32_t>(shots)};
              qrt::Sampler sampler(service, backend.name, {.tags = {"background"}});
              std::deque<qrt::Job> pending;
              while (!stop_) {
                  while (static_cast<int>(pending.size()) < depth) pending.push_back(sampler.run({pub}));
                  pending.front().wait();
                  pending.pop_front();
                  ++done_;
              }
              for (const qrt::Job& job : pending) {
                  try {
                      job.cancel();
                  } catch (const qrt::Error&) {
                      // it finished meanwhile: nothing to cancel
                  }
              }
          }) {}
    ~BackgroundLoad() {
        stop_ = true;
        thread_.join();
    }
    int jobs_done() const { return done_; }

private:
    std::atomic<bool> stop_{false};
    std::atomic<int> done_{0};
    std::thread thread_;
};

struct LoopResult {
    std::string mode;
    double wall_s = 0;
    int jobs = 0;
    examples::OptimizeResult optimum;
};

// The VQE loop itself; `estimator` decides the mode (session, batch or job).
LoopResult run_vqe(const std::string& mode, const qrt::Estimator& estimator,
                   const qrt::QuantumCircuit& isa_ansatz, const qrt::Observable& hamiltonian,
                   int iterations) {
    int jobs = 0;
    const examples::BatchObjective energies = [&](const std::vector<std::vector<double>>& points) {
        ++jobs;
        return examples::estimate_energies(estimator, isa_ansatz, hamiltonian, points);
    };
    const auto start = std::chrono::steady_clock::now();
    examples::OptimizeResult optimum =
        examples::nelder_mead(energies, {-0.5, 0.1, 0.1}, 0.3, iterations, 1e-3);
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    std::printf("  %-8s %3d jobs  %6.2f s  energy on the device %8.4f  at a=%.3f b=%.3f c=%.3f\n",
                mode.c_str(), jobs, wall.count(), optimum.value, optimum.x[0], optimum.x[1],
                optimum.x[2]);
    std::fflush(stdout);
    return {mode, wall.count(), jobs, optimum};
}

}  // namespace

int main(int argc, char** argv) try {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines appear as they happen
    const Options opt = parse(argc, argv);
    auto service = qrt::Service::connect();

    const qrt::Observable hamiltonian = examples::heisenberg_chain_4();
    const double exact = examples::jacobi_eigenvalues(examples::observable_matrix(hamiltonian, 4))[0];
    std::printf("4-site Heisenberg chain: exact ground energy %.6f (Jacobi, 16 x 16)\n", exact);

    const qrt::BackendInfo backend = service->backend(opt.backend);
    const qrt::QuantumCircuit isa_ansatz = qrt::transpile(examples::heisenberg_ansatz(), backend);
    // Raw estimates (resilience 0: no twirling, so ~100 shots per basis) keep the jobs small; the
    // same seed in every mode gives the same energies.
    const qrt::RunOptions run{.default_precision = 0.1, .resilience_level = 0, .seed = 1234};

    std::vector<LoopResult> loops;
    int background_jobs = 0;
    {
        BackgroundLoad load(service, backend, opt.background, opt.shots);
        std::printf("VQE on %s, %d Nelder-Mead iterations, background: %d jobs of %d shots queued\n",
                    backend.name.c_str(), opt.iterations, opt.background, opt.shots);
        {
            qrt::Session session(service, backend.name);
            loops.push_back(run_vqe("session", qrt::Estimator(session, run), isa_ansatz,
                                    hamiltonian, opt.iterations));
        }  // closing the session frees the device for the others at once (S9)
        {
            qrt::Batch batch(service, backend.name);
            loops.push_back(run_vqe("batch", qrt::Estimator(batch, run), isa_ansatz, hamiltonian,
                                    opt.iterations));
        }
        loops.push_back(run_vqe("job", qrt::Estimator(service, backend.name, run), isa_ansatz,
                                hamiltonian, opt.iterations));
        background_jobs = load.jobs_done();
    }
    std::printf("background jobs completed meanwhile: %d\n", background_jobs);

    // The check: the parameters each loop found, evaluated exactly on the ideal simulator.
    qrt::Estimator ideal(service, "sim_ideal");
    int failures = 0;
    for (const LoopResult& loop : loops) {
        const double e = examples::estimate_energies(ideal, examples::heisenberg_ansatz(),
                                                     hamiltonian, {loop.optimum.x})[0];
        const bool ok = std::abs(e - exact) <= 0.25;
        std::printf("  %-8s wall %6.2f s (%5.2f s per job)  ideal energy at its optimum %8.4f  "
                    "error %.4f %s\n",
                    loop.mode.c_str(), loop.wall_s, loop.wall_s / loop.jobs, e, e - exact,
                    ok ? "ok" : "FAIL");
        if (!ok) ++failures;
    }
    std::printf("job mode took %.1fx the session's wall time, %.1fx the batch's\n",
                loops[2].wall_s / loops[0].wall_s, loops[2].wall_s / loops[1].wall_s);
    if (failures > 0) {
        std::cerr << "FAIL: " << failures << " loop(s) did not reach the ground energy within 0.25\n";
        return 1;
    }
    std::cout << "ok\n";
    return 0;
} catch (const qrt::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
} catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
}
