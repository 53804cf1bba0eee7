// Seed 003, the jobs API: a job started with start_session=true opens a new session; later jobs
// join it by session_id; a job without either runs in job mode, outside any session.
//
//   jobs_api_sessions [BACKEND]      (default emu_small5; QRT_URL / QRT_TOKEN name the server)
#include <qrt/qrt.h>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

namespace {

int fail(const std::string& why) {
    std::cerr << "FAIL: " << why << "\n";
    return 1;
}

}  // namespace

int main(int argc, char** argv) try {
    const std::string backend_name = argc > 1 ? argv[1] : "emu_small5";
    auto service = qrt::Service::connect();
    const qrt::BackendInfo backend = service->backend(backend_name);

    qrt::QuantumCircuit bell(2);
    bell.h(0).cx(0, 1).measure_all();
    const qrt::SamplerPub pub{qrt::transpile(bell, backend), {}, 200};

    // By default a job runs in no session.
    qrt::Job alone = qrt::Sampler(service, backend.name).run({pub});
    alone.wait();
    std::cout << "job " << alone.job_id() << ": session \"" << alone.info().session_id << "\"\n";
    if (!alone.info().session_id.empty()) return fail("a plain job got a session");

    // start_session=true: this job opens a new session.
    qrt::RunOptions start;
    start.start_session = true;
    qrt::Job first = qrt::Sampler(service, backend.name, start).run({pub});
    const std::string session_id = first.info().session_id;
    std::cout << "job " << first.job_id() << " started session " << session_id << "\n";
    if (session_id.empty()) return fail("start_session=true gave the job no session");

    // session_id=ID: more jobs in that session, submitted without waiting.
    qrt::RunOptions join;
    join.session_id = session_id;
    std::vector<qrt::Job> jobs{first};
    for (int i = 0; i < 3; ++i) jobs.push_back(qrt::Sampler(service, backend.name, join).run({pub}));
    for (const qrt::Job& job : jobs) {
        const auto counts = job.result()[0].counts();
        const qrt::JobInfo info = job.info();
        std::cout << "job " << info.id << " " << qrt::to_string(info.status) << " in session "
                  << info.session_id << ": 00=" << (counts.count("00") ? counts.at("00") : 0)
                  << " 11=" << (counts.count("11") ? counts.at("11") : 0) << "\n";
        if (info.session_id != session_id) return fail("a joined job is not in the session");
        std::uint64_t good = 0, total = 0;
        for (const auto& [bits, n] : counts) {
            total += n;
            if (bits == "00" || bits == "11") good += n;
        }
        if (total != 200 || good < 170) return fail("not a Bell pair: too many 01/10 outcomes");
    }

    // The session lists exactly these jobs; close it (the jobs API has no scope to do it).
    qrt::JobFilter filter;
    filter.session_id = session_id;
    const auto listed = service->jobs(filter);
    std::cout << "session " << session_id << " holds " << listed.size() << " jobs\n";
    if (listed.size() != jobs.size()) return fail("the session does not list its 4 jobs");
    qrt::Session session = qrt::Session::from_id(service, session_id);
    session.close();
    std::cout << "session status after close: " << session.status() << "\n";
    if (session.status() != "Closed") return fail("the drained session is not Closed");
    std::cout << "ok\n";
    return 0;
} catch (const qrt::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
}
