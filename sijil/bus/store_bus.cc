#include "sijil/bus/store_bus.h"

#include <condition_variable>
#include <map>
#include <mutex>

#include "sijil/base/encoding.h"

namespace sijil::bus {
namespace {

using store::Database;
using store::Rows;
using store::Transaction;
using store::Value;

// Schema of the store module "bus". Times are Unix microseconds from Env::Now().
constexpr std::string_view kSteps[] = {
    "CREATE TABLE bus_messages ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id TEXT NOT NULL UNIQUE,"
    " topic TEXT NOT NULL,"
    " msg_key TEXT NOT NULL,"
    " payload BLOB NOT NULL,"
    " published_at BIGINT NOT NULL);"
    "CREATE INDEX bus_messages_topic ON bus_messages (topic, seq);"
    "CREATE TABLE bus_groups ("
    " topic TEXT NOT NULL,"
    " grp TEXT NOT NULL,"
    " max_attempts BIGINT NOT NULL,"
    " initial_backoff_ms BIGINT NOT NULL,"
    " max_backoff_ms BIGINT NOT NULL,"
    " lease_ms BIGINT NOT NULL,"
    " PRIMARY KEY (topic, grp));"
    // One row per message a group still owes: due (leased = 0, due_at <= now), waiting for
    // a retry (leased = 0, due_at > now), held by a consumer until due_at (leased = 1), or
    // dead-lettered (dead = 1).
    "CREATE TABLE bus_deliveries ("
    " topic TEXT NOT NULL,"
    " grp TEXT NOT NULL,"
    " seq BIGINT NOT NULL REFERENCES bus_messages (seq),"
    " msg_key TEXT NOT NULL,"
    " attempts BIGINT NOT NULL,"
    " due_at BIGINT NOT NULL,"
    " leased BIGINT NOT NULL,"
    " dead BIGINT NOT NULL,"
    " reason TEXT NOT NULL,"
    " PRIMARY KEY (topic, grp, seq));"
    "CREATE INDEX bus_deliveries_due ON bus_deliveries (topic, grp, dead, due_at);"
    "CREATE INDEX bus_deliveries_key ON bus_deliveries (topic, grp, msg_key, seq);"
    "CREATE INDEX bus_deliveries_seq ON bus_deliveries (seq);",
};

int64_t Micros(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point FromMicros(int64_t us) {
  return std::chrono::system_clock::time_point(std::chrono::microseconds(us));
}

Status NoSubscription(std::string_view topic, std::string_view group) {
  return Status::NotFound("SIJ-BUS-002", "no consumer group '" + std::string(group) +
                                             "' on topic '" + std::string(topic) + "'");
}

struct GroupRow {
  SubscriptionOptions options;
};

Result<GroupRow> LoadGroup(Transaction& tx, std::string_view topic, std::string_view group) {
  SIJIL_ASSIGN_OR_RETURN(
      Rows rows, tx.Query("SELECT max_attempts, initial_backoff_ms, max_backoff_ms, lease_ms "
                          "FROM bus_groups WHERE topic = ? AND grp = ?",
                          {topic, group}));
  if (rows.empty()) return NoSubscription(topic, group);
  GroupRow g;
  SIJIL_ASSIGN_OR_RETURN(int64_t max_attempts, rows[0].GetInt64(0));
  SIJIL_ASSIGN_OR_RETURN(int64_t initial, rows[0].GetInt64(1));
  SIJIL_ASSIGN_OR_RETURN(int64_t max_backoff, rows[0].GetInt64(2));
  SIJIL_ASSIGN_OR_RETURN(int64_t lease, rows[0].GetInt64(3));
  g.options.max_attempts = static_cast<int>(max_attempts);
  g.options.initial_backoff = std::chrono::milliseconds(initial);
  g.options.max_backoff = std::chrono::milliseconds(max_backoff);
  g.options.lease = std::chrono::milliseconds(lease);
  return g;
}

Result<Delivery> ReadDelivery(const store::Row& row, std::string_view topic,
                              std::string_view group) {
  // Columns: seq, attempts, id, msg_key, payload, published_at.
  Delivery d;
  d.group = std::string(group);
  d.message.topic = std::string(topic);
  SIJIL_ASSIGN_OR_RETURN(d.message.sequence, row.GetInt64(0));
  SIJIL_ASSIGN_OR_RETURN(int64_t attempts, row.GetInt64(1));
  d.attempt = static_cast<int>(attempts);
  SIJIL_ASSIGN_OR_RETURN(d.message.id, row.GetText(2));
  SIJIL_ASSIGN_OR_RETURN(d.message.key, row.GetText(3));
  SIJIL_ASSIGN_OR_RETURN(Bytes payload, row.GetBlob(4));
  d.message.payload.assign(payload.begin(), payload.end());
  SIJIL_ASSIGN_OR_RETURN(int64_t published, row.GetInt64(5));
  d.message.published_at = FromMicros(published);
  return d;
}

class StoreBus final : public Bus {
 public:
  StoreBus(Database& db, Env& env) : db_(db), env_(env) {}

  Status Subscribe(std::string_view topic, std::string_view group,
                   const SubscriptionOptions& options) override {
    SIJIL_RETURN_IF_ERROR(ValidateName("topic", topic));
    SIJIL_RETURN_IF_ERROR(ValidateName("group", group));
    if (options.max_attempts < 1 || options.lease.count() < 1 ||
        options.initial_backoff.count() < 0 || options.max_backoff.count() < 0) {
      return Status::InvalidArgument("SIJ-BUS-001",
                                     "subscription needs max_attempts >= 1, a positive lease and "
                                     "non-negative back-off");
    }
    return db_.RunInTransaction([&](Transaction& tx) -> Status {
      SIJIL_ASSIGN_OR_RETURN(
          Rows existing,
          tx.Query("SELECT 1 FROM bus_groups WHERE topic = ? AND grp = ?", {topic, group}));
      const std::vector<Value> values = {static_cast<int64_t>(options.max_attempts),
                                         options.initial_backoff.count(),
                                         options.max_backoff.count(),
                                         options.lease.count(),
                                         topic,
                                         group};
      if (!existing.empty()) {
        return tx
            .Execute(
                "UPDATE bus_groups SET max_attempts = ?, initial_backoff_ms = ?, "
                "max_backoff_ms = ?, lease_ms = ? WHERE topic = ? AND grp = ?",
                values)
            .status();
      }
      SIJIL_RETURN_IF_ERROR(
          tx.Execute("INSERT INTO bus_groups (max_attempts, initial_backoff_ms, max_backoff_ms, "
                     "lease_ms, topic, grp) VALUES (?, ?, ?, ?, ?, ?)",
                     values)
              .status());
      if (options.from_beginning) {
        SIJIL_RETURN_IF_ERROR(
            tx.Execute("INSERT INTO bus_deliveries (topic, grp, seq, msg_key, attempts, due_at, "
                       "leased, dead, reason) SELECT topic, ?, seq, msg_key, 0, ?, 0, 0, '' "
                       "FROM bus_messages WHERE topic = ?",
                       {group, Micros(env_.Now()), topic})
                .status());
      }
      return Status::Ok();
    });
  }

  Result<std::string> Publish(Transaction& tx, const OutgoingMessage& message) override {
    SIJIL_RETURN_IF_ERROR(ValidateName("topic", message.topic));
    if (message.key.size() > 1000 || message.id.size() > 200) {
      return Status::InvalidArgument("SIJ-BUS-001",
                                     "message key (1000) or id (200 characters) too long");
    }
    std::string id = message.id;
    if (id.empty()) {
      uint8_t random[16];
      env_.RandomBytes(random);
      id = HexEncode(random, /*upper=*/false);
    }
    const int64_t now = Micros(env_.Now());
    SIJIL_ASSIGN_OR_RETURN(
        Rows inserted,
        tx.Query("INSERT INTO bus_messages (id, topic, msg_key, payload, published_at) "
                 "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING seq",
                 {id, message.topic, message.key, Value::Blob(message.payload), now}));
    if (inserted.empty()) return id;  // already published: idempotent
    SIJIL_ASSIGN_OR_RETURN(int64_t seq, inserted[0].GetInt64(0));
    SIJIL_RETURN_IF_ERROR(
        tx.Execute("INSERT INTO bus_deliveries (topic, grp, seq, msg_key, attempts, due_at, "
                   "leased, dead, reason) SELECT topic, grp, ?, ?, 0, ?, 0, 0, '' "
                   "FROM bus_groups WHERE topic = ?",
                   {seq, message.key, now, message.topic})
            .status());
    tx.AfterCommit([this, topic = message.topic] { WakeWaiters(topic); });
    return id;
  }

  Result<std::string> Publish(const OutgoingMessage& message) override {
    std::string id;
    SIJIL_RETURN_IF_ERROR(db_.RunInTransaction([&](Transaction& tx) -> Status {
      SIJIL_ASSIGN_OR_RETURN(id, Publish(tx, message));
      return Status::Ok();
    }));
    return id;
  }

  Result<std::vector<Delivery>> Fetch(std::string_view topic, std::string_view group,
                                      int max) override {
    if (max <= 0) return std::vector<Delivery>();
    std::vector<Delivery> out;
    SIJIL_RETURN_IF_ERROR(db_.RunInTransaction([&](Transaction& tx) -> Status {
      out.clear();
      SIJIL_ASSIGN_OR_RETURN(GroupRow g, LoadGroup(tx, topic, group));
      const int64_t now = Micros(env_.Now());
      // Due messages that head their key's queue: no earlier live message with the same key
      // is still owed (leased, waiting for a retry, or due).
      SIJIL_ASSIGN_OR_RETURN(
          Rows rows,
          tx.Query("SELECT d.seq, d.attempts, m.id, m.msg_key, m.payload, m.published_at "
                   "FROM bus_deliveries d JOIN bus_messages m ON m.seq = d.seq "
                   "WHERE d.topic = ? AND d.grp = ? AND d.dead = 0 AND d.due_at <= ? "
                   "AND (d.msg_key = '' OR NOT EXISTS (SELECT 1 FROM bus_deliveries e "
                   " WHERE e.topic = d.topic AND e.grp = d.grp AND e.msg_key = d.msg_key "
                   " AND e.dead = 0 AND e.seq < d.seq)) "
                   "ORDER BY d.seq LIMIT ?",
                   {topic, group, now, static_cast<int64_t>(max)}));
      const int64_t lease_end = now + g.options.lease.count() * 1000;
      for (const store::Row& row : rows) {
        SIJIL_ASSIGN_OR_RETURN(Delivery d, ReadDelivery(row, topic, group));
        if (d.attempt >= g.options.max_attempts) {
          // Its last lease ran out without an answer: the consumer died on it every time.
          SIJIL_RETURN_IF_ERROR(
              tx.Execute("UPDATE bus_deliveries SET dead = 1, leased = 0, reason = ? "
                         "WHERE topic = ? AND grp = ? AND seq = ?",
                         {"lease expired on the last attempt", topic, group, d.message.sequence})
                  .status());
          continue;
        }
        d.attempt += 1;
        SIJIL_RETURN_IF_ERROR(
            tx.Execute(
                  "UPDATE bus_deliveries SET attempts = ?, leased = 1, due_at = ? "
                  "WHERE topic = ? AND grp = ? AND seq = ?",
                  {static_cast<int64_t>(d.attempt), lease_end, topic, group, d.message.sequence})
                .status());
        out.push_back(std::move(d));
      }
      return Status::Ok();
    }));
    return out;
  }

  Status Ack(const Delivery& delivery) override {
    return db_.RunInTransaction([&](Transaction& tx) { return Ack(tx, delivery); });
  }

  Status Ack(Transaction& tx, const Delivery& delivery) override {
    return tx
        .Execute("DELETE FROM bus_deliveries WHERE topic = ? AND grp = ? AND seq = ? AND dead = 0",
                 {delivery.message.topic, delivery.group, delivery.message.sequence})
        .status();
  }

  Status Nack(const Delivery& delivery, std::string_view reason) override {
    const std::string why(reason.substr(0, 2000));
    return db_.RunInTransaction([&](Transaction& tx) -> Status {
      SIJIL_ASSIGN_OR_RETURN(GroupRow g, LoadGroup(tx, delivery.message.topic, delivery.group));
      SIJIL_ASSIGN_OR_RETURN(
          Rows rows, tx.Query("SELECT attempts FROM bus_deliveries "
                              "WHERE topic = ? AND grp = ? AND seq = ? AND dead = 0",
                              {delivery.message.topic, delivery.group, delivery.message.sequence}));
      if (rows.empty()) return Status::Ok();  // already settled
      SIJIL_ASSIGN_OR_RETURN(int64_t attempts, rows[0].GetInt64(0));
      // A stale delivery (its lease ran out and the message went out again) changes nothing.
      if (attempts != delivery.attempt) return Status::Ok();
      if (attempts >= g.options.max_attempts) {
        return tx
            .Execute(
                "UPDATE bus_deliveries SET dead = 1, leased = 0, reason = ? "
                "WHERE topic = ? AND grp = ? AND seq = ?",
                {why, delivery.message.topic, delivery.group, delivery.message.sequence})
            .status();
      }
      const auto backoff = RetryBackoff(g.options, static_cast<int>(attempts));
      return tx
          .Execute(
              "UPDATE bus_deliveries SET leased = 0, due_at = ?, reason = ? "
              "WHERE topic = ? AND grp = ? AND seq = ?",
              {Micros(env_.Now()) + backoff.count() * 1000, why, delivery.message.topic,
               delivery.group, delivery.message.sequence})
          .status();
    });
  }

  Result<std::vector<DeadLetter>> DeadLetters(std::string_view topic, std::string_view group,
                                              int max) override {
    SIJIL_ASSIGN_OR_RETURN(
        Rows rows,
        db_.Query("SELECT d.seq, d.attempts, m.id, m.msg_key, m.payload, m.published_at, "
                  "d.reason FROM bus_deliveries d JOIN bus_messages m ON m.seq = d.seq "
                  "WHERE d.topic = ? AND d.grp = ? AND d.dead = 1 ORDER BY d.seq LIMIT ?",
                  {topic, group, static_cast<int64_t>(std::max(0, max))}));
    std::vector<DeadLetter> out;
    for (const store::Row& row : rows) {
      DeadLetter dl;
      SIJIL_ASSIGN_OR_RETURN(dl.delivery, ReadDelivery(row, topic, group));
      SIJIL_ASSIGN_OR_RETURN(dl.reason, row.GetText(6));
      out.push_back(std::move(dl));
    }
    return out;
  }

  Status Redrive(std::string_view topic, std::string_view group,
                 std::string_view message_id) override {
    SIJIL_ASSIGN_OR_RETURN(
        int64_t changed,
        db_.Execute("UPDATE bus_deliveries SET dead = 0, leased = 0, attempts = 0, due_at = ?, "
                    "reason = '' WHERE topic = ? AND grp = ? AND dead = 1 AND seq = "
                    "(SELECT seq FROM bus_messages WHERE id = ?)",
                    {Micros(env_.Now()), topic, group, message_id}));
    if (changed == 0) {
      return Status::NotFound("SIJ-BUS-002",
                              "no dead letter with that id in group '" + std::string(group) + "'");
    }
    WakeWaiters(topic);
    return Status::Ok();
  }

  Result<int64_t> Pending(std::string_view topic, std::string_view group) override {
    SIJIL_ASSIGN_OR_RETURN(Rows rows, db_.Query("SELECT COUNT(*) FROM bus_deliveries "
                                                "WHERE topic = ? AND grp = ? AND dead = 0",
                                                {topic, group}));
    return rows[0].GetInt64(0);
  }

  Result<int64_t> Compact(std::chrono::system_clock::time_point before) override {
    return db_.Execute(
        "DELETE FROM bus_messages WHERE published_at < ? AND NOT EXISTS "
        "(SELECT 1 FROM bus_deliveries d WHERE d.seq = bus_messages.seq)",
        {Micros(before)});
  }

  void WaitForMessages(std::string_view topic, std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lock(mu_);
    const std::string key(topic);
    const uint64_t seen = generation_[key];
    cv_.wait_for(lock, timeout, [&] { return generation_[key] != seen; });
  }

  void WakeWaiters(std::string_view topic) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++generation_[std::string(topic)];
    }
    cv_.notify_all();
  }

 private:
  Database& db_;
  Env& env_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, uint64_t> generation_;  // bumped per topic on publish
};

}  // namespace

Result<std::unique_ptr<Bus>> OpenStoreBus(store::Database& db, Env& env) {
  SIJIL_RETURN_IF_ERROR(db.Migrate("bus", kSteps));
  return std::unique_ptr<Bus>(std::make_unique<StoreBus>(db, env));
}

}  // namespace sijil::bus
