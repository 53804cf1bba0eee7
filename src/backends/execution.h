// What the emulated device and the ideal simulator share when they take a job: decoding and
// checking its params against a Target, running it on the primitives, and encoding the answer.
// Internal to the backends module. Pure functions; thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "backends/timing.h"
#include "base/status.h"
#include "circuit/target.h"
#include "primitives/job_codec.h"
#include "primitives/primitives.h"

namespace qrt::backends::detail {

// Decodes `params_json` for `program_id` and checks it against `target`: every PUB circuit
// passes validate_isa (devices, `check_isa`; the client's message, unprefixed as the client
// shows it) or is no wider than the target (simulator); rzz angles of every parameter row are
// in range when the target has rzz; no PUB asks for more than target.max_shots shots.
Result<primitives::PrimitiveJob> decode_and_check(const circuit::Target& target,
                                                  std::string_view program_id,
                                                  std::string_view params_json, bool check_isa);

struct RawResults {
    std::vector<primitives::SamplerPubResult> sampler;
    std::vector<primitives::EstimatorPubResult> estimator;
};

// Runs the job's PUBs (a seed the options leave unset comes from `seed`). Errors: those of
// run_sampler / run_estimator; kCancelled whenever the stop flag was raised.
Result<RawResults> run_primitives(primitives::PrimitiveJob& job,
                                  const primitives::ExecutionContext& context, std::uint64_t seed);

// `planned` with each PUB's executions and shots replaced by what actually ran.
std::vector<PubTiming> as_run(const primitives::PrimitiveJob& job, const RawResults& results,
                              std::vector<PubTiming> planned);

std::string encode_results(const primitives::PrimitiveJob& job, const RawResults& results,
                           const primitives::ResultMetadata& meta);

// Total shots of the PUBs as run (sum of executions * shots).
std::uint64_t total_shots(const std::vector<PubTiming>& pubs);

// Sleeps until `until`, in steps of at most 20 ms; kCancelled as soon as `stop` is raised.
Status sleep_until(std::chrono::steady_clock::time_point until, const std::atomic<bool>* stop);

// "2 PUBs" / "1 PUB".
std::string count_noun(std::size_t n, std::string_view noun);

}  // namespace qrt::backends::detail
