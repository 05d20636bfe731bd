// The conformance suite for Bus backends. A backend joins by adding a harness type to
// `Harnesses`: it opens a fresh bus and the store::Database its transactional publishes use,
// both on the given simulated Env.
#include "sijil/bus/bus.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "sijil/bus/consumer.h"
#include "sijil/bus/store_bus.h"
#include "sijil/store/test_databases.h"

namespace sijil::bus {
namespace {

using std::chrono::milliseconds;

template <typename StoreBackend>
struct StoreBusHarness {
  static std::string Skip() { return StoreBackend::Skip(); }
  Status Open(Env& env) {
    SIJIL_ASSIGN_OR_RETURN(db, backend.Open(env));
    SIJIL_ASSIGN_OR_RETURN(bus, OpenStoreBus(*db, env));
    return Status::Ok();
  }
  StoreBackend backend;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<Bus> bus;
};

using Harnesses = ::testing::Types<StoreBusHarness<store::testing::SqliteBackend>,
                                   StoreBusHarness<store::testing::PostgresBackend>>;
class HarnessNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, StoreBusHarness<store::testing::SqliteBackend>> ? "StoreSqlite"
                                                                             : "StorePostgres";
  }
};

template <typename Harness>
class BusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = Harness::Skip(); !why.empty()) GTEST_SKIP() << why;
    Status s = h_.Open(env_);
    ASSERT_TRUE(s.ok()) << s;
    bus_ = h_.bus.get();
    db_ = h_.db.get();
    ASSERT_TRUE(bus_->Subscribe("orders", "billing", options_).ok());
  }

  SubscriptionOptions options_{.max_attempts = 3,
                               .initial_backoff = milliseconds(100),
                               .max_backoff = milliseconds(1000),
                               .lease = milliseconds(5000)};

  std::string Pub(std::string payload, std::string key = "", std::string id = "") {
    auto r = bus_->Publish({.topic = "orders", .payload = payload, .key = key, .id = id});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : "";
  }

  std::vector<Delivery> Fetch(int max = 10, std::string group = "billing") {
    auto r = bus_->Fetch("orders", group, max);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : std::vector<Delivery>{};
  }

  static std::vector<std::string> Payloads(const std::vector<Delivery>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds) out.push_back(d.message.payload);
    return out;
  }

  int64_t Pending(std::string group = "billing") {
    return bus_->Pending("orders", group).value_or(-1);
  }

  SimulatedEnv env_{11};
  Harness h_;
  Bus* bus_ = nullptr;
  store::Database* db_ = nullptr;
};

TYPED_TEST_SUITE(BusTest, Harnesses, HarnessNames);

TYPED_TEST(BusTest, DeliversOnceUntilAcknowledged) {
  const std::string id = this->Pub("a");
  EXPECT_EQ(id.size(), 32u);
  this->Pub(std::string("b\0c", 3));
  auto ds = this->Fetch();
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].message.id, id);
  EXPECT_EQ(ds[0].attempt, 1);
  EXPECT_EQ(ds[0].message.topic, "orders");
  EXPECT_EQ(ds[0].message.published_at, this->env_.Now());
  EXPECT_EQ(ds[1].message.payload, std::string("b\0c", 3));
  EXPECT_TRUE(this->Fetch().empty());  // leased, not redelivered
  EXPECT_EQ(this->Pending(), 2);
  for (const auto& d : ds) ASSERT_TRUE(this->bus_->Ack(d).ok());
  EXPECT_TRUE(this->bus_->Ack(ds[0]).ok());  // idempotent
  EXPECT_EQ(this->Pending(), 0);
  this->env_.Advance(std::chrono::hours(1));
  EXPECT_TRUE(this->Fetch().empty());
}

TYPED_TEST(BusTest, EachGroupGetsItsOwnCopy) {
  ASSERT_TRUE(this->bus_->Subscribe("orders", "shipping", this->options_).ok());
  this->Pub("a");
  auto billing = this->Fetch(10, "billing");
  ASSERT_EQ(billing.size(), 1u);
  ASSERT_TRUE(this->bus_->Ack(billing[0]).ok());
  auto shipping = this->Fetch(10, "shipping");
  ASSERT_EQ(shipping.size(), 1u);
  EXPECT_EQ(shipping[0].message.id, billing[0].message.id);
  // A group created later starts at its creation, unless asked for the retained history.
  ASSERT_TRUE(this->bus_->Subscribe("orders", "late", this->options_).ok());
  EXPECT_TRUE(this->Fetch(10, "late").empty());
  SubscriptionOptions replay = this->options_;
  replay.from_beginning = true;
  ASSERT_TRUE(this->bus_->Subscribe("orders", "audit", replay).ok());
  EXPECT_EQ(this->Payloads(this->Fetch(10, "audit")), std::vector<std::string>{"a"});
}

TYPED_TEST(BusTest, PublishCommitsWithTheStateChange) {
  ASSERT_TRUE(this->db_->ExecuteScript("CREATE TABLE orders (id BIGINT PRIMARY KEY)").ok());
  Status rolled_back = this->db_->RunInTransaction([&](store::Transaction& tx) -> Status {
    SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO orders VALUES (1)").status());
    SIJIL_RETURN_IF_ERROR(this->bus_->Publish(tx, {.topic = "orders", .payload = "1"}).status());
    return Status::Aborted("TEST-001", "fails after publishing");
  });
  EXPECT_FALSE(rolled_back.ok());
  EXPECT_TRUE(this->Fetch().empty());
  EXPECT_EQ(this->Pending(), 0);

  Status committed = this->db_->RunInTransaction([&](store::Transaction& tx) -> Status {
    SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO orders VALUES (2)").status());
    return this->bus_->Publish(tx, {.topic = "orders", .payload = "2"}).status();
  });
  ASSERT_TRUE(committed.ok()) << committed;
  EXPECT_EQ(this->Payloads(this->Fetch()), std::vector<std::string>{"2"});
}

TYPED_TEST(BusTest, RepublishingAnIdIsANoOp) {
  EXPECT_EQ(this->Pub("first", "", "order-7"), "order-7");
  EXPECT_EQ(this->Pub("second", "", "order-7"), "order-7");
  EXPECT_EQ(this->Payloads(this->Fetch()), std::vector<std::string>{"first"});
}

TYPED_TEST(BusTest, RetriesAfterExponentialBackoffOnTheEnvClock) {
  this->Pub("a");
  auto first = this->Fetch();
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(this->bus_->Nack(first[0], "boom").ok());
  EXPECT_TRUE(this->Fetch().empty());
  this->env_.Advance(milliseconds(99));
  EXPECT_TRUE(this->Fetch().empty());
  this->env_.Advance(milliseconds(1));  // 100 ms after the first failure
  auto second = this->Fetch();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attempt, 2);
  EXPECT_EQ(second[0].message.id, first[0].message.id);
  ASSERT_TRUE(this->bus_->Nack(second[0], "boom").ok());
  this->env_.Advance(milliseconds(199));
  EXPECT_TRUE(this->Fetch().empty());
  this->env_.Advance(milliseconds(1));  // doubled: 200 ms
  auto third = this->Fetch();
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].attempt, 3);
}

TYPED_TEST(BusTest, LastFailedAttemptGoesToTheDeadLetterQueue) {
  const std::string id = this->Pub("poison");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto ds = this->Fetch();
    ASSERT_EQ(ds.size(), 1u) << "attempt " << attempt;
    EXPECT_EQ(ds[0].attempt, attempt);
    ASSERT_TRUE(this->bus_->Nack(ds[0], "bad payload " + std::to_string(attempt)).ok());
    this->env_.Advance(std::chrono::seconds(10));
  }
  EXPECT_TRUE(this->Fetch().empty());
  EXPECT_EQ(this->Pending(), 0);
  auto dead = this->bus_->DeadLetters("orders", "billing", 10);
  ASSERT_TRUE(dead.ok()) << dead.status();
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].delivery.message.id, id);
  EXPECT_EQ((*dead)[0].delivery.attempt, 3);
  EXPECT_EQ((*dead)[0].reason, "bad payload 3");

  ASSERT_TRUE(this->bus_->Redrive("orders", "billing", id).ok());
  auto again = this->Fetch();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempt, 1);
  EXPECT_TRUE(this->bus_->DeadLetters("orders", "billing", 10)->empty());
  EXPECT_EQ(this->bus_->Redrive("orders", "billing", id).code(), "SIJ-BUS-002");
}

TYPED_TEST(BusTest, ExpiredLeaseRedeliversAndCountsAsAnAttempt) {
  this->Pub("a");
  auto first = this->Fetch();
  ASSERT_EQ(first.size(), 1u);
  this->env_.Advance(milliseconds(4999));
  EXPECT_TRUE(this->Fetch().empty());
  this->env_.Advance(milliseconds(1));  // the consumer is presumed dead
  auto second = this->Fetch();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attempt, 2);
  // The first consumer was only slow: its late Nack is stale and ignored, its Ack counts.
  ASSERT_TRUE(this->bus_->Nack(first[0], "late").ok());
  EXPECT_TRUE(this->Fetch().empty());
  ASSERT_TRUE(this->bus_->Ack(first[0]).ok());
  EXPECT_EQ(this->Pending(), 0);
}

TYPED_TEST(BusTest, ConsumerDyingOnEveryAttemptDeadLettersTheMessage) {
  this->Pub("crashes the consumer");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(this->Fetch().size(), 1u);
    this->env_.Advance(std::chrono::seconds(6));
  }
  EXPECT_TRUE(this->Fetch().empty());
  auto dead = this->bus_->DeadLetters("orders", "billing", 10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].reason, "lease expired on the last attempt");
}

TYPED_TEST(BusTest, MessagesOfOneKeyArriveInOrderOneAtATime) {
  this->Pub("k1-a", "k1");
  this->Pub("k2-a", "k2");
  this->Pub("k1-b", "k1");
  this->Pub("k1-c", "k1");
  auto ds = this->Fetch();
  EXPECT_EQ(this->Payloads(ds), (std::vector<std::string>{"k1-a", "k2-a"}));
  // A failed head holds its key back through the retry.
  ASSERT_TRUE(this->bus_->Nack(ds[0], "retry").ok());
  ASSERT_TRUE(this->bus_->Ack(ds[1]).ok());
  this->env_.Advance(milliseconds(100));
  auto retry = this->Fetch();
  EXPECT_EQ(this->Payloads(retry), std::vector<std::string>{"k1-a"});
  ASSERT_TRUE(this->bus_->Ack(retry[0]).ok());
  auto next = this->Fetch();
  EXPECT_EQ(this->Payloads(next), std::vector<std::string>{"k1-b"});
  ASSERT_TRUE(this->bus_->Ack(next[0]).ok());
  EXPECT_EQ(this->Payloads(this->Fetch()), std::vector<std::string>{"k1-c"});
}

TYPED_TEST(BusTest, DeadLetterUnblocksItsKey) {
  SubscriptionOptions once = this->options_;
  once.max_attempts = 1;
  ASSERT_TRUE(this->bus_->Subscribe("orders", "strict", once).ok());
  this->Pub("a", "k");
  this->Pub("b", "k");
  auto ds = this->Fetch(10, "strict");
  ASSERT_EQ(this->Payloads(ds), std::vector<std::string>{"a"});
  ASSERT_TRUE(this->bus_->Nack(ds[0], "no").ok());
  EXPECT_EQ(this->Payloads(this->Fetch(10, "strict")), std::vector<std::string>{"b"});
}

TYPED_TEST(BusTest, UnkeyedMessagesGoOutInParallel) {
  for (int i = 0; i < 5; ++i) this->Pub(std::to_string(i));
  EXPECT_EQ(this->Fetch(3).size(), 3u);
  EXPECT_EQ(this->Fetch(10).size(), 2u);
}

TYPED_TEST(BusTest, TransactionalHandlerCommitsEffectAndAckTogether) {
  ASSERT_TRUE(this->db_->ExecuteScript("CREATE TABLE seen (id TEXT PRIMARY KEY)").ok());
  this->Pub("x", "", "m1");
  int calls = 0;
  auto handler = [&](store::Transaction& tx, const Message& m, int attempt) -> Status {
    ++calls;
    SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO seen VALUES (?)", {m.id}).status());
    if (attempt == 1) return Status::Unavailable("TEST-002", "downstream down");
    return Status::Ok();
  };
  auto r = ProcessAvailable(*this->bus_, *this->db_, "orders", "billing", handler);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, 0);
  EXPECT_EQ((*this->db_->Query("SELECT COUNT(*) FROM seen"))[0].GetInt64(0).value(), 0);
  this->env_.Advance(milliseconds(100));
  r = ProcessAvailable(*this->bus_, *this->db_, "orders", "billing", handler);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ((*this->db_->Query("SELECT COUNT(*) FROM seen"))[0].GetInt64(0).value(), 1);
  EXPECT_EQ(this->Pending(), 0);
}

TYPED_TEST(BusTest, ConcurrentConsumersHandleEachMessageOnce) {
  // Real threads racing for real need real time: on the simulated clock the store's conflict
  // back-off takes no time at all (so racing fetchers exhaust their retries) and every back-off
  // moves the shared clock on (so leases expire under the racers' feet).
  TypeParam real;
  Status opened = real.Open(Env::Default());
  ASSERT_TRUE(opened.ok()) << opened;
  Bus& bus = *real.bus;
  ASSERT_TRUE(bus.Subscribe("orders", "billing", this->options_).ok());
  auto pending = [&] { return bus.Pending("orders", "billing").value_or(-1); };
  constexpr int kMessages = 60;
  for (int i = 0; i < kMessages; ++i) {
    auto r = bus.Publish(
        {.topic = "orders", .payload = std::to_string(i), .key = "k" + std::to_string(i % 7)});
    ASSERT_TRUE(r.ok()) << r.status();
  }
  std::mutex mu;
  std::multiset<std::string> handled;
  std::map<std::string, int> last_per_key;
  bool in_order = true;
  auto handler = [&](const Message& m, int) -> Status {
    std::lock_guard<std::mutex> lock(mu);
    handled.insert(m.payload);
    const int n = std::stoi(m.payload);
    auto it = last_per_key.find(m.key);
    if (it != last_per_key.end() && it->second > n) in_order = false;
    last_per_key[m.key] = n;
    return Status::Ok();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 200 && pending() > 0; ++round) {
        auto r = ProcessAvailable(bus, "orders", "billing", handler, 5);
        EXPECT_TRUE(r.ok()) << r.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(pending(), 0);
  EXPECT_EQ(handled.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(std::set<std::string>(handled.begin(), handled.end()).size(),
            static_cast<size_t>(kMessages));
  EXPECT_TRUE(in_order);
}

TYPED_TEST(BusTest, ConsumerThreadsDrainTheQueue) {
  std::atomic<int> handled{0};
  Consumer consumer(*this->bus_, "orders", "billing",
                    [&](const Message&, int) {
                      ++handled;
                      return Status::Ok();
                    },
                    {.threads = 2, .batch = 4, .poll_interval = milliseconds(20)});
  consumer.Start();
  for (int i = 0; i < 20; ++i) this->Pub(std::to_string(i));
  for (int i = 0; i < 500 && handled.load() < 20; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  consumer.Stop();
  EXPECT_EQ(handled.load(), 20);
  EXPECT_EQ(this->Pending(), 0);
  EXPECT_EQ(consumer.errors(), 0);
}

TYPED_TEST(BusTest, CompactDropsOnlyFullyAcknowledgedMessages) {
  this->Pub("done", "", "m-done");
  this->Pub("owed", "", "m-owed");
  auto ds = this->Fetch();
  ASSERT_EQ(ds.size(), 2u);
  ASSERT_TRUE(this->bus_->Ack(ds[0]).ok());
  this->env_.Advance(std::chrono::hours(1));
  auto removed = this->bus_->Compact(this->env_.Now());
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(this->Pending(), 1);
  ASSERT_TRUE(this->bus_->Ack(ds[1]).ok());
}

TYPED_TEST(BusTest, BadNamesAndUnknownGroupsAreRejected) {
  EXPECT_EQ(this->bus_->Subscribe("bad topic", "g").code(), "SIJ-BUS-001");
  EXPECT_EQ(this->bus_->Subscribe("orders", "").code(), "SIJ-BUS-001");
  EXPECT_EQ(this->bus_->Subscribe("orders", "g", {.max_attempts = 0}).code(), "SIJ-BUS-001");
  EXPECT_EQ(this->bus_->Publish({.topic = "a/b", .payload = "x"}).status().code(), "SIJ-BUS-001");
  EXPECT_EQ(this->bus_->Fetch("orders", "nobody", 1).status().code(), "SIJ-BUS-002");
}

}  // namespace
}  // namespace sijil::bus
