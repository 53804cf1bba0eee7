// The `qrt serve` configuration file (TOML, every key optional; docs/operations.md lists them all):
// parsing into runtime::Config + api::ServerConfig, and where the data directory is.
//
//     [server]     host port threads max_body_mb max_header_kb rate_limit_per_s rate_burst
//                  token_ttl_s idle_timeout_s
//     [store]      data_dir
//     [scheduler]  interactive_ttl_s max_ttl_s open_plan_batch_max_ttl_s job_time_cap_s policy
//                  fair_share_window_s half_life_s unused_session_timeout_s
//     [runtime]    calibrations max_pending_jobs_per_user max_params_mb default_instance
//     [[backends]] one table per emulated device (replaces the default set): base name topology
//                  num_qubits grid_columns family processor_family processor_revision simulator
//                  dynamic_circuits error_1q error_2q readout_error t1_us t2_us duration_1q_ns
//                  duration_2q_ns readout_ns dt_ns spread faulty_fraction seed rep_delay_us
//                  job_overhead_s circuit_overhead_s time_scale calibration_interval_s
//                  max_memory_mb threads
//                  (`base = "emu_small5"` starts from a default device; other keys change it)
//     [log]        level format ("json" or "text"; `qrt serve` defaults to json)
//     [metrics]    require_auth (GET /metrics for admins only; default false: open)
//
// Strict: an unknown section or key, a value of the wrong type or out of range is an error that
// names the file, line and key (`qrt.toml:7: server.port: must be in 0..65535, got 70000`), so a
// typo never passes silently. Durations (keys ending in _s) take a number of seconds or a
// duration string ("90s", "2h 30m"; base/duration.h).
//
// Thread-safety: pure functions (resolve_data_dir reads the environment).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/server.h"
#include "base/log.h"
#include "base/status.h"
#include "runtime/runtime.h"

namespace qrt::cli {

struct ServeConfig {
    runtime::Config runtime;  // runtime.data_dir: [store] data_dir (absolute), or empty
    api::ServerConfig server;
    std::optional<LogLevel> log_level;    // [log] level
    std::optional<LogFormat> log_format;  // [log] format
    bool metrics_require_auth = false;    // [metrics] require_auth
};

// Parses configuration text. `file_name` names the text in messages; a relative [store]
// data_dir is taken relative to the directory of `file_name`. Errors: invalid_argument with
// "FILE:LINE: KEY: what is wrong".
Result<ServeConfig> parse_config(std::string_view text, const std::string& file_name);

// Reads and parses a configuration file. Errors: invalid_argument (unreadable file, or as
// parse_config).
Result<ServeConfig> load_config_file(const std::string& path);

// Looks up an environment variable (a seam for tests).
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();

// The data directory, first found of: `flag` (--data-dir), $QRT_DATA_DIR, `from_config`
// ([store] data_dir), $HOME/.local/share/qrt. failed_precondition when none applies (no HOME).
Result<std::string> resolve_data_dir(const std::string& flag, const std::string& from_config,
                                     const EnvLookup& env);

}  // namespace qrt::cli
