// UsageLedger: fair-share usage of many accounts (instances, and users inside instances) under
// one policy (rule F4): a rolling window kept in time buckets, or half-life decay.
//
// The ledger gives each account an order key that changes only when the account is charged or
// (rolling window) when one of its buckets leaves the window, so callers can keep accounts in
// ordered sets and re-key them on those events alone: no decision scans all accounts.
// Not thread-safe; a value type (copyable) so the scheduler can replay itself forward.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "base/time.h"
#include "sched/types.h"

namespace qrt::sched {

class UsageLedger {
public:
    UsageLedger(FairSharePolicy policy, Duration window, Duration half_life, Duration bucket,
                Timestamp origin);

    std::uint32_t add_account();
    std::size_t size() const { return accounts_.size(); }

    // Adds `amount` of usage at `now` (now never goes back between calls). Returns true when
    // the decay origin was rebased: then every account's key changed (by one common factor) and
    // callers that keep keys must re-read all of them. Happens once per ~400 half-lives.
    bool charge(std::uint32_t account, Duration amount, Timestamp now);

    // Usage in seconds as fair share sees it at `now`: in-window sum, or decayed sum.
    double usage(std::uint32_t account, Timestamp now) const;

    // Monotone in usage(account, now) for a fixed `now`, and constant between charges and
    // expiries: order accounts by key / share instead of recomputing usage for all of them.
    double key(std::uint32_t account) const;

    // Rolling window: the next instant a bucket leaves the window (nullopt: nothing to expire).
    std::optional<Timestamp> next_expiry() const;
    // Drops every bucket that left the window by `now`; appends the accounts whose key changed.
    void expire(Timestamp now, std::vector<std::uint32_t>& changed);

    // The first instant >= now at which usage(account) < limit_s, assuming no new charges.
    Timestamp time_below(std::uint32_t account, double limit_s, Timestamp now) const;

    // Ideal time T for a share fraction (rule F1): fraction x window, or fraction x the decay's
    // mean life (the integral of the decay kernel), so ratios mean the same under both policies.
    double ideal_seconds(double share_fraction) const;

    FairSharePolicy policy() const { return policy_; }

private:
    struct Account {
        double sum = 0;  // window: seconds in window; decay: seconds scaled to origin_
        std::deque<std::pair<std::int64_t, double>> buckets;  // window: (bucket index, seconds)
    };

    std::int64_t bucket_of(Timestamp t) const;
    double decay_factor(Timestamp t) const;  // 2^((t - origin)/half_life)
    void rebase(Timestamp now);

    FairSharePolicy policy_;
    Duration window_, half_life_, bucket_;
    Timestamp origin_;
    std::vector<Account> accounts_;
    // window: bucket index -> accounts charged in it, to expire without scanning accounts
    std::map<std::int64_t, std::vector<std::uint32_t>> charged_in_bucket_;
};

}  // namespace qrt::sched
