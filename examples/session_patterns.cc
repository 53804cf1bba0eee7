// Seed 004, "Run jobs in a session": the ways to open and close a session, in one program.
//   1. The Session class with explicit close(): a Sampler and an Estimator in one session.
//   2. The scope as context manager, max_time "25m": leaving the block closes the session; jobs
//      already submitted still run (rule S9) and their results stay readable.
//   3. cancel(): the running job finishes, the queued ones are cancelled, new ones are refused.
//   4. Two optimizer threads in one session, their jobs told apart by tags.
//   5. status() and details() along the way.
//
//   session_patterns [BACKEND]       (default emu_small5; QRT_URL / QRT_TOKEN name the server)
#include "vqe.h"

#include <qrt/qrt.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <future>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("  [%s] %s\n", ok ? "ok" : "FAIL", what.c_str());
    if (!ok) ++failures;
}

void print_details(const qrt::Session& session) {
    const qrt::SessionDetails d = session.details();
    std::printf("  details: id %s backend %s mode %s state %s accepting_jobs %s max_time %.0f s "
                "usage %.3f s; status \"%s\"\n",
                d.id.c_str(), d.backend.c_str(), d.mode.c_str(), d.state.c_str(),
                d.accepting_jobs ? "true" : "false", d.max_time_s.value_or(-1), d.usage_seconds,
                d.status.c_str());
}

double bell_fidelity(const std::map<std::string, std::uint64_t>& counts) {
    double good = 0, total = 0;
    for (const auto& [bits, n] : counts) {
        total += static_cast<double>(n);
        if (bits == "00" || bits == "11") good += static_cast<double>(n);
    }
    return total > 0 ? good / total : 0;
}

// The two-spin Heisenberg dimer (XX + YY + ZZ, ground energy -3, the singlet) and an ansatz that
// reaches it at a = -pi/2, b = pi: small enough for two optimizers to run side by side quickly.
const qrt::Observable kDimer = {{"XX", 1.0}, {"YY", 1.0}, {"ZZ", 1.0}};

qrt::QuantumCircuit dimer_ansatz() {
    qrt::QuantumCircuit qc(2);
    qc.ry(qrt::Parameter("a"), 0).ry(qrt::Parameter("b"), 1).cx(0, 1);
    return qc;
}

}  // namespace

int main(int argc, char** argv) try {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    const std::string backend_name = argc > 1 ? argv[1] : "emu_small5";
    auto service = qrt::Service::connect();
    const qrt::BackendInfo backend = service->backend(backend_name);

    qrt::QuantumCircuit bell(2);
    bell.h(0).cx(0, 1);
    qrt::QuantumCircuit measured = bell;
    measured.measure_all();
    const qrt::QuantumCircuit isa_bell = qrt::transpile(bell, backend);
    const qrt::QuantumCircuit isa_measured = qrt::transpile(measured, backend);
    const qrt::Observable zz = {{"ZZ", 1.0}};
    const qrt::RunOptions raw{.default_shots = 1000, .default_precision = 0.05,
                              .resilience_level = 0};

    std::printf("1. Session class, explicit close\n");
    {
        qrt::Session session(service, backend.name);
        qrt::Sampler sampler(session, raw);
        qrt::Estimator estimator(session, raw);
        qrt::Job job1 = sampler.run({{isa_measured}});
        qrt::Job job2 = estimator.run({{isa_bell, {zz}}});
        const auto counts = job1.result()[0].counts();
        const double zz_value = job2.result()[0].evs().at(0);
        std::printf("  Result1: counts 00=%llu 11=%llu\n  Result2: <ZZ> = %.3f\n",
                    static_cast<unsigned long long>(counts.count("00") ? counts.at("00") : 0),
                    static_cast<unsigned long long>(counts.count("11") ? counts.at("11") : 0),
                    zz_value);
        check(bell_fidelity(counts) > 0.85, "the Sampler saw a Bell pair (00 and 11)");
        check(zz_value > 0.8, "the Estimator saw <ZZ> near 1");
        check(job1.info().session_id == session.session_id() &&
                  job2.info().session_id == session.session_id(),
              "both primitives ran in the session");
        print_details(session);
        session.close();  // manual close: nothing left to run, so Closed at once
        check(session.status() == "Closed", "closed after close()");
    }

    std::printf("2. Scope as context manager, max_time 25m\n");
    std::vector<qrt::Job> jobs;
    std::string scoped_id;
    {
        qrt::Session session(service, backend.name, qrt::parse_duration("25m"));
        scoped_id = session.session_id();
        check(session.details().max_time_s == 1500, "max_time is 25 minutes");
        qrt::Sampler sampler(session, raw);
        for (int i = 0; i < 3; ++i) jobs.push_back(sampler.run({{isa_measured}}));
    }  // ~Session: no new jobs; the three submitted ones still run (S9)
    for (const qrt::Job& job : jobs) {
        check(bell_fidelity(job.result()[0].counts()) > 0.85,
              "job " + job.job_id() + " finished after the scope closed");
    }
    qrt::Session scoped = qrt::Session::from_id(service, scoped_id);
    print_details(scoped);
    check(scoped.status() == "Closed", "the session closed once its jobs were done");

    std::printf("3. cancel()\n");
    {
        qrt::Session session(service, backend.name);
        qrt::Sampler sampler(session);
        std::vector<qrt::Job> queued;
        for (int i = 0; i < 4; ++i) queued.push_back(sampler.run({{isa_measured, {}, 20000}}));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (queued[0].status() == qrt::JobStatus::kQueued &&
               std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        session.cancel();  // e.g. "if you realize you made a mistake"
        check(session.status() == "Closed", "a cancelled session is Closed at once");
        int cancelled = 0;
        for (const qrt::Job& job : queued) {
            const qrt::JobStatus s = job.wait(std::chrono::seconds(120));
            std::printf("  job %s %s\n", job.job_id().c_str(), std::string(qrt::to_string(s)).c_str());
            if (s == qrt::JobStatus::kCancelled) ++cancelled;
        }
        check(queued[0].status() == qrt::JobStatus::kCompleted, "the running job completed");
        check(cancelled >= 2, "the queued jobs were cancelled");
        bool refused = false;
        try {
            sampler.run({{isa_measured}});
        } catch (const qrt::Error& e) {
            refused = e.kind() == qrt::ErrorKind::kConflict;
            std::printf("  a new job is refused: %s\n", e.what());
        }
        check(refused, "a cancelled session takes no new jobs");
    }

    std::printf("4. Two optimizers in one session, told apart by job tags\n");
    const double exact = examples::jacobi_eigenvalues(examples::observable_matrix(kDimer, 2))[0];
    const qrt::QuantumCircuit isa_ansatz = qrt::transpile(dimer_ansatz(), backend);
    examples::OptimizeResult nm, gd;
    std::string session_id;
    {
        qrt::Session session(service, backend.name);
        session_id = session.session_id();
        qrt::RunOptions nm_options{.tags = {"nelder-mead"}, .default_precision = 0.05,
                                   .resilience_level = 0, .seed = 11};
        qrt::RunOptions gd_options{.tags = {"gradient-descent"}, .default_precision = 0.05,
                                   .resilience_level = 0, .seed = 12};
        const qrt::Estimator estimator1(session, nm_options), estimator2(session, gd_options);
        auto energies_with = [&](const qrt::Estimator& estimator) {
            return [&](const std::vector<std::vector<double>>& points) {
                return examples::estimate_energies(estimator, isa_ansatz, kDimer, points);
            };
        };
        auto nm_future = std::async(std::launch::async, [&] {
            return examples::nelder_mead(energies_with(estimator1), {0.3, 2.0}, 0.5, 8, 1e-3);
        });
        auto gd_future = std::async(std::launch::async, [&] {
            return examples::gradient_descent(energies_with(estimator2), {0.3, 2.0}, 0.15, 0.5,
                                              0.2, 8);
        });
        nm = nm_future.get();
        gd = gd_future.get();
        print_details(session);
    }
    qrt::Estimator ideal(service, "sim_ideal");
    for (const auto& [name, result] : {std::pair{"nelder-mead", nm}, std::pair{"gradient-descent", gd}}) {
        const double e = examples::estimate_energies(ideal, dimer_ansatz(), kDimer, {result.x})[0];
        qrt::JobFilter filter;
        filter.tag = name;
        filter.session_id = session_id;
        const auto tagged = service->jobs(filter);
        std::printf("  %-16s %2zu jobs tagged, device energy %.3f, exact energy at its optimum "
                    "%.4f (ground %.4f)\n",
                    name, tagged.size(), result.value, e, exact);
        check(!tagged.empty(), std::string(name) + "'s jobs are listed by their tag");
        check(std::abs(e - exact) < 0.15, std::string(name) + " reached the ground energy");
    }

    if (failures > 0) {
        std::cerr << "FAIL: " << failures << " check(s) failed\n";
        return 1;
    }
    std::cout << "ok\n";
    return 0;
} catch (const qrt::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
}
