// Seed 002, the Session class: a Bell circuit on the least busy device, transpiled for it, run by
// a Sampler in a Session that closes when it leaves scope; then the Session's attributes and
// methods (details, status, usage, from_id, max_time as "2h 30m 40s").
//
//   session_class                    (QRT_URL / QRT_TOKEN name the server)
#include <qrt/qrt.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>

namespace {

int fail(const std::string& why) {
    std::cerr << "FAIL: " << why << "\n";
    return 1;
}

}  // namespace

int main() try {
    auto service = qrt::Service::connect();
    const qrt::BackendInfo backend = service->least_busy(2);  // a device with >= 2 qubits

    // Bell circuit, its two clbits in the register "c".
    qrt::QuantumCircuit qc(2, 2);
    qc.h(0).cx(0, 1).measure(0, 0).measure(1, 1);
    const qrt::QuantumCircuit isa_circuit = qrt::transpile(qc, backend);

    std::map<std::string, std::uint64_t> counts;
    std::string session_id;
    {
        qrt::Session session(service, backend.name);
        qrt::Sampler sampler(session);
        qrt::Job job = sampler.run({{isa_circuit, {}, 1000}});
        counts = job.result()[0].counts("c");
        session_id = session.session_id();
        std::cout << "Backend: " << backend.name << " (" << backend.num_qubits << " qubits, "
                  << backend.pending_jobs << " pending jobs)\n";
        std::cout << "Sampler job ID: " << job.job_id() << "\n";
        std::cout << "Counts:";
        for (const auto& [bits, n] : counts) std::cout << " " << bits << ":" << n;
        std::cout << "\n";
    }  // ~Session closes it (rule S9)

    // Physics: a Bell pair gives 00 and 11, about equally; a noisy device adds a few 01 and 10.
    std::uint64_t total = 0;
    for (const auto& [bits, n] : counts) total += n;
    const double n00 = static_cast<double>(counts["00"]), n11 = static_cast<double>(counts["11"]);
    if (total != 1000) return fail("expected 1000 shots, got " + std::to_string(total));
    if (n00 + n11 < 0.85 * 1000) return fail("fewer than 85% of the shots are 00 or 11");
    if (std::abs(n00 - n11) > 6 * std::sqrt(n00 + n11) + 1) return fail("00 and 11 are unbalanced");

    // The closed session, attached again by id; its details.
    qrt::Session again = qrt::Session::from_id(service, session_id);
    const qrt::SessionDetails closed = again.details();
    std::cout << "Session " << closed.id << ": state " << closed.state << ", status \""
              << again.status() << "\", mode " << closed.mode << ", usage " << again.usage()
              << " s\n";
    if (closed.state != "closed" || again.status() != "Closed")
        return fail("the session is not closed after leaving its scope");
    if (!(again.usage() > 0)) return fail("a session that ran a job has no usage");

    // max_time as a string; details() before any job: open, accepting jobs, not started.
    qrt::Session timed(service, backend.name, qrt::parse_duration("2h 30m 40s"));
    const qrt::SessionDetails d = timed.details();
    std::cout << "New session " << d.id << ": max_time " << d.max_time_s.value_or(-1)
              << " s, interactive_timeout " << d.interactive_timeout_s.value_or(-1)
              << " s, state " << d.state << ", status \"" << timed.status() << "\"\n";
    if (d.max_time_s != 2 * 3600 + 30 * 60 + 40) return fail("max_time is not 9040 s");
    if (d.state != "open" || !d.accepting_jobs || timed.status() != "Pending")
        return fail("a new session should be open, accepting jobs and Pending");
    timed.cancel();
    if (timed.status() != "Closed") return fail("a cancelled session is not Closed");
    std::cout << "ok\n";
    return 0;
} catch (const qrt::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
}
