#include "cli/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <toml.hpp>
#include <utility>
#include <vector>

#include "base/duration.h"

namespace qrt::cli {

namespace {

using Value = toml::basic_value<toml::discard_comments, std::map, std::vector>;

// Thrown inside the parser, turned into a Status at parse_config (STYLE: parsers may throw
// inside and convert at their entry point).
struct ConfigError {
    std::string message;
};

std::string kind_of(const Value& v) {
    switch (v.type()) {
        case toml::value_t::boolean:
            return "a boolean";
        case toml::value_t::integer:
            return "an integer";
        case toml::value_t::floating:
            return "a float";
        case toml::value_t::string:
            return "a string";
        case toml::value_t::offset_datetime:
        case toml::value_t::local_datetime:
        case toml::value_t::local_date:
        case toml::value_t::local_time:
            return "a date/time";
        case toml::value_t::array:
            return "an array";
        case toml::value_t::table:
            return "a table";
        default:
            return "nothing";
    }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

// One key's handler: the value and its dotted name ("server.port", "backends[1].seed").
using KeyHandler = std::function<void(const Value&, const std::string&)>;
using KeyTable = std::vector<std::pair<std::string, KeyHandler>>;

class Reader {
public:
    explicit Reader(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const Value& v, const std::string& key, const std::string& what) const {
        throw ConfigError{fmt::format("{}: {}: {}", where(v), key, what)};
    }

    std::string where(const Value& v) const {
        return fmt::format("{}:{}", file_, v.location().line());
    }

    // Applies `keys` to the entries of table `t` (named `name` in messages), in file order.
    void table(const Value& t, const std::string& name, const std::string& prefix,
               const KeyTable& keys) const {
        if (!t.is_table()) fail(t, name, "expected a table, got " + kind_of(t));
        std::vector<std::pair<std::string, const Value*>> entries;
        for (const auto& [k, v] : t.as_table()) entries.emplace_back(k, &v);
        std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
            return a.second->location().line() < b.second->location().line();
        });
        for (const auto& [k, v] : entries) {
            auto it = std::find_if(keys.begin(), keys.end(),
                                   [&](const auto& entry) { return entry.first == k; });
            if (it == keys.end()) unknown_key(*v, k, name, prefix, keys);
            it->second(*v, prefix + k);
        }
    }

    [[noreturn]] void unknown_key(const Value& v, const std::string& key, const std::string& name,
                                  const std::string& prefix, const KeyTable& keys) const {
        std::string hint;
        std::size_t best = 3;
        for (const auto& [known, handler] : keys) {
            std::size_t d = edit_distance(key, known);
            if (d < best) {
                best = d;
                hint = fmt::format(" (did you mean '{}'?)", known);
            }
        }
        if (hint.empty()) {
            std::vector<std::string> names;
            for (const auto& [known, handler] : keys) names.push_back(known);
            hint = fmt::format(" (known: {})", fmt::join(names, ", "));
        }
        if (prefix.empty()) {
            throw ConfigError{fmt::format("{}: [{}]: unknown section{}", where(v), key, hint)};
        }
        throw ConfigError{
            fmt::format("{}: {}{}: unknown key in {}{}", where(v), prefix, key, name, hint)};
    }

    std::int64_t integer(const Value& v, const std::string& key, std::int64_t lo,
                         std::int64_t hi) const {
        if (!v.is_integer()) fail(v, key, "expected an integer, got " + kind_of(v));
        std::int64_t x = v.as_integer();
        if (x < lo || x > hi) fail(v, key, fmt::format("must be in {}..{}, got {}", lo, hi, x));
        return x;
    }

    // A number (integer or float) in [lo, hi], or (lo, hi] when `lo_open`.
    double number(const Value& v, const std::string& key, double lo, double hi,
                  bool lo_open = false) const {
        double x = 0;
        if (v.is_integer()) {
            x = static_cast<double>(v.as_integer());
        } else if (v.is_floating()) {
            x = v.as_floating();
        } else {
            fail(v, key, "expected a number, got " + kind_of(v));
        }
        bool below = lo_open ? !(x > lo) : !(x >= lo);
        if (below || !(x <= hi)) {
            fail(v, key,
                 fmt::format("must be {} {} and at most {}, got {}",
                             lo_open ? "more than" : "at least", lo, hi, x));
        }
        return x;
    }

    std::string string(const Value& v, const std::string& key) const {
        if (!v.is_string()) fail(v, key, "expected a string, got " + kind_of(v));
        return v.as_string().str;
    }

    bool boolean(const Value& v, const std::string& key) const {
        if (!v.is_boolean()) fail(v, key, "expected true or false, got " + kind_of(v));
        return v.as_boolean();
    }

    // Seconds as a number, or a duration string ("2h 30m"). Must be > 0 unless `allow_zero`.
    Duration duration(const Value& v, const std::string& key, bool allow_zero = false) const {
        Duration d{};
        if (v.is_string()) {
            auto parsed = parse_duration(v.as_string().str);
            if (!parsed.ok()) fail(v, key, parsed.status().message());
            d = *parsed;
        } else if (v.is_integer() || v.is_floating()) {
            double s = v.is_integer() ? static_cast<double>(v.as_integer()) : v.as_floating();
            if (!(s >= 0) || s > 1e11) {
                fail(v, key, fmt::format("must be a number of seconds in 0..1e11, got {}", s));
            }
            d = seconds_d(s);
        } else {
            fail(v, key,
                 "expected seconds (a number) or a duration string such as \"2h 30m\", got " +
                     kind_of(v));
        }
        if (!allow_zero && d <= Duration::zero()) fail(v, key, "must be more than 0 seconds");
        return d;
    }

    template <typename Enum>
    Enum choice(const Value& v, const std::string& key,
                const std::vector<std::pair<std::string, Enum>>& options) const {
        std::string s = string(v, key);
        std::vector<std::string> names;
        for (const auto& [name, e] : options) {
            if (name == s) return e;
            names.push_back("\"" + name + "\"");
        }
        fail(v, key, fmt::format("must be one of {}, got \"{}\"", fmt::join(names, ", "), s));
    }

    const std::string& file() const { return file_; }

private:
    std::string file_;
};

std::string expand_home(const std::string& path, const EnvLookup& env) {
    if (path == "~" || path.rfind("~/", 0) == 0) {
        auto home = env("HOME");
        if (home && !home->empty()) return *home + path.substr(1);
    }
    return path;
}

void read_server(const Reader& r, const Value& t, api::ServerConfig& s) {
    KeyTable keys = {
        {"host",
         [&](const Value& v, const std::string& k) {
             std::string host = r.string(v, k);
             if (host == "localhost") host = "127.0.0.1";
             boost::system::error_code ec;
             boost::asio::ip::make_address(host, ec);
             if (ec) {
                 r.fail(v, k,
                        fmt::format("\"{}\" is not an IP address (use 127.0.0.1, ::1, or 0.0.0.0 "
                                    "to listen on every interface)",
                                    host));
             }
             s.host = host;
         }},
        {"port",
         [&](const Value& v, const std::string& k) {
             s.port = static_cast<std::uint16_t>(r.integer(v, k, 0, 65535));
         }},
        {"threads",
         [&](const Value& v, const std::string& k) {
             s.threads = static_cast<int>(r.integer(v, k, 1, 256));
         }},
        {"max_body_mb",
         [&](const Value& v, const std::string& k) {
             s.max_body_bytes = static_cast<std::size_t>(r.number(v, k, 0, 4096, true) * 1048576);
         }},
        {"max_header_kb",
         [&](const Value& v, const std::string& k) {
             s.max_header_bytes = static_cast<std::size_t>(r.integer(v, k, 1, 1024)) * 1024;
         }},
        {"rate_limit_per_s",
         [&](const Value& v, const std::string& k) {
             s.rate_limit_per_s = r.number(v, k, 0, 1e9, true);
         }},
        {"rate_burst",
         [&](const Value& v, const std::string& k) { s.rate_burst = r.number(v, k, 1, 1e9); }},
        {"token_ttl_s",
         [&](const Value& v, const std::string& k) {
             s.token_ttl = r.duration(v, k);
             if (s.token_ttl > std::chrono::hours(24 * 30)) r.fail(v, k, "must be at most 30 days");
         }},
        {"idle_timeout_s",
         [&](const Value& v, const std::string& k) { s.idle_timeout = r.duration(v, k); }},
    };
    r.table(t, "[server]", "server.", keys);
}

void read_scheduler(const Reader& r, const Value& t, sched::Settings& s) {
    auto dur = [&r](Duration& field) {
        return [&r, p = &field](const Value& v, const std::string& k) { *p = r.duration(v, k); };
    };
    KeyTable keys = {
        {"interactive_ttl_s", dur(s.interactive_ttl)},
        {"max_ttl_s", dur(s.max_ttl)},
        {"open_plan_batch_max_ttl_s", dur(s.open_plan_batch_max_ttl)},
        {"unused_session_timeout_s", dur(s.unused_session_timeout)},
        {"job_time_cap_s", dur(s.job_time_cap)},
        {"policy",
         [&](const Value& v, const std::string& k) {
             s.policy = r.choice<sched::FairSharePolicy>(
                 v, k,
                 {{"rolling_window", sched::FairSharePolicy::kRollingWindow},
                  {"half_life", sched::FairSharePolicy::kHalfLifeDecay}});
         }},
        {"fair_share_window_s", dur(s.fair_share_window)},
        {"half_life_s", dur(s.half_life)},
    };
    r.table(t, "[scheduler]", "scheduler.", keys);
}

void read_runtime(const Reader& r, const Value& t, runtime::Config& c) {
    KeyTable keys = {
        {"calibrations",
         [&](const Value& v, const std::string& k) { c.calibrations = r.boolean(v, k); }},
        {"max_pending_jobs_per_user",
         [&](const Value& v, const std::string& k) {
             c.max_pending_jobs_per_user =
                 static_cast<std::size_t>(r.integer(v, k, 1, 100'000'000));
         }},
        {"max_params_mb",
         [&](const Value& v, const std::string& k) {
             c.max_params_bytes = static_cast<std::size_t>(r.number(v, k, 0, 4096, true) * 1048576);
         }},
        {"default_instance",
         [&](const Value& v, const std::string& k) {
             std::string crn = r.string(v, k);
             if (crn.rfind("crn:", 0) != 0 || crn.size() > 256) {
                 r.fail(v, k,
                        fmt::format("must be a CRN such as \"{}\", got \"{}\"",
                                    runtime::kDefaultInstanceCrn, crn));
             }
             c.default_instance = crn;
         }},
    };
    r.table(t, "[runtime]", "runtime.", keys);
}

bool valid_backend_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return std::isalnum(c) || ch == '_' || ch == '-' || ch == '.';
    });
}

backends::DeviceSpec read_backend(const Reader& r, const Value& t, const std::string& name) {
    backends::DeviceSpec d;
    bool named = false;
    // `base`: start from a default device's description (whatever the key order), then change.
    if (t.is_table() && t.as_table().count("base") != 0) {
        const Value& b = t.as_table().at("base");
        std::string base = r.string(b, name + ".base");
        std::vector<std::string> names;
        for (const backends::DeviceSpec& spec : backends::default_device_specs()) {
            if (spec.name == base) {
                d = spec;
                named = true;
            }
            names.push_back("\"" + spec.name + "\"");
        }
        if (!named) {
            r.fail(b, name + ".base",
                   fmt::format("\"{}\" is not a default backend (one of {})", base,
                               fmt::join(names, ", ")));
        }
    }
    auto prob = [&r](double& field) {  // an error rate or fraction: [0, 1)
        return [&r, p = &field](const Value& v, const std::string& k) {
            *p = r.number(v, k, 0, 0.999999);
        };
    };
    auto positive = [&r](double& field) {
        return [&r, p = &field](const Value& v, const std::string& k) {
            *p = r.number(v, k, 0, 1e12, true);
        };
    };
    auto seconds = [&r](double& field) {
        return [&r, p = &field](const Value& v, const std::string& k) {
            *p = to_seconds(r.duration(v, k, true));
        };
    };
    KeyTable keys = {
        {"base", [](const Value&, const std::string&) {}},  // applied above
        {"name",
         [&](const Value& v, const std::string& k) {
             d.name = r.string(v, k);
             if (!valid_backend_name(d.name)) {
                 r.fail(v, k,
                        fmt::format("\"{}\": a name is 1 to 64 letters, digits, '_', '-' or '.'",
                                    d.name));
             }
             named = true;
         }},
        {"topology",
         [&](const Value& v, const std::string& k) {
             d.topology =
                 r.choice<backends::Topology>(v, k,
                                              {{"line", backends::Topology::kLine},
                                               {"ring", backends::Topology::kRing},
                                               {"grid", backends::Topology::kGrid},
                                               {"heavy_hex", backends::Topology::kHeavyHex}});
         }},
        {"num_qubits",
         [&](const Value& v, const std::string& k) {
             d.num_qubits = static_cast<std::uint32_t>(r.integer(v, k, 1, 10'000));
         }},
        {"grid_columns",
         [&](const Value& v, const std::string& k) {
             d.grid_columns = static_cast<std::uint32_t>(r.integer(v, k, 0, 10'000));
         }},
        {"family",
         [&](const Value& v, const std::string& k) {
             d.family = r.choice<backends::GateFamily>(
                 v, k, {{"ecr", backends::GateFamily::kEcr}, {"cz", backends::GateFamily::kCz}});
         }},
        {"processor_family",
         [&](const Value& v, const std::string& k) { d.processor_family = r.string(v, k); }},
        {"processor_revision",
         [&](const Value& v, const std::string& k) {
             d.processor_revision =
                 v.is_integer() ? std::to_string(v.as_integer()) : r.string(v, k);
         }},
        {"simulator", [&](const Value& v, const std::string& k) { d.simulator = r.boolean(v, k); }},
        {"dynamic_circuits",
         [&](const Value& v, const std::string& k) { d.dynamic_circuits = r.boolean(v, k); }},
        {"error_1q", prob(d.error_1q)},
        {"error_2q", prob(d.error_2q)},
        {"readout_error", prob(d.readout_error)},
        {"t1_us", positive(d.t1_us)},
        {"t2_us", positive(d.t2_us)},
        {"duration_1q_ns", positive(d.duration_1q_ns)},
        {"duration_2q_ns", positive(d.duration_2q_ns)},
        {"readout_ns", positive(d.readout_ns)},
        {"dt_ns", positive(d.dt_ns)},
        {"spread", [&](const Value& v, const std::string& k) { d.spread = r.number(v, k, 0, 5); }},
        {"faulty_fraction", prob(d.faulty_fraction)},
        {"seed",
         [&](const Value& v, const std::string& k) {
             d.seed = static_cast<std::uint64_t>(
                 r.integer(v, k, 0, std::numeric_limits<std::int64_t>::max()));
         }},
        {"rep_delay_us",
         [&](const Value& v, const std::string& k) { d.rep_delay_us = r.number(v, k, 0, 1e9); }},
        {"job_overhead_s", seconds(d.job_overhead_s)},
        {"circuit_overhead_s", seconds(d.circuit_overhead_s)},
        {"time_scale",
         [&](const Value& v, const std::string& k) { d.time_scale = r.number(v, k, 0, 1000); }},
        {"calibration_interval_s",
         [&](const Value& v, const std::string& k) {
             Duration every = r.duration(v, k, true);
             if (every == Duration::zero()) {
                 d.calibration_interval.reset();  // 0: never calibrate
             } else {
                 d.calibration_interval = every;
             }
         }},
        {"max_memory_mb",
         [&](const Value& v, const std::string& k) {
             d.max_memory_bytes = static_cast<std::size_t>(r.integer(v, k, 1, 1 << 24)) << 20;
         }},
        {"threads",
         [&](const Value& v, const std::string& k) {
             d.threads = static_cast<int>(r.integer(v, k, 0, 1024));
         }},
    };
    r.table(t, "[[backends]]", name + ".", keys);
    if (!named) {
        r.fail(t, name + ".name", "every [[backends]] entry needs a name (or a base)");
    }
    if (d.topology != backends::Topology::kGrid && d.grid_columns != 0) {
        r.fail(t, name + ".grid_columns", "only a grid topology has columns");
    }
    return d;
}

void read_log(const Reader& r, const Value& t, ServeConfig& out) {
    KeyTable keys = {
        {"level",
         [&](const Value& v, const std::string& k) {
             auto level = parse_log_level(r.string(v, k));
             if (!level.ok()) {
                 r.fail(v, k,
                        fmt::format("must be one of \"debug\", \"info\", \"warn\", \"error\", "
                                    "\"off\", got \"{}\"",
                                    v.as_string().str));
             }
             out.log_level = *level;
         }},
        {"format",
         [&](const Value& v, const std::string& k) {
             auto format = parse_log_format(r.string(v, k));
             if (!format.ok()) {
                 r.fail(v, k,
                        fmt::format("must be one of \"json\", \"text\", got \"{}\"",
                                    v.as_string().str));
             }
             out.log_format = *format;
         }},
    };
    r.table(t, "[log]", "log.", keys);
}

void read_metrics(const Reader& r, const Value& t, ServeConfig& out) {
    KeyTable keys = {
        {"require_auth",
         [&](const Value& v, const std::string& k) { out.metrics_require_auth = r.boolean(v, k); }},
    };
    r.table(t, "[metrics]", "metrics.", keys);
}

ServeConfig read_config(const Reader& r, const Value& root) {
    ServeConfig out;
    KeyTable sections = {
        {"server", [&](const Value& v, const std::string&) { read_server(r, v, out.server); }},
        {"store",
         [&](const Value& v, const std::string&) {
             KeyTable keys = {
                 {"data_dir",
                  [&](const Value& dv, const std::string& k) {
                      std::string dir = expand_home(r.string(dv, k), process_env());
                      if (dir.empty()) r.fail(dv, k, "must not be empty");
                      std::filesystem::path p(dir);
                      if (p.is_relative()) {
                          p = std::filesystem::path(r.file()).parent_path() / p;
                      }
                      std::error_code ec;
                      std::filesystem::path abs = std::filesystem::absolute(p, ec);
                      out.runtime.data_dir = (ec ? p : abs).lexically_normal().string();
                  }},
             };
             r.table(v, "[store]", "store.", keys);
         }},
        {"scheduler",
         [&](const Value& v, const std::string&) { read_scheduler(r, v, out.runtime.scheduler); }},
        {"runtime", [&](const Value& v, const std::string&) { read_runtime(r, v, out.runtime); }},
        {"backends",
         [&](const Value& v, const std::string& k) {
             if (!v.is_array()) {
                 r.fail(v, k, "expected [[backends]] tables, got " + kind_of(v));
             }
             const auto& list = v.as_array();
             if (list.empty()) r.fail(v, k, "needs at least one backend");
             std::vector<backends::DeviceSpec> devices;
             std::map<std::string, std::size_t> seen;
             for (std::size_t i = 0; i < list.size(); ++i) {
                 std::string name = fmt::format("backends[{}]", i);
                 if (!list[i].is_table()) {
                     r.fail(list[i], name, "expected a table, got " + kind_of(list[i]));
                 }
                 backends::DeviceSpec d = read_backend(r, list[i], name);
                 if (auto [it, fresh] = seen.emplace(d.name, i); !fresh) {
                     r.fail(list[i].as_table().at("name"), name + ".name",
                            fmt::format("\"{}\" is already the name of backends[{}]", d.name,
                                        it->second));
                 }
                 devices.push_back(std::move(d));
             }
             out.runtime.devices = std::move(devices);
         }},
        {"log", [&](const Value& v, const std::string&) { read_log(r, v, out); }},
        {"metrics", [&](const Value& v, const std::string&) { read_metrics(r, v, out); }},
    };
    if (!root.is_table()) throw ConfigError{r.file() + ": expected a TOML table at the top"};
    // A key before any [section] is a top-level key: say which section it belongs in.
    for (const auto& [k, v] : root.as_table()) {
        bool is_section = std::any_of(sections.begin(), sections.end(),
                                      [&](const auto& s) { return s.first == k; });
        if (!is_section && !v.is_table() && !v.is_array()) {
            throw ConfigError{fmt::format(
                "{}: {}: unknown top-level key (keys belong in a section: [server], [store], "
                "[scheduler], [runtime], [[backends]] or [log])",
                r.where(v), k)};
        }
    }
    r.table(root, "the file", "", sections);
    return out;
}

std::string first_line(std::string_view text) {
    return std::string(text.substr(0, text.find('\n')));
}

}  // namespace

Result<ServeConfig> parse_config(std::string_view text, const std::string& file_name) {
    Reader reader(file_name);
    try {
        std::istringstream in{std::string(text)};
        Value root = toml::parse<toml::discard_comments, std::map, std::vector>(in, file_name);
        return read_config(reader, root);
    } catch (const ConfigError& e) {
        return invalid_argument(e.message);
    } catch (const toml::syntax_error& e) {
        std::string what = e.what();
        std::string head = first_line(what);
        if (head.rfind("[error] ", 0) == 0) head.erase(0, 8);
        std::string rest = what.find('\n') == std::string::npos ? "" : what.substr(what.find('\n'));
        return invalid_argument(fmt::format("{}:{}: TOML syntax error: {}{}", file_name,
                                            e.location().line(), head, rest));
    } catch (const std::exception& e) {
        return invalid_argument(fmt::format("{}: {}", file_name, e.what()));
    }
}

Result<ServeConfig> load_config_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::error_code ec;
        bool exists = std::filesystem::exists(path, ec);
        return invalid_argument(
            fmt::format("cannot read the configuration file {}: {}", path,
                        exists ? "permission denied or not a file" : "no such file"));
    }
    std::ostringstream text;
    text << f.rdbuf();
    if (f.bad()) {
        return invalid_argument(fmt::format("cannot read the configuration file {}", path));
    }
    return parse_config(text.str(), path);
}

EnvLookup process_env() {
    return [](const char* name) -> std::optional<std::string> {
        const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at startup
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

Result<std::string> resolve_data_dir(const std::string& flag, const std::string& from_config,
                                     const EnvLookup& env) {
    if (!flag.empty()) return expand_home(flag, env);
    if (auto dir = env("QRT_DATA_DIR"); dir && !dir->empty()) return expand_home(*dir, env);
    if (!from_config.empty()) return from_config;
    if (auto home = env("HOME"); home && !home->empty()) return *home + "/.local/share/qrt";
    return failed_precondition("no data directory: pass --data-dir, set QRT_DATA_DIR, or set HOME");
}

}  // namespace qrt::cli
