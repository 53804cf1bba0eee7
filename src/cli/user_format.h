// What the user verbs print (`qrt backends`, `run`, `jobs`, `sessions`): tables for people and
// JSON for scripts, from the client library's types. Field names of the JSON forms are part of
// the command's interface (docs/cli.md); they follow the library's names.
//
// Thread-safety: pure functions.
#pragma once

#include <qrt/qrt.h>

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/time.h"

namespace qrt::cli {

// ---- backends
// NAME  QUBITS  STATUS  PENDING  SIMULATOR  (ACTIVE SESSION when any backend has one)
std::string backends_table(const std::vector<BackendInfo>& backends);
boost::json::value backend_json(const BackendInfo& backend);

// ---- jobs
// ID  STATUS  PROGRAM  BACKEND  SESSION  CREATED  TAGS
std::string jobs_table(const std::vector<JobInfo>& jobs);
// "id:  job_...", status, program, backend, session, tags, times, usage, queue (V1/V2), reason.
std::string job_text(const JobInfo& job, Timestamp now);
boost::json::value job_json(const JobInfo& job);

// ---- sessions
std::string session_text(const SessionDetails& session);
boost::json::value session_json(const SessionDetails& session);

// ---- results
// The `top` most frequent outcomes, most frequent first (ties: by bitstring), each with its
// count, probability and a bar scaled to the most frequent (`bar_width` cells, eighths of a
// cell drawn with block characters); then "... N more outcomes (M shots)" when some were left
// out.
std::string counts_table(const std::map<std::string, std::uint64_t>& counts, std::size_t top = 16,
                         std::size_t bar_width = 40);
// OBSERVABLE  EV  STD, one row per value; `labels[i]` names value i ("#i" when missing).
std::string evs_table(const std::vector<std::string>& labels, const std::vector<double>& evs,
                      const std::vector<double>& stds);

// A job's result for people: per PUB, a counts table per register (Sampler) or an evs table
// (Estimator); `program_id` says which ("sampler" | "estimator"); `observable_labels` names the
// estimator's values when known (qrt run).
std::string result_text(const PrimitiveResult& result, const std::string& program_id,
                        const std::vector<std::string>& observable_labels = {});
// {"pubs": [{"counts": {"meas": {"00": 2051, ...}}}]} (Sampler) or
// {"pubs": [{"evs": [...], "stds": [...], "shape": [...]}]} (Estimator).
boost::json::value result_json(const PrimitiveResult& result, const std::string& program_id);

}  // namespace qrt::cli
