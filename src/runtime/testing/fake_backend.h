// FakeBackend: a backends::Backend for runtime tests. It runs no circuits; what a job does is
// chosen by words in its params JSON:
//   (none of these)  completes at once: result {"ok":true,"job":"<id>"}, QPU time 1.5 s
//   "block"          runs until release(id)/release_all() (then completes) or until its stop
//                    flag is set (then ends with `cancelled`)
//   "slow_stop"      with "block": the stop flag is looked at only once released, so the job
//                    stays Running for a while after a stop (a device finishing its circuit)
//   "fail_user"      invalid_argument from run() (a user error, reason 1400)
//   "fail_system"    internal from run() (a service fault, reason 1500)
//   "invalid"        refused by validate() (the job is never stored)
// It records the order jobs started in and counts calibrations; tests wait on those with
// timeouts (never sleeps).
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "backends/backend.h"

namespace qrt::runtime::testing {

class FakeBackend final : public backends::Backend {
public:
    struct Options {
        std::string name = "dev";
        std::uint32_t num_qubits = 5;
        bool simulator = false;
        std::optional<Duration> calibration_interval;
        Duration qpu_time = std::chrono::milliseconds(1500);
        Duration estimate = std::chrono::seconds(2);
        bool blocking = true;  // false: "block" jobs complete at once (after a restart)
        // Called first thing in run() (on the executor thread), e.g. to look at the store.
        std::function<void(const std::string& job_id)> on_run;
    };

    explicit FakeBackend(Options options) : o_(std::move(options)) {}

    const std::string& name() const override { return o_.name; }
    std::uint32_t num_qubits() const override { return o_.num_qubits; }
    bool simulator() const override { return o_.simulator; }
    std::shared_ptr<const circuit::Target> target() const override { return nullptr; }
    std::string configuration_json() const override {
        return R"({"backend_name":")" + o_.name + R"(","backend_version":"9.8.7"})";
    }
    std::string properties_json() const override { return "{}"; }

    Result<primitives::PrimitiveJob> validate(std::string_view program_id,
                                              std::string_view params_json) const override {
        if (program_id != "sampler" && program_id != "estimator") {
            return invalid_argument("program_id: expected \"sampler\" or \"estimator\"");
        }
        if (params_json.find("invalid") != std::string_view::npos) {
            return invalid_argument("pubs[0]: not a circuit");
        }
        return primitives::PrimitiveJob{};
    }
    Duration estimate(const primitives::PrimitiveJob&) const override { return o_.estimate; }

    Result<backends::JobExecution> run(const backends::JobRequest& request) override {
        const std::string& p = request.params_json;
        if (o_.on_run) o_.on_run(request.job_id);
        {
            std::lock_guard<std::mutex> g(m_);
            started_.push_back(request.job_id);
            cv_.notify_all();
        }
        if (p.find("fail_user") != std::string::npos) return invalid_argument("pubs[0]: bad input");
        if (p.find("fail_system") != std::string::npos) return internal_error("device on fire");
        if (p.find("block") != std::string::npos && o_.blocking) {
            const bool slow_stop = p.find("slow_stop") != std::string::npos;
            std::unique_lock<std::mutex> g(m_);
            while (released_.count(request.job_id) == 0 && !release_all_) {
                if (!slow_stop && request.stop != nullptr && request.stop->load()) {
                    return Status{ErrorCode::kCancelled, "stopped"};
                }
                cv_.wait_for(g, std::chrono::milliseconds(1));  // the stop flag has no signal
            }
            if (slow_stop && request.stop != nullptr && request.stop->load()) {
                return Status{ErrorCode::kCancelled, "stopped"};
            }
        }
        backends::JobExecution ex;
        ex.result_json = R"({"ok":true,"job":")" + request.job_id + R"("})";
        ex.qpu_time = o_.qpu_time;
        ex.log_lines = {"fake ran " + request.job_id};
        ex.metadata_json = R"({"shots":100})";
        return ex;
    }

    Result<Duration> calibrate(Timestamp, std::uint64_t) override {
        std::lock_guard<std::mutex> g(m_);
        ++calibrations_;
        cv_.notify_all();
        return Duration(std::chrono::seconds(3));
    }
    std::optional<Duration> calibration_interval() const override {
        return o_.calibration_interval;
    }

    // --- test controls
    void release(const std::string& job_id) {
        std::lock_guard<std::mutex> g(m_);
        released_.insert(job_id);
        cv_.notify_all();
    }
    void release_all() {
        std::lock_guard<std::mutex> g(m_);
        release_all_ = true;
        cv_.notify_all();
    }
    std::vector<std::string> started() const {
        std::lock_guard<std::mutex> g(m_);
        return started_;
    }
    int calibrations() const {
        std::lock_guard<std::mutex> g(m_);
        return calibrations_;
    }
    // Waits (up to `timeout`) until run() of `job_id` has begun.
    bool wait_started(const std::string& job_id,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
        std::unique_lock<std::mutex> g(m_);
        return cv_.wait_for(g, timeout, [&] {
            return std::find(started_.begin(), started_.end(), job_id) != started_.end();
        });
    }
    bool wait_calibrations(int n,
                           std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
        std::unique_lock<std::mutex> g(m_);
        return cv_.wait_for(g, timeout, [&] { return calibrations_ >= n; });
    }

private:
    Options o_;
    mutable std::mutex m_;
    mutable std::condition_variable cv_;
    std::vector<std::string> started_;
    std::set<std::string> released_;
    bool release_all_ = false;
    int calibrations_ = 0;
};

}  // namespace qrt::runtime::testing
