// What the job page shows about a job's content: a summary of its PUBs (read from the params
// with the same decoder the executor uses) and the data for its result picture (read from the
// /results body, typed or plain form), and a backend's device map (from its configuration and
// properties JSON).
//
// Pure functions; thread-safe. Errors: invalid_argument / unimplemented from the decoders,
// with their reasons (the page shows them instead of the picture).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "store/job_store.h"
#include "web/svg.h"

namespace qrt::web {

struct PubSummary {
    std::uint32_t num_qubits = 0;
    std::uint32_t num_clbits = 0;
    std::size_t depth = 0;       // layers of non-barrier operations on qubits and clbits
    std::size_t operations = 0;  // top-level instructions (barriers not counted)
    std::size_t parameters = 0;  // free circuit parameters
    std::size_t parameter_sets = 1;
    std::optional<std::uint64_t> shots;    // sampler: the PUB's shots or the default
    std::optional<double> precision;       // estimator
    std::size_t num_observables = 0;       // estimator
    std::vector<std::string> observables;  // the first few, as "0.5*ZZ + 1*XX"
    std::string circuit_name;
};

// program_id "sampler" or "estimator"; params as stored.
Result<std::vector<PubSummary>> summarize_pubs(std::string_view program_id,
                                               std::string_view params_json);

struct RegisterCounts {
    std::string name;
    std::uint32_t num_bits = 0;
    std::uint64_t shots = 0;
    std::vector<Bar> counts;  // bitstring -> count, most frequent first, at most `max_bars`
    std::uint64_t other = 0;  // shots in the outcomes left out
};

struct PubResultPicture {
    std::vector<RegisterCounts> registers;  // sampler
    std::vector<ErrorBar> evs;              // estimator (flattened over the PUB's shape)
};

// The /results body of a Completed job. `max_bars` bounds the histogram.
Result<std::vector<PubResultPicture>> picture_results(std::string_view program_id,
                                                      std::string_view result_json,
                                                      std::size_t max_bars = 32);

// A device map from a backend's configuration JSON (n_qubits, coupling_map) and properties
// JSON (readout_error per qubit, gate_error of 2-qubit gates); positions left empty (the
// caller lays the graph out once with layout_graph and keeps it). A simulator (no coupling map)
// gives num_qubits with no edges.
Result<DeviceMap> device_map_from_json(std::string_view backend,
                                       std::string_view configuration_json,
                                       std::string_view properties_json);

// The phases of a session or batch for its timeline, reconstructed from its record and its jobs
// (the store keeps no history of activations): pending until it first starts; busy while one
// of its jobs runs; active but idle for up to interactive_ttl after a job (rule S5); inactive
// after that; nothing after closed_at (or after `now` while open). `jobs` in any order.
std::vector<Segment> workload_phases(const store::SessionRecord& session,
                                     const std::vector<store::JobRecord>& jobs, Timestamp now);

}  // namespace qrt::web
