#include "sijil/store/fault_injection.h"

#include <cctype>

namespace sijil::store {
namespace {

Status Injected(std::string_view what) {
  return Status::Unavailable("SIJ-STO-015", "injected fault: " + std::string(what));
}

bool IsReadOnlySql(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  std::string word;
  while (i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])) && word.size() < 8) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
  }
  return word == "SELECT";
}

class FaultTransaction final : public Transaction {
 public:
  FaultTransaction(FaultInjectingDatabase& db, Transaction& inner) : db_(db), inner_(inner) {}
  Dialect dialect() const override { return inner_.dialect(); }
  Status ExecuteScript(std::string_view sql) override {
    SIJIL_RETURN_IF_ERROR(db_.BeforeStatement(sql, true));
    SIJIL_RETURN_IF_ERROR(inner_.ExecuteScript(sql));
    db_.AfterWrite();
    return Status::Ok();
  }
  void AfterCommit(std::function<void()> fn) override { inner_.AfterCommit(std::move(fn)); }

 protected:
  Result<Rows> DoQuery(std::string_view sql, std::span<const Value> params) override {
    const bool write = !IsReadOnlySql(sql);
    SIJIL_RETURN_IF_ERROR(db_.BeforeStatement(sql, write));
    auto r = inner_.Query(sql, std::vector<Value>(params.begin(), params.end()));
    if (r.ok() && write) db_.AfterWrite();
    return r;
  }
  Result<int64_t> DoExecute(std::string_view sql, std::span<const Value> params) override {
    SIJIL_RETURN_IF_ERROR(db_.BeforeStatement(sql, true));
    auto r = inner_.Execute(sql, std::vector<Value>(params.begin(), params.end()));
    if (r.ok()) db_.AfterWrite();
    return r;
  }

 private:
  FaultInjectingDatabase& db_;
  Transaction& inner_;
};

}  // namespace

void FaultInjectingDatabase::FailNthWrite(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_in_ = n;
}

void FaultInjectingDatabase::CrashAfterNthWrite(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  crash_in_ = n;
}

void FaultInjectingDatabase::Crash() {
  std::lock_guard<std::mutex> lock(mu_);
  crashed_ = true;
}

void FaultInjectingDatabase::Recover() {
  std::lock_guard<std::mutex> lock(mu_);
  crashed_ = false;
  fail_in_ = 0;
  crash_in_ = 0;
}

bool FaultInjectingDatabase::crashed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return crashed_;
}

int FaultInjectingDatabase::writes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writes_;
}

void FaultInjectingDatabase::SetHook(std::function<Status(std::string_view sql)> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hook_ = std::move(hook);
}

Status FaultInjectingDatabase::BeforeStatement(std::string_view sql, bool is_write) {
  std::function<Status(std::string_view)> hook;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Injected("the database has crashed");
    if (is_write && fail_in_ > 0 && --fail_in_ == 0) return Injected("write failed");
    hook = hook_;
  }
  if (hook) return hook(sql);
  return Status::Ok();
}

void FaultInjectingDatabase::AfterWrite() {
  std::lock_guard<std::mutex> lock(mu_);
  ++writes_;
  if (crash_in_ > 0 && --crash_in_ == 0) crashed_ = true;
}

Status FaultInjectingDatabase::ExecuteScript(std::string_view sql) {
  SIJIL_RETURN_IF_ERROR(BeforeStatement(sql, true));
  SIJIL_RETURN_IF_ERROR(inner_.ExecuteScript(sql));
  AfterWrite();
  return Status::Ok();
}

Result<Rows> FaultInjectingDatabase::DoQuery(std::string_view sql, std::span<const Value> params) {
  const bool write = !IsReadOnlySql(sql);
  SIJIL_RETURN_IF_ERROR(BeforeStatement(sql, write));
  auto r = inner_.Query(sql, std::vector<Value>(params.begin(), params.end()));
  if (r.ok() && write) AfterWrite();
  return r;
}

Result<int64_t> FaultInjectingDatabase::DoExecute(std::string_view sql,
                                                  std::span<const Value> params) {
  SIJIL_RETURN_IF_ERROR(BeforeStatement(sql, true));
  auto r = inner_.Execute(sql, std::vector<Value>(params.begin(), params.end()));
  if (r.ok()) AfterWrite();
  return r;
}

Status FaultInjectingDatabase::RunInTransaction(const std::function<Status(Transaction&)>& fn,
                                                const TransactionOptions& options) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (crashed_) return Injected("the database has crashed");
  }
  return inner_.RunInTransaction(
      [&](Transaction& tx) -> Status {
        FaultTransaction wrapped(*this, tx);
        Status s = fn(wrapped);
        // A crash during the transaction means it never commits.
        if (s.ok() && crashed()) return Injected("the database crashed before commit");
        return s;
      },
      options);
}

}  // namespace sijil::store
