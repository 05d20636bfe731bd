// FaultInjectingDatabase: a Database wrapper for tests that makes writes fail on purpose.
//
// It forwards everything to a real Database and counts writes (Execute, ExecuteScript, and
// Query of anything but SELECT). It can fail the Nth write, or "crash" after the Nth write:
// the transaction in progress never commits and every later call fails, as if the process
// had died between two statements; Recover() plays the restart. Failures carry SIJ-STO-015
// (kUnavailable), which RunInTransaction does not retry. For tests only.
//
// Thread-safety: as thread-safe as the wrapped Database.
#ifndef SIJIL_STORE_FAULT_INJECTION_H_
#define SIJIL_STORE_FAULT_INJECTION_H_

#include <functional>
#include <mutex>
#include <string_view>

#include "sijil/store/database.h"

namespace sijil::store {

class FaultInjectingDatabase final : public Database {
 public:
  // `inner` must outlive this wrapper.
  explicit FaultInjectingDatabase(Database& inner) : inner_(inner) {}

  // The `n`th write from now (1 = the next one) fails without reaching the database.
  void FailNthWrite(int n);
  // The `n`th write from now succeeds, then the database crashes.
  void CrashAfterNthWrite(int n);
  // Crashes now: later calls fail until Recover().
  void Crash();
  // Clears the crashed state and any pending fault.
  void Recover();
  bool crashed() const;
  // Writes that reached the database since construction.
  int writes() const;
  // Called before every statement with its SQL; a non-OK result fails that statement.
  void SetHook(std::function<Status(std::string_view sql)> hook);

  Dialect dialect() const override { return inner_.dialect(); }
  Status ExecuteScript(std::string_view sql) override;
  Status RunInTransaction(const std::function<Status(Transaction&)>& fn,
                          const TransactionOptions& options = {}) override;

  // Used by the transaction wrapper: decides the fate of a statement before and after it runs.
  Status BeforeStatement(std::string_view sql, bool is_write);
  void AfterWrite();

 protected:
  Result<Rows> DoQuery(std::string_view sql, std::span<const Value> params) override;
  Result<int64_t> DoExecute(std::string_view sql, std::span<const Value> params) override;

 private:
  Database& inner_;
  mutable std::mutex mu_;
  int fail_in_ = 0;   // fail the write when this counts down to 1 (0: off)
  int crash_in_ = 0;  // crash after the write when this counts down to 1 (0: off)
  bool crashed_ = false;
  int writes_ = 0;
  std::function<Status(std::string_view)> hook_;
};

}  // namespace sijil::store

#endif  // SIJIL_STORE_FAULT_INJECTION_H_
