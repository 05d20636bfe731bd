#include "sijil/ids/uin_pool.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "sijil/store/fault_injection.h"
#include "sijil/store/test_databases.h"

namespace sijil::ids {
namespace {

template <typename Backend>
class UinPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = Backend::Skip(); !why.empty()) GTEST_SKIP() << why;
    auto db = backend_.Open(env_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
  }

  std::unique_ptr<UinPool> OpenPool(store::Database& db, Env& env, int64_t low = 0) {
    UinPoolSettings s;
    s.low_water_mark = low;
    s.refill_count = 500;
    s.insert_batch = 200;
    s.check_interval = std::chrono::milliseconds(20);
    auto pool = UinPool::Open(db, env, s);
    EXPECT_TRUE(pool.ok()) << pool.status();
    return pool.ok() ? std::move(pool).value() : nullptr;
  }

  int64_t Scalar(const std::string& sql) {
    auto rows = db_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? (*rows)[0].GetInt64(0).value_or(-1) : -1;
  }

  SimulatedEnv env_{17};
  Backend backend_;
  std::unique_ptr<store::Database> db_;
};

using Backends = ::testing::Types<store::testing::SqliteBackend, store::testing::PostgresBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, store::testing::SqliteBackend> ? "Sqlite" : "Postgres";
  }
};
TYPED_TEST_SUITE(UinPoolTest, Backends, BackendNames);

TYPED_TEST(UinPoolTest, IssuesDistinctValidUinsAndRefillsWhenEmpty) {
  auto pool = this->OpenPool(*this->db_, this->env_);
  ASSERT_NE(pool, nullptr);
  Result<int64_t> added = pool->Refill(100);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 100);
  std::set<std::string> seen;
  for (int i = 0; i < 150; ++i) {  // the last 50 come from inline refills
    Result<std::string> uin = pool->Allocate();
    ASSERT_TRUE(uin.ok()) << uin.status();
    EXPECT_TRUE(CheckUin(*uin).ok()) << *uin;
    EXPECT_TRUE(seen.insert(*uin).second) << "issued twice: " << *uin;
  }
  Result<UinPoolStats> stats = pool->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->issued, 150);
  EXPECT_EQ(stats->available, 100 + 200 - 150);  // one inline refill of insert_batch
}

TYPED_TEST(UinPoolTest, ConcurrentAllocatorsNeverShareAUin) {
  auto pool = this->OpenPool(*this->db_, Env::Default());
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Refill(300).ok());
  constexpr int kThreads = 8, kEach = 40;
  std::vector<std::vector<std::string>> got(kThreads);
  std::vector<Status> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Result<std::string> uin = pool->Allocate("t" + std::to_string(t) + "-" + std::to_string(i));
        if (!uin.ok()) {
          errors[t] = uin.status();
          return;
        }
        got[t].push_back(*uin);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_TRUE(errors[t].ok()) << errors[t];
    for (const auto& u : got[t]) EXPECT_TRUE(all.insert(u).second) << "issued twice: " << u;
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kEach});
  EXPECT_EQ(this->Scalar("SELECT COUNT(*) FROM ids_uin WHERE status = 1"), kThreads * kEach);
  EXPECT_EQ(this->Scalar("SELECT COUNT(DISTINCT reference) FROM ids_uin WHERE status = 1"),
            kThreads * kEach);
}

TYPED_TEST(UinPoolTest, ReferenceGetsOneUinEvenWhenCallersRace) {
  auto pool = this->OpenPool(*this->db_, Env::Default());
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Refill(100).ok());
  Result<std::string> first = pool->Allocate("10001100771006920220128223618");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*pool->Allocate("10001100771006920220128223618"), *first);

  std::vector<std::string> got(6);
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      Result<std::string> u = pool->Allocate("same-reference");
      got[t] = u.ok() ? *u : u.status().ToString();
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& u : got) EXPECT_EQ(u, got[0]);
  EXPECT_TRUE(CheckUin(got[0]).ok()) << got[0];
  EXPECT_EQ(this->Scalar("SELECT COUNT(*) FROM ids_uin WHERE status = 1"), 2);
  Result<std::optional<IssuedUin>> found = pool->FindByReference("same-reference");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->uin, got[0]);
}

TYPED_TEST(UinPoolTest, UniqueConstraintAndNeverReissued) {
  SimulatedEnv env_a(5);
  auto pool_a = this->OpenPool(*this->db_, env_a);
  ASSERT_NE(pool_a, nullptr);
  ASSERT_EQ(*pool_a->Refill(50), 50);
  std::set<std::string> issued;
  for (int i = 0; i < 50; ++i) issued.insert(*pool_a->Allocate());
  ASSERT_EQ(issued.size(), 50u);

  // The table refuses a second row for a UIN.
  Status dup = this->db_
                   ->Execute("INSERT INTO ids_uin (uin, status, generated_at) VALUES (?, 0, 0)",
                             {*issued.begin()})
                   .status();
  EXPECT_EQ(dup.code(), "SIJ-STO-002");

  // A generator that draws exactly the same UINs again adds nothing: issued UINs stay issued.
  SimulatedEnv env_b(5);
  auto pool_b = this->OpenPool(*this->db_, env_b);
  ASSERT_NE(pool_b, nullptr);
  EXPECT_EQ(*pool_b->Refill(50), 0);
  EXPECT_EQ(pool_b->Stats()->available, 0);
  EXPECT_EQ(pool_b->Stats()->issued, 50);
  for (const auto& u : issued) {
    Result<std::optional<IssuedUin>> rec = pool_b->FindIssued(u);
    ASSERT_TRUE(rec.ok() && rec->has_value()) << u;
  }
}

TYPED_TEST(UinPoolTest, CrashMidAllocationLeavesNoHalfIssuedUin) {
  ASSERT_TRUE(this->db_
                  ->ExecuteScript("CREATE TABLE identities (reference TEXT PRIMARY KEY, "
                                  "uin TEXT NOT NULL UNIQUE)")
                  .ok());
  store::FaultInjectingDatabase faulty(*this->db_);
  auto pool = this->OpenPool(faulty, this->env_);
  ASSERT_NE(pool, nullptr);
  ASSERT_TRUE(pool->Refill(20).ok());

  // The identity write and the UIN issue form one transaction; crash after each step in turn.
  auto enrol = [&](const std::string& reference) -> Result<std::string> {
    std::string uin;
    Status st = faulty.RunInTransaction([&](store::Transaction& tx) -> Status {
      SIJIL_ASSIGN_OR_RETURN(uin, pool->Allocate(tx, reference));
      return tx.Execute("INSERT INTO identities (reference, uin) VALUES (?, ?)", {reference, uin})
          .status();
    });
    if (!st.ok()) return st;
    return uin;
  };
  for (int crash_after = 1; crash_after <= 2; ++crash_after) {
    faulty.CrashAfterNthWrite(crash_after);
    Result<std::string> r = enrol("rid-crash");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(faulty.crashed());
    faulty.Recover();
    EXPECT_EQ(this->Scalar("SELECT COUNT(*) FROM ids_uin WHERE status = 1"), 0);
    EXPECT_EQ(this->Scalar("SELECT COUNT(*) FROM identities"), 0);
  }
  faulty.FailNthWrite(2);  // the identity insert fails: the UIN must go back to available
  EXPECT_FALSE(enrol("rid-crash").ok());
  EXPECT_EQ(this->Scalar("SELECT COUNT(*) FROM ids_uin WHERE status = 1"), 0);

  Result<std::string> ok = enrol("rid-crash");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(this->Scalar("SELECT COUNT(*) FROM ids_uin WHERE status = 1"), 1);
  EXPECT_EQ(this->Scalar("SELECT COUNT(*) FROM identities"), 1);
  // A retry of the same enrolment after a lost reply gets the same UIN, not a second one.
  Result<std::string> again = pool->Allocate("rid-crash");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *ok);
}

TYPED_TEST(UinPoolTest, EmptyPoolInsideATransactionIsKerUig001) {
  auto pool = this->OpenPool(*this->db_, this->env_);
  ASSERT_NE(pool, nullptr);
  Status st = this->db_->RunInTransaction(
      [&](store::Transaction& tx) { return pool->Allocate(tx, "r").status(); });
  EXPECT_EQ(st.code(), "KER-UIG-001");
  EXPECT_EQ(st.kind(), StatusKind::kResourceExhausted);
}

TYPED_TEST(UinPoolTest, BackgroundRefillKeepsThePoolAboveTheLowWaterMark) {
  auto pool = this->OpenPool(*this->db_, Env::Default(), /*low=*/300);
  ASSERT_NE(pool, nullptr);
  pool->StartBackgroundRefill();
  // Real time here: the refiller is a thread. Poll for at most 30 s.
  int64_t available = 0;
  for (int i = 0; i < 3000 && available < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    available = pool->Stats().value_or(UinPoolStats{}).available;
  }
  EXPECT_GE(available, 300);
  for (int i = 0; i < 250; ++i) ASSERT_TRUE(pool->Allocate().ok());
  available = pool->Stats().value_or(UinPoolStats{}).available;
  for (int i = 0; i < 3000 && available < 300; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    available = pool->Stats().value_or(UinPoolStats{}).available;
  }
  pool->StopBackgroundRefill();
  EXPECT_GE(pool->Stats()->available, 300);
  EXPECT_TRUE(pool->background_status().ok()) << pool->background_status();
}

TEST(UinPoolSettings, Rejected) {
  UinPoolSettings s;
  s.insert_batch = 0;
  EXPECT_EQ(s.Check().code(), "SIJ-IDS-011");
  s = {};
  s.uin.length = 1;
  EXPECT_EQ(s.Check().code(), "SIJ-IDS-001");
}

}  // namespace
}  // namespace sijil::ids
