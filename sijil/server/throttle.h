// LoginThrottle: slows down password guessing against the login endpoints.
//
// Failures are counted per account name and per source address within a sliding window.
// When either count reaches its limit, further attempts for that account (or from that
// source) are refused without checking the secret until the lockout has passed, so a
// guesser can neither hammer one account nor spray one password across many. A success
// clears the account's count. State is in memory: a restart forgives, which is acceptable
// because the lockout is short and every failure is in the audit log.
//
// Thread-safety: thread-safe. Memory is bounded: beyond `max_tracked` keys the oldest
// entries are dropped.
#ifndef SIJIL_SERVER_THROTTLE_H_
#define SIJIL_SERVER_THROTTLE_H_

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "sijil/base/env.h"
#include "sijil/base/status.h"

namespace sijil::server {

struct ThrottleSettings {
  int max_failures_per_account = 5;
  int max_failures_per_source = 20;
  std::chrono::seconds window{300};
  std::chrono::seconds lockout{300};
  size_t max_tracked = 100000;
};

inline constexpr char kErrThrottled[] = "SIJ-SRV-003";

class LoginThrottle {
 public:
  LoginThrottle(ThrottleSettings settings, Env& env);

  // OK, or ResourceExhausted (SIJ-SRV-003, HTTP 429) naming how many seconds to wait.
  Status Check(std::string_view account, std::string_view source);
  void RecordFailure(std::string_view account, std::string_view source);
  void RecordSuccess(std::string_view account);

  // Seconds until `account`/`source` may try again (0 if not locked), for Retry-After.
  int64_t RetryAfterSeconds(std::string_view account, std::string_view source);

  // Accounts and sources currently tracked (bounded by max_tracked).
  size_t tracked() {
    std::lock_guard<std::mutex> lock(mu_);
    return counters_.size();
  }

 private:
  struct Counter {
    int failures = 0;
    std::chrono::steady_clock::time_point window_start;
    std::chrono::steady_clock::time_point locked_until;
  };
  void Fail(const std::string& key, int limit, std::chrono::steady_clock::time_point now);
  int64_t LockedFor(const std::string& key, std::chrono::steady_clock::time_point now);

  const ThrottleSettings settings_;
  Env& env_;
  std::mutex mu_;
  std::map<std::string, Counter> counters_;  // "a:<name>" and "s:<address>"
};

}  // namespace sijil::server

#endif  // SIJIL_SERVER_THROTTLE_H_
