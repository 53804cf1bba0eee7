// Response bodies: the JSON the Qiskit client reads for jobs, sessions, backends and usage
// (shared/reference/runtime-rest-protocol.md §2.2), and qrt's admin records. Field names and
// null-versus-absent choices are part of the wire contract and are listed in docs/http-api.md;
// tests pin them.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "api/json_writer.h"
#include "runtime/runtime.h"

namespace qrt::api {

// One job. `view` adds the queue_info extension (Queued jobs); `with_params` adds "params"
// (the stored text, verbatim).
void write_job(JsonWriter& w, const store::JobRecord& job, bool with_params,
               const runtime::JobView* view = nullptr);
std::string job_json(const runtime::JobView& view, bool with_params);

// {"jobs":[...],"count":N,"limit":L,"offset":O}. `count` is max(total, offset + jobs): the
// client pages until it has count - skip jobs, so a count below what it already holds (offset
// past the end, or jobs deleted while paging) would make it loop forever.
std::string job_list_json(const store::JobPage& page, std::size_t limit, std::size_t offset);

std::string session_json(const runtime::SessionView& view);

// GET /backends element, and the whole list in both API-version shapes.
void write_backend_device(JsonWriter& w, const runtime::BackendView& b);
std::string backends_json(const std::vector<runtime::BackendView>& backends, bool names_only);
// GET /backends/{name}/status.
std::string backend_status_json(const runtime::BackendView& b);

// GET /instances/usage.
std::string usage_json(const runtime::InstanceUsageView& usage);

// Admin records.
void write_user(JsonWriter& w, const store::UserRecord& user,
                const std::vector<std::string>* instances);
void write_instance(JsonWriter& w, const store::InstanceRecord& instance);
std::string new_key_json(const runtime::NewKey& key);

}  // namespace qrt::api
