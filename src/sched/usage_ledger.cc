#include "sched/usage_ledger.h"

#include <algorithm>
#include <cmath>

namespace qrt::sched {

namespace {
// Past this exponent the decay factor is rebased so doubles never overflow (2^400 ~ 1e120).
constexpr double kMaxExponent = 400.0;
}  // namespace

UsageLedger::UsageLedger(FairSharePolicy policy, Duration window, Duration half_life,
                         Duration bucket, Timestamp origin)
    : policy_(policy), window_(window), half_life_(half_life), bucket_(bucket), origin_(origin) {}

std::uint32_t UsageLedger::add_account() {
    accounts_.emplace_back();
    return static_cast<std::uint32_t>(accounts_.size() - 1);
}

std::int64_t UsageLedger::bucket_of(Timestamp t) const {
    auto us = t.time_since_epoch().count();
    auto b = bucket_.count();
    return us >= 0 ? us / b : -((-us + b - 1) / b);
}

double UsageLedger::decay_factor(Timestamp t) const {
    return std::exp2(to_seconds(t - origin_) / to_seconds(half_life_));
}

void UsageLedger::rebase(Timestamp now) {
    double f = 1.0 / decay_factor(now);
    for (auto& a : accounts_) a.sum *= f;
    origin_ = now;
}

bool UsageLedger::charge(std::uint32_t account, Duration amount, Timestamp now) {
    if (amount <= Duration::zero()) return false;
    double s = to_seconds(amount);
    Account& a = accounts_[account];
    if (policy_ == FairSharePolicy::kRollingWindow) {
        std::int64_t b = bucket_of(now);
        if (!a.buckets.empty() && a.buckets.back().first == b) {
            a.buckets.back().second += s;
        } else {
            a.buckets.emplace_back(b, s);
            charged_in_bucket_[b].push_back(account);
        }
        a.sum += s;
        return false;
    }
    bool rebased = to_seconds(now - origin_) / to_seconds(half_life_) > kMaxExponent;
    if (rebased) rebase(now);
    a.sum += s * decay_factor(now);
    return rebased;
}

double UsageLedger::usage(std::uint32_t account, Timestamp now) const {
    const Account& a = accounts_[account];
    if (policy_ == FairSharePolicy::kRollingWindow) return std::max(0.0, a.sum);
    return a.sum / decay_factor(now);
}

double UsageLedger::key(std::uint32_t account) const { return accounts_[account].sum; }

std::optional<Timestamp> UsageLedger::next_expiry() const {
    if (policy_ != FairSharePolicy::kRollingWindow || charged_in_bucket_.empty()) {
        return std::nullopt;
    }
    // A bucket [b, b+1) leaves the window once its end is older than the window.
    std::int64_t b = charged_in_bucket_.begin()->first;
    return Timestamp(Duration((b + 1) * bucket_.count())) + window_;
}

void UsageLedger::expire(Timestamp now, std::vector<std::uint32_t>& changed) {
    while (!charged_in_bucket_.empty()) {
        auto it = charged_in_bucket_.begin();
        if (Timestamp(Duration((it->first + 1) * bucket_.count())) + window_ > now) break;
        for (std::uint32_t acc : it->second) {
            Account& a = accounts_[acc];
            while (!a.buckets.empty() && a.buckets.front().first <= it->first) {
                a.sum -= a.buckets.front().second;
                a.buckets.pop_front();
            }
            if (a.buckets.empty()) a.sum = 0;  // no drift from float subtraction
            changed.push_back(acc);
        }
        charged_in_bucket_.erase(it);
    }
}

Timestamp UsageLedger::time_below(std::uint32_t account, double limit_s, Timestamp now) const {
    if (usage(account, now) < limit_s) return now;
    if (limit_s <= 0) return Timestamp::max();  // usage never falls below zero
    const Account& a = accounts_[account];
    if (policy_ == FairSharePolicy::kRollingWindow) {
        double sum = a.sum;
        Timestamp last = now;
        for (const auto& [b, s] : a.buckets) {
            sum -= s;
            last = Timestamp(Duration((b + 1) * bucket_.count())) + window_;
            if (sum < limit_s) return last;
        }
        return std::max(now, last);  // all buckets gone: usage is zero
    }
    // usage(t) = sum / 2^((t-origin)/h) < limit  <=>  t > origin + h * log2(sum / limit)
    double t = to_seconds(half_life_) * std::log2(a.sum / limit_s);
    return std::max(now, origin_ + seconds_d(t) + Duration(1));
}

double UsageLedger::ideal_seconds(double share_fraction) const {
    if (policy_ == FairSharePolicy::kRollingWindow) return share_fraction * to_seconds(window_);
    return share_fraction * to_seconds(half_life_) / std::log(2.0);
}

}  // namespace qrt::sched
