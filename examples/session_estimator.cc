// Seed 000, "Run a primitive in a session": an Estimator job on a random 2-qubit circuit with the
// observable IY, inside a Session on a device, with the seed's options (optimization level 2,
// resilience level 2). The value is checked against the exact one, which the ideal simulator
// (sim_ideal) computes in job mode.
//
//   session_estimator [BACKEND]      (default emu_small5; QRT_URL / QRT_TOKEN name the server)
#include <qrt/qrt.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <numbers>
#include <random>
#include <string>

namespace {

// A random circuit of `depth` layers on 2 qubits, from a seeded generator (as Qiskit's
// random_circuit(2, 2, seed=1): each layer is one 2-qubit gate or two 1-qubit gates).
qrt::QuantumCircuit random_circuit(std::uint32_t depth, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> angle(0, 2 * std::numbers::pi);
    qrt::QuantumCircuit qc(2);
    for (std::uint32_t layer = 0; layer < depth; ++layer) {
        if (rng() % 3 == 0) {
            const std::uint32_t a = rng() % 2;
            if (rng() % 2 == 0) qc.cx(a, 1 - a); else qc.rzz(angle(rng), 0, 1);
            continue;
        }
        for (std::uint32_t q = 0; q < 2; ++q) {
            switch (rng() % 5) {
                case 0: qc.h(q); break;
                case 1: qc.rx(angle(rng), q); break;
                case 2: qc.ry(angle(rng), q); break;
                case 3: qc.u(angle(rng), angle(rng), angle(rng), q); break;
                default: qc.sx(q); break;
            }
        }
    }
    return qc;
}

}  // namespace

int main(int argc, char** argv) try {
    const std::string backend_name = argc > 1 ? argv[1] : "emu_small5";
    auto service = qrt::Service::connect();  // QRT_URL / QRT_TOKEN, or the local server

    const qrt::QuantumCircuit circuit = random_circuit(4, 1);
    const qrt::Observable observable = {{"IY", 1.0}};  // Y on qubit 0

    const qrt::BackendInfo backend = service->backend(backend_name);
    const qrt::QuantumCircuit isa_circuit = qrt::transpile(circuit, backend, 2);

    qrt::RunOptions options;
    options.resilience_level = 2;      // readout mitigation (TREX) and zero-noise extrapolation
    options.default_precision = 0.05;  // keeps the example quick
    double value = 0, std_error = 0;
    {
        qrt::Session session(service, backend.name);
        qrt::Estimator estimator(session, options);
        qrt::Job job = estimator.run({{isa_circuit, {observable}}});
        qrt::PrimitiveResult result = job.result();
        session.close();  // no more jobs; as the seed does (leaving the scope would too)
        value = result[0].evs().at(0);
        std_error = result[0].stds().at(0);
        std::cout << " > Session: " << session.session_id() << " on " << backend.name << "\n";
        std::cout << " > Job: " << job.job_id() << " " << qrt::to_string(job.status()) << "\n";
        std::cout << " > Observable: IY\n";
        std::cout << " > Expectation value: " << value << " +- " << std_error << "\n";
        std::cout << " > Metadata: " << result[0].metadata_json() << "\n";
    }

    // The exact value: the ideal simulator computes expectation values without shot noise.
    qrt::Estimator ideal(service, "sim_ideal");
    const double exact = ideal.run({{circuit, {observable}}}).result()[0].evs().at(0);
    std::cout << " > Exact (sim_ideal): " << exact << "\n";

    const double tolerance = std::max(0.15, 5 * std_error);
    if (!(std::abs(value - exact) <= tolerance)) {
        std::cerr << "FAIL: |" << value << " - " << exact << "| > " << tolerance << "\n";
        return 1;
    }
    std::cout << "ok\n";
    return 0;
} catch (const qrt::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
}
