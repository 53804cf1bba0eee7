#include "base/metrics.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <type_traits>

#ifndef QRT_VERSION
#define QRT_VERSION "0.0.0"
#endif

namespace qrt::metrics {

namespace {

void atomic_add(std::atomic<double>& a, double v) {
    double old = a.load(std::memory_order_relaxed);
    while (!a.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
    }
}

bool valid_metric_name(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

bool valid_label_name(std::string_view name) {
    if (name.empty() || name.starts_with("__") || name == "le") return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

std::string_view type_name(Type t) {
    switch (t) {
        case Type::kCounter:
            return "counter";
        case Type::kGauge:
            return "gauge";
        case Type::kHistogram:
            return "histogram";
    }
    return "untyped";
}

// {a="x",b="y"} (with `extra` = `le="0.5"` appended), or nothing without labels.
void write_labels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, std::string_view extra = {}) {
    if (names.empty() && extra.empty()) return;
    out += '{';
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
        if (i > 0) out += ',';
        out += names[i];
        out += "=\"";
        out += escape_label_value(values[i]);
        out += '"';
    }
    if (!extra.empty()) {
        if (!names.empty()) out += ',';
        out += extra;
    }
    out += '}';
}

void write_header(std::string& out, std::string_view name, std::string_view help, Type type) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name,
                   escape_help(help), name, type_name(type));
}

void write_sample(std::string& out, std::string_view name, const std::vector<std::string>& names,
                  const std::vector<std::string>& values, double v, std::string_view extra = {}) {
    out += name;
    write_labels(out, names, values, extra);
    out += ' ';
    out += format_value(v);
    out += '\n';
}

}  // namespace

// ------------------------------------------------------------------ values

void Counter::add(double v) {
    if (!(v > 0)) return;  // also NaN
    atomic_add(fraction_, v);
}

double Counter::value() const {
    return static_cast<double>(whole_.load(std::memory_order_relaxed)) +
           fraction_.load(std::memory_order_relaxed);
}

void Gauge::add(double v) { atomic_add(value_, v); }

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), buckets_(new std::atomic<std::uint64_t>[bounds->size() + 1]) {
    for (std::size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) {
    if (std::isnan(v)) return;
    const auto it = std::lower_bound(bounds_->begin(), bounds_->end(), v);  // first bound >= v
    buckets_[static_cast<std::size_t>(it - bounds_->begin())].fetch_add(1,
                                                                        std::memory_order_relaxed);
    atomic_add(sum_, v);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.cumulative.resize(bounds_->size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_->size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative[i] = running;
    }
    s.count = running;
    s.sum = sum_.load(std::memory_order_relaxed);
    return s;
}

std::vector<double> latency_buckets() {
    return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
            0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5, 5, 10};
}

std::vector<double> job_time_buckets() {
    return {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 4 * 3600.0, 86400};
}

// ------------------------------------------------------------------ families

template <typename T>
T& Family<T>::with(std::initializer_list<std::string_view> values) {
    std::vector<std::string> key;
    key.reserve(values.size());
    for (std::string_view v : values) key.emplace_back(v);
    return find_or_make(std::move(key));
}

template <typename T>
T& Family<T>::with(const std::vector<std::string>& values) {
    return find_or_make(values);
}

template <typename T>
T& Family<T>::find_or_make(std::vector<std::string> key) {
    if (key.size() != label_names_.size()) {
        throw std::logic_error(fmt::format("metric {}: {} label values for {} labels", name_,
                                           key.size(), label_names_.size()));
    }
    std::lock_guard lock(mu_);
    auto it = children_.find(key);
    if (it != children_.end()) return *it->second;
    std::unique_ptr<T> child;
    if constexpr (std::is_same_v<T, Histogram>) {
        child = std::make_unique<Histogram>(&bounds_);
    } else {
        child = std::make_unique<T>();
    }
    T& ref = *child;
    children_.emplace(std::move(key), std::move(child));
    return ref;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ------------------------------------------------------------------ registry

CollectorHandle& CollectorHandle::operator=(CollectorHandle&& other) noexcept {
    if (this != &other) {
        reset();
        slot_ = std::move(other.slot_);
    }
    return *this;
}

void CollectorHandle::reset() {
    if (!slot_) return;
    {
        std::lock_guard lock(slot_->mu);  // waits for a scrape that is calling it
        slot_->fn = nullptr;
    }
    slot_.reset();
}

Registry::Entry& Registry::entry(const std::string& name, const std::string& help,
                                 const std::vector<std::string>& label_names, Type type,
                                 const std::vector<double>& bounds) {
    if (!valid_metric_name(name)) throw std::logic_error("invalid metric name: " + name);
    for (const auto& l : label_names) {
        if (!valid_label_name(l)) throw std::logic_error("metric " + name + ": bad label " + l);
    }
    auto it = families_.find(name);
    if (it != families_.end()) {
        const Entry& e = it->second;
        const std::vector<std::string>* names = nullptr;
        const std::string* old_help = nullptr;
        if (e.counters) {
            names = &e.counters->label_names();
            old_help = &e.counters->help();
        } else if (e.gauges) {
            names = &e.gauges->label_names();
            old_help = &e.gauges->help();
        } else {
            names = &e.histograms->label_names();
            old_help = &e.histograms->help();
        }
        if (e.type != type || *names != label_names || *old_help != help ||
            (e.histograms && e.histograms->bounds() != bounds)) {
            throw std::logic_error("metric " + name + " registered twice, differently");
        }
        return it->second;
    }
    Entry e;
    e.type = type;
    switch (type) {
        case Type::kCounter:
            e.counters = std::make_unique<Family<Counter>>(name, help, label_names);
            break;
        case Type::kGauge:
            e.gauges = std::make_unique<Family<Gauge>>(name, help, label_names);
            break;
        case Type::kHistogram:
            e.histograms = std::make_unique<Family<Histogram>>(name, help, label_names, bounds);
            break;
    }
    return families_.emplace(name, std::move(e)).first->second;
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   const std::vector<std::string>& label_names) {
    std::lock_guard lock(mu_);
    return *entry(name, help, label_names, Type::kCounter, {}).counters;
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               const std::vector<std::string>& label_names) {
    std::lock_guard lock(mu_);
    return *entry(name, help, label_names, Type::kGauge, {}).gauges;
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       const std::vector<std::string>& label_names,
                                       std::vector<double> bounds) {
    if (bounds.empty()) throw std::logic_error("histogram " + name + " without buckets");
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
            throw std::logic_error("histogram " + name + ": bounds must increase and be finite");
        }
    }
    std::lock_guard lock(mu_);
    return *entry(name, help, label_names, Type::kHistogram, bounds).histograms;
}

CollectorHandle Registry::add_collector(Collector collector) {
    auto slot = std::make_shared<CollectorHandle::Slot>();
    slot->fn = std::move(collector);
    std::lock_guard lock(mu_);
    // Forget slots whose handles are gone.
    std::erase_if(collectors_, [](const auto& s) { return s.use_count() == 1; });
    collectors_.push_back(slot);
    return CollectorHandle(std::move(slot));
}

std::string Registry::exposition() const {
    // Collectors run without the registry lock (they take their owners' locks).
    std::vector<std::shared_ptr<CollectorHandle::Slot>> slots;
    {
        std::lock_guard lock(mu_);
        slots = collectors_;
    }
    std::map<std::string, CollectedFamily> collected;
    for (const auto& slot : slots) {
        std::lock_guard lock(slot->mu);
        if (!slot->fn) continue;
        std::vector<CollectedFamily> out;
        slot->fn(out);
        for (CollectedFamily& f : out) {
            auto [it, fresh] = collected.try_emplace(f.name);
            if (fresh) {
                it->second = std::move(f);
            } else {
                for (Sample& s : f.samples) it->second.samples.push_back(std::move(s));
            }
        }
    }

    std::string out;
    out.reserve(8192);
    std::lock_guard lock(mu_);
    auto registered = families_.begin();
    auto from_collector = collected.begin();
    while (registered != families_.end() || from_collector != collected.end()) {
        const bool take_collected =
            registered == families_.end() ||
            (from_collector != collected.end() && from_collector->first < registered->first);
        if (take_collected) {
            const CollectedFamily& f = from_collector->second;
            if (valid_metric_name(f.name)) {
                write_header(out, f.name, f.help, f.type);
                for (const Sample& s : f.samples) {
                    write_sample(out, f.name, f.label_names, s.label_values, s.value);
                }
            }
            ++from_collector;
            continue;
        }
        // Not a structured binding: lambdas below capture these (clang < 16 cannot capture one).
        const auto& name = registered->first;
        const auto& e = registered->second;
        ++registered;
        if (from_collector != collected.end() && from_collector->first == name) {
            ++from_collector;  // a registered family wins over a collector's of the same name
        }
        switch (e.type) {
            case Type::kCounter:
                write_header(out, name, e.counters->help(), e.type);
                e.counters->for_each([&](const std::vector<std::string>& labels, const Counter& c) {
                    write_sample(out, name, e.counters->label_names(), labels, c.value());
                });
                break;
            case Type::kGauge:
                write_header(out, name, e.gauges->help(), e.type);
                e.gauges->for_each([&](const std::vector<std::string>& labels, const Gauge& g) {
                    write_sample(out, name, e.gauges->label_names(), labels, g.value());
                });
                break;
            case Type::kHistogram: {
                write_header(out, name, e.histograms->help(), e.type);
                const Family<Histogram>& fam = *e.histograms;
                const std::string bucket = name + "_bucket";
                const std::string sum = name + "_sum";
                const std::string count = name + "_count";
                fam.for_each([&](const std::vector<std::string>& labels, const Histogram& h) {
                    const Histogram::Snapshot snap = h.snapshot();
                    for (std::size_t i = 0; i < fam.bounds().size(); ++i) {
                        write_sample(out, bucket, fam.label_names(), labels,
                                     static_cast<double>(snap.cumulative[i]),
                                     fmt::format("le=\"{}\"", format_value(fam.bounds()[i])));
                    }
                    write_sample(out, bucket, fam.label_names(), labels,
                                 static_cast<double>(snap.count), "le=\"+Inf\"");
                    write_sample(out, sum, fam.label_names(), labels, snap.sum);
                    write_sample(out, count, fam.label_names(), labels,
                                 static_cast<double>(snap.count));
                });
                break;
            }
        }
    }
    return out;
}

// ------------------------------------------------------------------ format pieces

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    // Whole numbers below 2^53 print as integers (counts), others in the shortest form that
    // reads back exactly.
    if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
        return fmt::format("{}", static_cast<std::int64_t>(v));
    }
    return fmt::format("{}", v);
}

// ------------------------------------------------------------------ the process's registry

namespace {

const double kProcessStart = [] {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}();

void collect_process(std::vector<CollectedFamily>& out) {
    rusage ru{};
    if (::getrusage(RUSAGE_SELF, &ru) == 0) {
        const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        out.push_back({"process_cpu_seconds_total",
                       "User and system CPU time spent by the process in seconds",
                       Type::kCounter,
                       {},
                       {{{}, cpu}}});
    }
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
        unsigned long size = 0, resident = 0;
        if (std::fscanf(f, "%lu %lu", &size, &resident) == 2) {
            const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
            out.push_back({"process_resident_memory_bytes", "Resident memory size in bytes",
                           Type::kGauge,
                           {},
                           {{{}, static_cast<double>(resident) * page}}});
            out.push_back({"process_virtual_memory_bytes", "Virtual memory size in bytes",
                           Type::kGauge,
                           {},
                           {{{}, static_cast<double>(size) * page}}});
        }
        std::fclose(f);
    }
    std::error_code ec;
    std::size_t fds = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        ++fds;
    }
    if (!ec) {
        out.push_back({"process_open_fds", "Open file descriptors", Type::kGauge,
                       {},
                       {{{}, static_cast<double>(fds)}}});
    }
    out.push_back({"process_start_time_seconds",
                   "Start time of the process since the Unix epoch in seconds", Type::kGauge,
                   {},
                   {{{}, kProcessStart}}});
}

}  // namespace

Registry& default_registry() {
    static Registry* registry = [] {
        auto* r = new Registry();  // never destroyed: metrics may be touched during exit
        r->gauge("qrt_build_info", "The qrt build: always 1, the version is a label", {"version"})
            .with({QRT_VERSION})
            .set(1);
        static CollectorHandle process = r->add_collector(collect_process);
        return r;
    }();
    return *registry;
}

}  // namespace qrt::metrics
