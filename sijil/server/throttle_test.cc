#include "sijil/server/throttle.h"

#include <gtest/gtest.h>

namespace sijil::server {
namespace {

using std::chrono::seconds;

TEST(LoginThrottleTest, LocksAccountAfterLimitAndUnlocksAfterLockout) {
  SimulatedEnv env(1);
  LoginThrottle t({.max_failures_per_account = 3,
                   .max_failures_per_source = 100,
                   .window = seconds(60),
                   .lockout = seconds(120)},
                  env);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(t.Check("alice", "10.0.0.1").ok());
    t.RecordFailure("alice", "10.0.0.1");
  }
  EXPECT_TRUE(t.Check("alice", "10.0.0.1").ok());
  t.RecordFailure("alice", "10.0.0.1");
  Status s = t.Check("alice", "10.0.0.2");  // another source: the account itself is locked
  EXPECT_EQ(s.code(), kErrThrottled);
  EXPECT_EQ(s.kind(), StatusKind::kResourceExhausted);
  EXPECT_NE(s.message().find("120 s"), std::string::npos) << s.message();
  EXPECT_TRUE(t.Check("bob", "10.0.0.1").ok());  // other accounts are unaffected
  env.Advance(seconds(119));
  EXPECT_EQ(t.RetryAfterSeconds("alice", "x"), 1);
  env.Advance(seconds(1));
  EXPECT_TRUE(t.Check("alice", "10.0.0.1").ok());
}

TEST(LoginThrottleTest, FailuresOutsideTheWindowAreForgotten) {
  SimulatedEnv env(1);
  LoginThrottle t({.max_failures_per_account = 2, .window = seconds(10)}, env);
  t.RecordFailure("alice", "a");
  env.Advance(seconds(11));
  t.RecordFailure("alice", "a");
  EXPECT_TRUE(t.Check("alice", "a").ok());
  t.RecordFailure("alice", "a");
  EXPECT_FALSE(t.Check("alice", "a").ok());
}

TEST(LoginThrottleTest, SuccessClearsTheAccountCount) {
  SimulatedEnv env(1);
  LoginThrottle t({.max_failures_per_account = 2}, env);
  t.RecordFailure("alice", "a");
  t.RecordSuccess("alice");
  t.RecordFailure("alice", "a");
  EXPECT_TRUE(t.Check("alice", "a").ok());
}

TEST(LoginThrottleTest, SourceSprayingManyAccountsIsLocked) {
  SimulatedEnv env(1);
  LoginThrottle t({.max_failures_per_account = 5, .max_failures_per_source = 4}, env);
  for (int i = 0; i < 4; ++i) t.RecordFailure("user" + std::to_string(i), "10.9.9.9");
  EXPECT_FALSE(t.Check("fresh-account", "10.9.9.9").ok());
  EXPECT_TRUE(t.Check("fresh-account", "10.1.1.1").ok());
}

TEST(LoginThrottleTest, MemoryIsBounded) {
  SimulatedEnv env(1);
  LoginThrottle t(
      {.max_failures_per_account = 100, .max_failures_per_source = 1 << 30, .max_tracked = 50},
      env);
  for (int i = 0; i < 1000; ++i) t.RecordFailure("u" + std::to_string(i), "s");
  EXPECT_LE(t.tracked(), 50u);
  EXPECT_TRUE(t.Check("u999", "s").ok());
}

}  // namespace
}  // namespace sijil::server
