// `qrt jobs list|show|result|cancel|tags|wait`.
#include <qrt/qrt.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <ostream>

#include "base/time.h"
#include "cli/exit_codes.h"
#include "cli/table.h"
#include "cli/user_format.h"
#include "cli/user_verbs.h"

namespace qrt::cli {

namespace json = boost::json;

namespace {

// "queued", "RUNNING", "done" or "completed", "error" or "failed", "cancelled" (any case).
JobStatus parse_status(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (text == "queued") return JobStatus::kQueued;
    if (text == "running") return JobStatus::kRunning;
    if (text == "done" || text == "completed") return JobStatus::kCompleted;
    if (text == "error" || text == "failed") return JobStatus::kFailed;
    if (text == "cancelled" || text == "canceled") return JobStatus::kCancelled;
    throw Error(ErrorKind::kInvalidArgument,
                "--status: \"" + text + "\" is not queued, running, done, error or cancelled");
}

bool is_final(JobStatus s) {
    return s == JobStatus::kCompleted || s == JobStatus::kFailed || s == JobStatus::kCancelled;
}

}  // namespace

void UserCommands::add_jobs(CLI::App& app) {
    auto* jobs = app.add_subcommand("jobs", "List, inspect, wait for, tag and cancel jobs");
    jobs->require_subcommand(1);
    JobsArgs& a = jobs_args_;

    jobs_list_ = jobs->add_subcommand("list", "List jobs, newest first");
    jobs_list_->add_option("--status", a.status,
                           "only jobs in this state: queued, running, done, error, cancelled");
    jobs_list_->add_option("--backend", a.backend, "only jobs on this backend");
    jobs_list_->add_option("--session", a.session, "only jobs of this session or batch");
    jobs_list_->add_option("--tag", a.tag, "only jobs with this tag");
    jobs_list_->add_option("--limit", a.limit, "at most this many jobs")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();

    jobs_show_ = jobs->add_subcommand(
        "show", "Show a job: state, times, tags, queue position and why it waits (rules V1, V2)");
    jobs_result_ = jobs->add_subcommand(
        "result", "Print a finished job's result: counts (Sampler) or expectation values");
    jobs_result_->add_flag("--raw", a.raw, "print the result JSON as the server sent it");
    jobs_cancel_ = jobs->add_subcommand("cancel", "Cancel a queued or running job");
    jobs_tags_ = jobs->add_subcommand("tags", "Replace a job's tags");
    jobs_wait_ = jobs->add_subcommand(
        "wait", "Wait for a job with a live status line, then print its result");
    jobs_wait_->add_option("--timeout", timeout_,
                           "give up waiting after this long (e.g. 90s, 10m; exit 6)");
    for (CLI::App* verb : {jobs_show_, jobs_result_, jobs_cancel_, jobs_tags_, jobs_wait_}) {
        verb->add_option("id", a.id, "job id (job_...)")->required();
    }
    jobs_tags_->add_option("tags", a.tags, "the new tags (none: remove all)");
    for (CLI::App* verb :
         {jobs_list_, jobs_show_, jobs_result_, jobs_cancel_, jobs_tags_, jobs_wait_}) {
        verbs_.push_back(verb);
    }
}

int UserCommands::run_jobs(Context& ctx) const {
    const JobsArgs& a = jobs_args_;
    if (jobs_list_->parsed()) {
        JobFilter filter;
        if (!a.status.empty()) filter.status = parse_status(a.status);
        filter.backend = a.backend;
        filter.session_id = a.session;
        filter.tag = a.tag;
        filter.limit = a.limit;
        auto jobs = ctx.service->jobs(filter);
        if (ctx.json) {
            json::array list;
            for (const auto& j : jobs) list.push_back(job_json(j));
            ctx.out << pretty_json(json::object{{"jobs", list}}) << "\n";
        } else {
            ctx.out << jobs_table(jobs);
        }
        return kExitOk;
    }
    if (jobs_wait_->parsed()) return wait_and_print(ctx, a.id, {});

    Job job = ctx.service->job(a.id);
    if (jobs_show_->parsed()) {
        JobInfo info = job.info();
        ctx.out << (ctx.json ? pretty_json(job_json(info)) + "\n"
                             : job_text(info, SystemClock().now()));
    } else if (jobs_result_->parsed()) {
        JobInfo info = job.info();
        if (!is_final(info.status)) {
            throw Error(ErrorKind::kConflict, "job " + a.id + " is still " +
                                                  std::string(to_string(info.status)) +
                                                  " (wait for it: qrt jobs wait " + a.id + ")");
        }
        PrimitiveResult result = job.result();  // Failed, Cancelled: throws, exit 5
        if (a.raw) {
            ctx.out << result.raw_json() << "\n";
        } else if (ctx.json) {
            ctx.out << pretty_json(result_json(result, info.program_id)) << "\n";
        } else {
            ctx.out << result_text(result, info.program_id);
        }
    } else if (jobs_cancel_->parsed()) {
        job.cancel();
        if (ctx.json) {
            ctx.out << pretty_json(json::object{{"id", a.id}, {"cancelled", true}}) << "\n";
        } else {
            ctx.out << "cancelled " << a.id << "\n";
        }
    } else if (jobs_tags_->parsed()) {
        job.update_tags(a.tags);
        if (ctx.json) {
            json::array tags;
            for (const auto& t : a.tags) tags.emplace_back(t);
            ctx.out << pretty_json(json::object{{"id", a.id}, {"tags", tags}}) << "\n";
        } else {
            std::string list;
            for (const auto& t : a.tags) list += (list.empty() ? "" : ", ") + t;
            ctx.out << "tags of " << a.id << ": " << (list.empty() ? "(none)" : list) << "\n";
        }
    }
    return kExitOk;
}

}  // namespace qrt::cli
