// Prometheus metrics: a registry of counters, gauges and histograms with labels, and the text
// exposition format 0.0.4 that GET /metrics serves (docs/operations.md "Metrics" lists every
// metric qrt exports).
//
//     auto& requests = metrics::default_registry().counter(
//         "qrt_http_requests_total", "HTTP requests answered", {"route", "method", "code"});
//     metrics::Counter& ok = requests.with({"/api/v1/jobs/{id}", "GET", "200"});  // keep it
//     ok.inc();                                                                   // hot path
//
// Cost: inc/add/set/observe are a few relaxed atomic operations on the child, no lock.
// Family::with() takes the family's own lock to find or make the child: call it once and keep
// the reference on hot paths (children live as long as the registry). Values computed at scrape
// time (queue lengths, jobs by state) come from collectors, called only by exposition().
//
// Naming (https://prometheus.io/docs/practices/naming/): counters end in _total, units are in
// the name in base units (_seconds, _bytes). Registering a name again with the same type, help
// and labels returns the existing family; anything else is a programming error and throws
// std::logic_error, as does a with() with the wrong number of label values.
//
// Thread safety: everything here may be called from any thread. A scrape reads each child's
// atomics one by one, so a histogram observed during a scrape may show its new bucket count a
// scrape before its new sum (the format allows it; _count always equals the +Inf bucket).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace qrt::metrics {

enum class Type : std::uint8_t { kCounter, kGauge, kHistogram };

// A value that only goes up (resets when the process starts).
class Counter {
public:
    void inc() { whole_.fetch_add(1, std::memory_order_relaxed); }
    // Adds `v` (>= 0; negative or NaN values are ignored: a counter never goes down).
    void add(double v);
    double value() const;

private:
    std::atomic<std::uint64_t> whole_{0};  // integer increments: one atomic add
    std::atomic<double> fraction_{0};      // add(): a CAS loop
};

// A value that goes up and down.
class Gauge {
public:
    void set(double v) { value_.store(v, std::memory_order_relaxed); }
    void add(double v);
    void inc() { add(1); }
    void dec() { add(-1); }
    double value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

// Observations counted into fixed buckets (upper bounds, inclusive), with their sum.
class Histogram {
public:
    explicit Histogram(const std::vector<double>* bounds);
    void observe(double v);

    struct Snapshot {
        std::vector<std::uint64_t> cumulative;  // per bound, then +Inf (== count)
        double sum = 0;
        std::uint64_t count = 0;
    };
    Snapshot snapshot() const;

private:
    const std::vector<double>* bounds_;                        // the family's, sorted
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds + 1 (overflow)
    std::atomic<double> sum_{0};
};

// Bucket bounds for latencies in seconds: 100 us .. 10 s (HTTP requests, store operations).
std::vector<double> latency_buckets();
// Bucket bounds for job wait and run times in seconds: 10 ms .. 1 day.
std::vector<double> job_time_buckets();

// The children of one metric, by label values (in the order of the family's label names).
template <typename T>
class Family {
public:
    Family(std::string name, std::string help, std::vector<std::string> label_names,
           std::vector<double> bounds = {})
        : name_(std::move(name)),
          help_(std::move(help)),
          label_names_(std::move(label_names)),
          bounds_(std::move(bounds)) {}

    // The child with these label values, made on first use. Values are any UTF-8 text (escaped
    // on output). std::logic_error when the count differs from the label names'.
    T& with(std::initializer_list<std::string_view> values);
    T& with(const std::vector<std::string>& values);
    // The child of a family without labels.
    T& get() { return with(std::initializer_list<std::string_view>{}); }

    const std::string& name() const { return name_; }
    const std::string& help() const { return help_; }
    const std::vector<std::string>& label_names() const { return label_names_; }
    const std::vector<double>& bounds() const { return bounds_; }

    // Calls `f(label_values, child)` for each child in label order, under the family's lock.
    template <typename F>
    void for_each(F&& f) const {
        std::lock_guard lock(mu_);
        for (const auto& [labels, child] : children_) f(labels, *child);
    }

private:
    T& find_or_make(std::vector<std::string> key);

    const std::string name_;
    const std::string help_;
    const std::vector<std::string> label_names_;
    const std::vector<double> bounds_;  // histograms only
    mutable std::mutex mu_;
    std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

// What a collector hands over at scrape time: whole families with their samples.
struct Sample {
    std::vector<std::string> label_values;
    double value = 0;
};
struct CollectedFamily {
    std::string name;
    std::string help;
    Type type = Type::kGauge;  // kGauge or kCounter
    std::vector<std::string> label_names;
    std::vector<Sample> samples;
};
using Collector = std::function<void(std::vector<CollectedFamily>& out)>;

class Registry;

// Keeps a collector registered; destroying it (or reset()) unregisters it and waits for a scrape
// that is calling it to finish, so a collector may capture `this` of its owner safely.
class CollectorHandle {
public:
    CollectorHandle() = default;
    CollectorHandle(CollectorHandle&& other) noexcept = default;
    CollectorHandle& operator=(CollectorHandle&& other) noexcept;
    CollectorHandle(const CollectorHandle&) = delete;
    CollectorHandle& operator=(const CollectorHandle&) = delete;
    ~CollectorHandle() { reset(); }
    void reset();

private:
    friend class Registry;
    struct Slot {
        std::mutex mu;  // held while the collector runs
        Collector fn;
    };
    explicit CollectorHandle(std::shared_ptr<Slot> slot) : slot_(std::move(slot)) {}
    std::shared_ptr<Slot> slot_;
};

class Registry {
public:
    Registry() = default;
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // The family `name` (made on first call; see the header comment for a repeated name).
    Family<Counter>& counter(const std::string& name, const std::string& help,
                             const std::vector<std::string>& label_names = {});
    Family<Gauge>& gauge(const std::string& name, const std::string& help,
                         const std::vector<std::string>& label_names = {});
    // `bounds`: strictly increasing finite upper bounds (+Inf is implied).
    Family<Histogram>& histogram(const std::string& name, const std::string& help,
                                 const std::vector<std::string>& label_names,
                                 std::vector<double> bounds);

    // Adds a collector called by every exposition(). It must not call back into this registry's
    // exposition(). Families it reports with the same name (from several collectors) are merged.
    [[nodiscard]] CollectorHandle add_collector(Collector collector);

    // The text exposition format 0.0.4: every family sorted by name, each with HELP and TYPE.
    std::string exposition() const;

private:
    struct Entry {
        Type type;
        std::unique_ptr<Family<Counter>> counters;
        std::unique_ptr<Family<Gauge>> gauges;
        std::unique_ptr<Family<Histogram>> histograms;
    };
    Entry& entry(const std::string& name, const std::string& help,
                 const std::vector<std::string>& label_names, Type type,
                 const std::vector<double>& bounds);

    mutable std::mutex mu_;
    std::map<std::string, Entry> families_;
    std::vector<std::shared_ptr<CollectorHandle::Slot>> collectors_;
};

// The process's registry: what GET /metrics serves. Made on first use, never destroyed. It holds
// qrt_build_info and the process_* metrics from the start.
Registry& default_registry();

// The content type of exposition() for an HTTP response.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Pieces of the format, for tests and collectors: a label value or HELP text escaped, a sample
// value as Prometheus writes it ("+Inf", "NaN", "0.25", "3").
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);
std::string format_value(double v);

// Observes the seconds from construction to destruction into a histogram.
class ScopedTimer {
public:
    explicit ScopedTimer(Histogram& h) : h_(h), start_(std::chrono::steady_clock::now()) {}
    ~ScopedTimer() {
        h_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start_)
                       .count());
    }
    ScopedTimer(const ScopedTimer&) = delete;
    ScopedTimer& operator=(const ScopedTimer&) = delete;

private:
    Histogram& h_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace qrt::metrics
