#include "sijil/server/throttle.h"

#include <algorithm>

namespace sijil::server {

LoginThrottle::LoginThrottle(ThrottleSettings settings, Env& env)
    : settings_(settings), env_(env) {}

int64_t LoginThrottle::LockedFor(const std::string& key,
                                 std::chrono::steady_clock::time_point now) {
  auto it = counters_.find(key);
  if (it == counters_.end() || it->second.locked_until <= now) return 0;
  auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
  return std::max<int64_t>(1, left.count());
}

int64_t LoginThrottle::RetryAfterSeconds(std::string_view account, std::string_view source) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = env_.MonotonicNow();
  return std::max(LockedFor("a:" + std::string(account), now),
                  LockedFor("s:" + std::string(source), now));
}

Status LoginThrottle::Check(std::string_view account, std::string_view source) {
  int64_t wait = RetryAfterSeconds(account, source);
  if (wait == 0) return Status::Ok();
  return Status::ResourceExhausted(
      kErrThrottled, "too many failed logins; try again in " + std::to_string(wait) + " s");
}

void LoginThrottle::Fail(const std::string& key, int limit,
                         std::chrono::steady_clock::time_point now) {
  if (counters_.size() >= settings_.max_tracked && counters_.find(key) == counters_.end()) {
    // Drop expired entries first; if none, drop an arbitrary one to stay bounded.
    for (auto it = counters_.begin(); it != counters_.end();) {
      bool expired =
          it->second.locked_until <= now && now - it->second.window_start > settings_.window;
      it = expired ? counters_.erase(it) : std::next(it);
    }
    if (counters_.size() >= settings_.max_tracked) counters_.erase(counters_.begin());
  }
  Counter& c = counters_[key];
  if (c.failures == 0 || now - c.window_start > settings_.window) {
    c.failures = 0;
    c.window_start = now;
  }
  if (++c.failures >= limit) {
    c.locked_until = now + settings_.lockout;
    c.failures = 0;
  }
}

void LoginThrottle::RecordFailure(std::string_view account, std::string_view source) {
  std::lock_guard<std::mutex> lock(mu_);
  auto now = env_.MonotonicNow();
  Fail("a:" + std::string(account), settings_.max_failures_per_account, now);
  Fail("s:" + std::string(source), settings_.max_failures_per_source, now);
}

void LoginThrottle::RecordSuccess(std::string_view account) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_.erase("a:" + std::string(account));
}

}  // namespace sijil::server
