// The web pages' listings (web/): sessions and batches, and the fair-share table. Read-only;
// each takes mu_ only for memory reads, never across a store read.
#include <fmt/format.h>

#include <algorithm>

#include "runtime/runtime_impl.h"

namespace qrt::runtime {

using namespace detail;

Result<std::vector<SessionView>> RuntimeImpl::list_sessions(const Caller& caller,
                                                            store::SessionFilter filter) const {
    if (filter.instances.empty()) {
        if (!caller.admin) {
            filter.instances = caller.instances;
            if (filter.instances.empty()) return std::vector<SessionView>{};
        }
    } else {
        for (const auto& in : filter.instances) {
            if (!visible(caller, in, false)) {
                return Status{ErrorCode::kPermissionDenied,
                              fmt::format("instance '{}' is not one of yours", in)};
            }
        }
    }
    auto records = store_->list_sessions(filter);
    if (!records.ok()) return records.status();
    std::vector<SessionView> out;
    out.reserve(records->size());
    Lock lk(mu_);
    const Timestamp now = now_locked();
    for (auto& rec : *records) {
        SessionView v;
        auto live = sched_.session(rec.id);
        if (live.ok()) {
            v.record = session_record(*live);
            if (auto ttl = live->active_ttl(now)) v.active_ttl_s = to_seconds(*ttl);
            v.elapsed_s = to_seconds(live->usage());
            v.queued_jobs = live->queued_jobs;
            v.job_running = live->job_running;
        } else {
            v.record = std::move(rec);
            if (v.record.started_at && v.record.state == "closed") v.active_ttl_s = 0.0;
            v.elapsed_s = v.record.busy_s + v.record.idle_s;
        }
        out.push_back(std::move(v));
    }
    return out;
}

Result<std::vector<FairShareRow>> RuntimeImpl::fair_share(const Caller& caller) const {
    const auto all = store_->list_instances();
    std::vector<FairShareRow> rows;
    rows.reserve(all.size());
    for (const auto& rec : all) {
        Caller as = caller;
        as.instance = rec.crn;
        // instance_usage reads the store first, then the scheduler: no lock held here.
        auto u = instance_usage(as);
        if (!u.ok()) continue;  // an instance made since list_instances(): skip it
        FairShareRow row;
        row.usage = std::move(*u);
        row.name = rec.name;
        row.share = rec.share;
        rows.push_back(std::move(row));
    }
    // rule F2: the lowest usage/share ratio is served first; ties by name for a stable order.
    std::sort(rows.begin(), rows.end(), [](const FairShareRow& a, const FairShareRow& b) {
        if (a.usage.ratio != b.usage.ratio) return a.usage.ratio < b.usage.ratio;
        return a.name < b.name;
    });
    const int of = static_cast<int>(rows.size());
    for (int i = 0; i < of; ++i) {
        rows[static_cast<std::size_t>(i)].rank = i + 1;
        rows[static_cast<std::size_t>(i)].of = of;
    }
    std::erase_if(rows,
                  [&](const FairShareRow& r) { return !visible(caller, r.usage.instance, false); });
    return rows;
}

}  // namespace qrt::runtime
