// One backend connection, and the pooled Database built on such connections.
//
// A Connection is used by one thread at a time (the pool guarantees it). Backends implement
// Connection; PooledDatabase supplies the pool, transactions, retries and misuse checks once
// for all of them.
#ifndef SIJIL_STORE_INTERNAL_CONNECTION_H_
#define SIJIL_STORE_INTERNAL_CONNECTION_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "sijil/base/env.h"
#include "sijil/store/database.h"

namespace sijil::store::internal {

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Result<Rows> Query(std::string_view sql, std::span<const Value> params) = 0;
  virtual Result<int64_t> Execute(std::string_view sql, std::span<const Value> params) = 0;
  virtual Status ExecuteScript(std::string_view sql) = 0;
  virtual Status Begin(bool read_only) = 0;
  virtual Status Commit() = 0;
  // Ends any open transaction; a failure leaves the connection unhealthy.
  virtual void Rollback() = 0;
  // False when the connection must not go back to the pool (lost, or stuck in a transaction).
  virtual bool Healthy() = 0;
};

using ConnectionFactory = std::function<Result<std::unique_ptr<Connection>>()>;

class PooledDatabase final : public Database {
 public:
  PooledDatabase(Dialect dialect, ConnectionFactory factory, int max_connections,
                 std::chrono::milliseconds acquire_timeout, Env& env);
  ~PooledDatabase() override;

  // Opens the first connection so that open errors surface at once.
  Status Warm();

  Dialect dialect() const override { return dialect_; }
  Status ExecuteScript(std::string_view sql) override;
  Status RunInTransaction(const std::function<Status(Transaction&)>& fn,
                          const TransactionOptions& options) override;

 protected:
  Result<Rows> DoQuery(std::string_view sql, std::span<const Value> params) override;
  Result<int64_t> DoExecute(std::string_view sql, std::span<const Value> params) override;

 private:
  class Lease;
  Result<std::unique_ptr<Connection>> Acquire();
  void Release(std::unique_ptr<Connection> conn);
  Status CheckNotInTransaction() const;
  void Backoff(int attempt);
  template <typename Fn>
  auto WithConnection(Fn fn) -> decltype(fn(std::declval<Connection&>()));

  const Dialect dialect_;
  const ConnectionFactory factory_;
  const int max_connections_;
  const std::chrono::milliseconds acquire_timeout_;
  Env& env_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;  // connections alive, idle or leased
};

}  // namespace sijil::store::internal

#endif  // SIJIL_STORE_INTERNAL_CONNECTION_H_
