#include <algorithm>
#include <utility>

#include "sijil/store/internal/connection.h"

namespace sijil::store::internal {
namespace {

// The database whose transaction the current thread is running, to catch nested use (which
// would deadlock on SQLite's write lock or exhaust the pool).
thread_local const Database* tls_in_transaction = nullptr;

Status Misuse(std::string message) {
  return Status::FailedPrecondition("SIJ-STO-013", std::move(message));
}

class TransactionImpl final : public Transaction {
 public:
  TransactionImpl(Dialect dialect, Connection& conn) : dialect_(dialect), conn_(&conn) {}

  Dialect dialect() const override { return dialect_; }

  Status ExecuteScript(std::string_view sql) override {
    SIJIL_RETURN_IF_ERROR(CheckUsable());
    return Track(conn_->ExecuteScript(sql));
  }

  void AfterCommit(std::function<void()> fn) override { after_commit_.push_back(std::move(fn)); }

  // Ends the transaction's life as seen by the caller; later calls fail with SIJ-STO-013.
  void Close() { conn_ = nullptr; }
  std::vector<std::function<void()>> TakeAfterCommit() { return std::move(after_commit_); }
  // The first statement failure, which forbids commit even if the caller ignored it.
  const Status& failure() const { return failed_; }

 protected:
  Result<Rows> DoQuery(std::string_view sql, std::span<const Value> params) override {
    SIJIL_RETURN_IF_ERROR(CheckUsable());
    auto r = conn_->Query(sql, params);
    if (!r.ok()) failed_ = r.status();
    return r;
  }
  Result<int64_t> DoExecute(std::string_view sql, std::span<const Value> params) override {
    SIJIL_RETURN_IF_ERROR(CheckUsable());
    auto r = conn_->Execute(sql, params);
    if (!r.ok()) failed_ = r.status();
    return r;
  }

 private:
  Status CheckUsable() const {
    if (conn_ == nullptr) return Misuse("transaction used after it ended");
    // PostgreSQL refuses every statement after a failed one until rollback; SQLite would carry
    // on. Refusing on both keeps callers' code correct on both.
    if (!failed_.ok()) {
      return Misuse("transaction already failed (" + failed_.code() +
                    "); return the error so it rolls back");
    }
    return Status::Ok();
  }
  Status Track(Status s) {
    if (!s.ok()) failed_ = s;
    return s;
  }

  const Dialect dialect_;
  Connection* conn_;
  Status failed_;
  std::vector<std::function<void()>> after_commit_;
};

}  // namespace

class PooledDatabase::Lease {
 public:
  Lease(PooledDatabase* db, std::unique_ptr<Connection> conn) : db_(db), conn_(std::move(conn)) {}
  ~Lease() { db_->Release(std::move(conn_)); }
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }

 private:
  PooledDatabase* db_;
  std::unique_ptr<Connection> conn_;
};

PooledDatabase::PooledDatabase(Dialect dialect, ConnectionFactory factory, int max_connections,
                               std::chrono::milliseconds acquire_timeout, Env& env)
    : dialect_(dialect),
      factory_(std::move(factory)),
      max_connections_(std::max(1, max_connections)),
      acquire_timeout_(acquire_timeout),
      env_(env) {}

PooledDatabase::~PooledDatabase() {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.clear();
}

Status PooledDatabase::Warm() {
  SIJIL_ASSIGN_OR_RETURN(auto conn, Acquire());
  Release(std::move(conn));
  return Status::Ok();
}

Result<std::unique_ptr<Connection>> PooledDatabase::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + acquire_timeout_;
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    if (open_ < max_connections_) {
      ++open_;
      lock.unlock();
      auto conn = factory_();
      if (!conn.ok()) {
        lock.lock();
        --open_;
        cv_.notify_one();
        return conn.status();
      }
      return std::move(conn).value();
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= max_connections_) {
      return Status::ResourceExhausted("SIJ-STO-014", "no database connection became free within " +
                                                          std::to_string(acquire_timeout_.count()) +
                                                          " ms (pool of " +
                                                          std::to_string(max_connections_) + ")");
    }
  }
}

void PooledDatabase::Release(std::unique_ptr<Connection> conn) {
  if (conn == nullptr) return;
  const bool healthy = conn->Healthy();
  std::lock_guard<std::mutex> lock(mu_);
  if (healthy) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
    conn.reset();
  }
  cv_.notify_one();
}

Status PooledDatabase::CheckNotInTransaction() const {
  if (tls_in_transaction == this) {
    return Misuse("database used directly inside one of its own transactions; use the Transaction");
  }
  return Status::Ok();
}

void PooledDatabase::Backoff(int attempt) {
  // 1 ms doubling to 256 ms, with full jitter so competing writers spread out.
  const int64_t cap_us = int64_t{1000} << std::min(attempt - 1, 8);
  const int64_t us = cap_us / 2 + static_cast<int64_t>(env_.RandomUniform(cap_us / 2 + 1));
  env_.SleepFor(std::chrono::microseconds(us));
}

template <typename Fn>
auto PooledDatabase::WithConnection(Fn fn) -> decltype(fn(std::declval<Connection&>())) {
  SIJIL_RETURN_IF_ERROR(CheckNotInTransaction());
  constexpr int kAttempts = 12;
  for (int attempt = 1;; ++attempt) {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    Lease lease(this, std::move(conn).value());
    auto r = fn(*lease);
    if (r.ok() || !IsRetryable(r.status()) || attempt >= kAttempts) return r;
    // A single statement outside a transaction either applied or not; retrying is safe.
    Backoff(attempt);
  }
}

Status PooledDatabase::ExecuteScript(std::string_view sql) {
  return WithConnection([&](Connection& c) -> Result<bool> {
           SIJIL_RETURN_IF_ERROR(c.ExecuteScript(sql));
           return true;
         })
      .status();
}

Result<Rows> PooledDatabase::DoQuery(std::string_view sql, std::span<const Value> params) {
  return WithConnection([&](Connection& c) { return c.Query(sql, params); });
}

Result<int64_t> PooledDatabase::DoExecute(std::string_view sql, std::span<const Value> params) {
  return WithConnection([&](Connection& c) { return c.Execute(sql, params); });
}

Status PooledDatabase::RunInTransaction(const std::function<Status(Transaction&)>& fn,
                                        const TransactionOptions& options) {
  if (tls_in_transaction == this) {
    return Misuse("nested transaction on the same database; use the Transaction you were given");
  }
  const int attempts = std::max(1, options.max_attempts);
  for (int attempt = 1;; ++attempt) {
    Status s;
    std::vector<std::function<void()>> after_commit;
    {
      SIJIL_ASSIGN_OR_RETURN(auto acquired, Acquire());
      Lease lease(this, std::move(acquired));
      s = lease->Begin(options.read_only);
      if (s.ok()) {
        TransactionImpl tx(dialect_, *lease);
        const Database* previous = tls_in_transaction;
        tls_in_transaction = this;
        s = fn(tx);
        tls_in_transaction = previous;
        tx.Close();
        if (s.ok()) s = tx.failure();
        if (s.ok()) {
          s = lease->Commit();
          if (s.ok()) after_commit = tx.TakeAfterCommit();
        }
        if (!s.ok()) lease->Rollback();
      }
    }
    if (s.ok()) {
      // Hooks run once the connection is back in the pool, so they may use the database.
      for (auto& hook : after_commit) hook();
      return s;
    }
    if (!IsRetryable(s) || attempt >= attempts) return s;
    Backoff(attempt);
  }
}

}  // namespace sijil::store::internal
