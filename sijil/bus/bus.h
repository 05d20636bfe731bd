// Bus: durable topics and work queues with at-least-once delivery.
//
// A message is published to a topic; every consumer group subscribed to the topic gets its
// own copy and hands it to one of its consumers at a time (a work queue per group). Delivery
// is at-least-once: a message stays owed to a group until a consumer acknowledges it. A
// consumer that fails (Nack) or disappears (its lease runs out: crash, SIGKILL) makes the
// message due again after an exponential back-off measured on Env's clock; after
// `max_attempts` deliveries it moves to the group's dead-letter queue.
//
// Publishing takes the caller's store::Transaction, so an event and the state change it
// announces commit together or not at all (the outbox pattern).
//
// Ordering: messages with the same non-empty key reach a group in publish order, one at a
// time: the next is held back until the previous one is acknowledged or dead-lettered.
// Messages with an empty key are unordered and may be delivered in parallel.
//
// Idempotency: every message carries an id (given by the publisher, or a random one).
// Publishing an id that is already on the bus does nothing, and handlers use the id to
// recognise a redelivery. A redelivery carries a higher `attempt`.
//
// Thread-safety: a Bus is thread-safe.
//
// Status codes: SIJ-BUS-001 kInvalidArgument (bad topic, group, key or options),
// SIJ-BUS-002 kNotFound (no such subscription, or no such dead letter), plus the store's
// SIJ-STO-0xx codes from the underlying database.
#ifndef SIJIL_BUS_BUS_H_
#define SIJIL_BUS_BUS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/base/status.h"
#include "sijil/store/database.h"

namespace sijil::bus {

// What a publisher sends. Topic and group names: 1-200 characters of [A-Za-z0-9._-].
struct OutgoingMessage {
  std::string topic;
  std::string payload;  // opaque bytes
  std::string key;      // ordering key; empty for none
  std::string id;       // idempotency id; empty to have one generated (32 hex digits)
};

// What a consumer receives.
struct Message {
  std::string id;
  std::string topic;
  std::string key;
  std::string payload;
  std::chrono::system_clock::time_point published_at;
  int64_t sequence = 0;  // position on the bus, increasing in publish (commit) order per key
};

// One delivery of a message to a consumer of a group; pass it back to Ack or Nack.
struct Delivery {
  Message message;
  std::string group;
  int attempt = 1;  // 1 on the first delivery; higher on a retry
};

struct SubscriptionOptions {
  // Deliveries (including the first) before the message is dead-lettered.
  int max_attempts = 5;
  // Back-off before retry n (n >= 1): initial_backoff * 2^(n-1), capped at max_backoff.
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(10)};
  // How long a consumer owns a delivery before it is presumed dead and the message is due
  // again (counted as a failed attempt).
  std::chrono::milliseconds lease{std::chrono::seconds(60)};
  // When the group is created: also deliver the messages still retained on the topic.
  bool from_beginning = false;
};

// A message in a dead-letter queue.
struct DeadLetter {
  Delivery delivery;   // the last delivery
  std::string reason;  // the last Nack reason, or "lease expired"
};

class Bus {
 public:
  virtual ~Bus() = default;

  // Creates (or updates the options of) consumer group `group` on `topic`. A new group
  // receives messages published from now on (or all retained ones, with from_beginning).
  virtual Status Subscribe(std::string_view topic, std::string_view group,
                           const SubscriptionOptions& options = {}) = 0;

  // Publishes as part of `tx`: consumers see the message only if `tx` commits. Returns the
  // message id. `tx` must come from the database the bus is built on.
  virtual Result<std::string> Publish(store::Transaction& tx, const OutgoingMessage& message) = 0;
  // Publishes in a transaction of its own.
  virtual Result<std::string> Publish(const OutgoingMessage& message) = 0;

  // Leases up to `max` due messages of `group` to the caller. Empty when none is due.
  virtual Result<std::vector<Delivery>> Fetch(std::string_view topic, std::string_view group,
                                              int max) = 0;
  // Settles a delivery as handled. Idempotent; acknowledging after the lease ran out is
  // accepted (the work was done).
  virtual Status Ack(const Delivery& delivery) = 0;
  // The same, inside `tx`: the handler's writes and the acknowledgement commit together, so
  // a handler that writes only to the store sees each message's effect exactly once.
  virtual Status Ack(store::Transaction& tx, const Delivery& delivery) = 0;
  // Reports a failed attempt: the message is due again after the back-off, or goes to the
  // dead-letter queue if this was the last attempt. `reason` is kept with a dead letter.
  virtual Status Nack(const Delivery& delivery, std::string_view reason) = 0;

  // Dead-letter queue of a group, oldest first.
  virtual Result<std::vector<DeadLetter>> DeadLetters(std::string_view topic,
                                                      std::string_view group, int max) = 0;
  // Moves a dead letter back to its group's queue with a fresh attempt budget.
  virtual Status Redrive(std::string_view topic, std::string_view group,
                         std::string_view message_id) = 0;

  // Messages owed to `group` and not dead-lettered (due, waiting for a retry, or leased).
  virtual Result<int64_t> Pending(std::string_view topic, std::string_view group) = 0;

  // Deletes messages published before `before` that no group still owes (acknowledged by all).
  // Returns how many were deleted. After this, their ids may be published again.
  virtual Result<int64_t> Compact(std::chrono::system_clock::time_point before) = 0;

  // Blocks until a message may have become available for `topic`, WakeWaiters is called, or
  // `timeout` passes (real time). In-process publishes wake waiters at once; publishes by
  // other processes and retries coming due are noticed when the wait times out.
  virtual void WaitForMessages(std::string_view topic, std::chrono::milliseconds timeout) = 0;
  virtual void WakeWaiters(std::string_view topic) = 0;
};

// How a handler reports its outcome: OK acknowledges; any error is a failed attempt (Nack
// with the error as reason).
using Handler = std::function<Status(const Message& message, int attempt)>;
// A handler whose writes commit with the acknowledgement (see Bus::Ack(tx, ...)).
using TransactionalHandler =
    std::function<Status(store::Transaction& tx, const Message& message, int attempt)>;

// Fetches and handles up to `max` due messages of `group`, one at a time. Returns how many
// were handled successfully. Fails only if the bus itself fails.
Result<int> ProcessAvailable(Bus& bus, std::string_view topic, std::string_view group,
                             const Handler& handler, int max = 100);
// The same with the handler's writes and the acknowledgement in one transaction of `db`
// (the database the bus is built on).
Result<int> ProcessAvailable(Bus& bus, store::Database& db, std::string_view topic,
                             std::string_view group, const TransactionalHandler& handler,
                             int max = 100);

// The back-off before retry `attempt` (>= 1), per `options`.
std::chrono::milliseconds RetryBackoff(const SubscriptionOptions& options, int attempt);

// Checks a topic or group name (SIJ-BUS-001 if bad).
Status ValidateName(std::string_view what, std::string_view name);

}  // namespace sijil::bus

#endif  // SIJIL_BUS_BUS_H_
