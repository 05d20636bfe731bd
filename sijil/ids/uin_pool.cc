#include "sijil/ids/uin_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace sijil::ids {
namespace {

constexpr int64_t kAvailable = 0;
constexpr int64_t kIssued = 1;

// Wake the refiller to look at the pool after this many allocations.
constexpr int64_t kCheckEvery = 1024;

// Schema version 1 of module "ids". Never edit a shipped step; append a new one.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE ids_uin (
  uin TEXT PRIMARY KEY,
  status BIGINT NOT NULL CHECK (status IN (0, 1)),
  generated_at BIGINT NOT NULL,
  issued_at BIGINT,
  reference TEXT
);
CREATE INDEX ids_uin_status ON ids_uin (status, uin);
CREATE UNIQUE INDEX ids_uin_reference ON ids_uin (reference);
)sql";

int64_t UnixMillis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point FromUnixMillis(int64_t ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

Result<IssuedUin> ReadIssued(const store::Row& row) {
  IssuedUin out;
  SIJIL_ASSIGN_OR_RETURN(out.uin, row.GetText(0));
  SIJIL_ASSIGN_OR_RETURN(std::optional<std::string> ref, row.GetOptionalText(1));
  SIJIL_ASSIGN_OR_RETURN(std::optional<int64_t> at, row.GetOptionalInt64(2));
  out.reference = ref.value_or("");
  out.issued_at = FromUnixMillis(at.value_or(0));
  return out;
}

}  // namespace

Status UinPoolSettings::Check() const {
  SIJIL_RETURN_IF_ERROR(uin.Check());
  if (low_water_mark < 0) {
    return Status::InvalidArgument("SIJ-IDS-011", "uin pool: low_water_mark must be >= 0");
  }
  if (refill_count < 1) {
    return Status::InvalidArgument("SIJ-IDS-011", "uin pool: refill_count must be >= 1");
  }
  if (insert_batch < 1 || insert_batch > 5000) {
    return Status::InvalidArgument("SIJ-IDS-011", "uin pool: insert_batch must be 1..5000");
  }
  if (check_interval.count() <= 0) {
    return Status::InvalidArgument("SIJ-IDS-011", "uin pool: check_interval must be positive");
  }
  return Status::Ok();
}

Result<std::unique_ptr<UinPool>> UinPool::Open(store::Database& db, Env& env,
                                               UinPoolSettings settings) {
  SIJIL_RETURN_IF_ERROR(settings.Check());
  SIJIL_RETURN_IF_ERROR(db.Migrate("ids", {kSchemaV1}));
  IdSettings id_settings;
  id_settings.uin = settings.uin;
  SIJIL_ASSIGN_OR_RETURN(IdGenerator generator,
                         IdGenerator::Create(IdType::kUin, id_settings, env));
  return std::unique_ptr<UinPool>(new UinPool(db, env, std::move(settings), std::move(generator)));
}

UinPool::UinPool(store::Database& db, Env& env, UinPoolSettings settings, IdGenerator generator)
    : db_(db), env_(env), settings_(std::move(settings)), generator_(std::move(generator)) {}

UinPool::~UinPool() { StopBackgroundRefill(); }

std::string UinPool::RandomStart() {
  std::string start(static_cast<size_t>(settings_.uin.length), '0');
  for (char& c : start) c = static_cast<char>('0' + env_.RandomUniform(10));
  return start;
}

Result<std::optional<std::string>> UinPool::TryIssue(store::Transaction& tx,
                                                     std::string_view reference) {
  if (!reference.empty()) {
    SIJIL_ASSIGN_OR_RETURN(store::Rows existing,
                           tx.Query("SELECT uin FROM ids_uin WHERE reference = ?", {reference}));
    if (!existing.empty()) {
      SIJIL_ASSIGN_OR_RETURN(std::string uin, existing[0].GetText(0));
      return std::optional<std::string>(std::move(uin));
    }
  }
  // UINs are uniformly random, so the first available one at or after a random point is a
  // random available one: concurrent allocators mostly pick different rows. PostgreSQL also
  // skips rows another allocator has locked instead of waiting for it.
  const bool postgres = tx.dialect() == store::Dialect::kPostgres;
  const char* lock = postgres ? " FOR UPDATE SKIP LOCKED" : "";
  SIJIL_ASSIGN_OR_RETURN(
      store::Rows rows,
      tx.Query(fmt::format("SELECT uin FROM ids_uin WHERE status = ? AND uin >= ? "
                           "ORDER BY uin LIMIT 1{}",
                           lock),
               {kAvailable, RandomStart()}));
  if (rows.empty()) {
    SIJIL_ASSIGN_OR_RETURN(
        rows, tx.Query(fmt::format(
                           "SELECT uin FROM ids_uin WHERE status = ? ORDER BY uin LIMIT 1{}", lock),
                       {kAvailable}));
  }
  if (rows.empty()) return std::optional<std::string>();
  SIJIL_ASSIGN_OR_RETURN(std::string uin, rows[0].GetText(0));
  SIJIL_ASSIGN_OR_RETURN(
      int64_t changed,
      tx.Execute(
          "UPDATE ids_uin SET status = ?, issued_at = ?, reference = ? "
          "WHERE uin = ? AND status = ?",
          {kIssued, UnixMillis(env_.Now()),
           reference.empty() ? store::Value() : store::Value::Text(reference), uin, kAvailable}));
  if (changed != 1) {
    // Another transaction issued it between our read and write (possible only where reads
    // are not serialised); retrying the whole transaction picks another.
    return Status::Aborted("SIJ-STO-005", "UIN taken concurrently; retrying");
  }
  return std::optional<std::string>(std::move(uin));
}

Result<std::string> UinPool::Allocate(store::Transaction& tx, std::string_view reference) {
  SIJIL_ASSIGN_OR_RETURN(std::optional<std::string> uin, TryIssue(tx, reference));
  if (!uin.has_value()) {
    WakeRefiller();
    return Status::ResourceExhausted("KER-UIG-001", "UIN could not be found");
  }
  if (++allocations_since_check_ % kCheckEvery == 0) WakeRefiller();
  return std::move(*uin);
}

Result<std::string> UinPool::Allocate(std::string_view reference) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::optional<std::string> uin;
    Status st = db_.RunInTransaction([&](store::Transaction& tx) -> Status {
      if (tx.dialect() == store::Dialect::kPostgres) {
        // Serializable isolation makes concurrent allocators abort each other through
        // predicate locks on the small hot index pages. Read committed with row locks is
        // enough here: the UPDATE re-checks status = AVAILABLE under the row lock and the
        // unique index on reference catches a racing duplicate.
        SIJIL_RETURN_IF_ERROR(tx.ExecuteScript("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"));
      }
      SIJIL_ASSIGN_OR_RETURN(uin, TryIssue(tx, reference));
      return Status::Ok();
    });
    if (!st.ok()) {
      // Two callers with one reference raced; the unique index let one win. Return its UIN.
      if (st.kind() == StatusKind::kAlreadyExists && !reference.empty()) {
        SIJIL_ASSIGN_OR_RETURN(std::optional<IssuedUin> prior, FindByReference(reference));
        if (prior.has_value()) return prior->uin;
        return Status::FailedPrecondition("SIJ-IDS-010", "reference conflict while issuing a UIN");
      }
      return st;
    }
    if (uin.has_value()) {
      if (++allocations_since_check_ % kCheckEvery == 0) WakeRefiller();
      return std::move(*uin);
    }
    WakeRefiller();
    if (attempt == 0) {
      // Empty pool: add one batch inline so this caller need not wait for the refiller.
      SIJIL_ASSIGN_OR_RETURN(
          int64_t added, Refill(std::min<int64_t>(settings_.insert_batch, settings_.refill_count)));
      (void)added;
    }
  }
  return Status::ResourceExhausted("KER-UIG-001", "UIN could not be found");
}

Result<std::optional<IssuedUin>> UinPool::FindByReference(std::string_view reference) {
  if (reference.empty()) return std::optional<IssuedUin>();
  SIJIL_ASSIGN_OR_RETURN(
      store::Rows rows,
      db_.Query("SELECT uin, reference, issued_at FROM ids_uin WHERE reference = ?", {reference}));
  if (rows.empty()) return std::optional<IssuedUin>();
  SIJIL_ASSIGN_OR_RETURN(IssuedUin issued, ReadIssued(rows[0]));
  return std::optional<IssuedUin>(std::move(issued));
}

Result<std::optional<IssuedUin>> UinPool::FindIssued(std::string_view uin) {
  SIJIL_ASSIGN_OR_RETURN(
      store::Rows rows,
      db_.Query("SELECT uin, reference, issued_at FROM ids_uin WHERE uin = ? AND status = ?",
                {uin, kIssued}));
  if (rows.empty()) return std::optional<IssuedUin>();
  SIJIL_ASSIGN_OR_RETURN(IssuedUin issued, ReadIssued(rows[0]));
  return std::optional<IssuedUin>(std::move(issued));
}

Result<UinPoolStats> UinPool::Stats() {
  SIJIL_ASSIGN_OR_RETURN(store::Rows rows,
                         db_.Query("SELECT status, COUNT(*) FROM ids_uin GROUP BY status"));
  UinPoolStats stats;
  for (const store::Row& row : rows) {
    SIJIL_ASSIGN_OR_RETURN(int64_t status, row.GetInt64(0));
    SIJIL_ASSIGN_OR_RETURN(int64_t count, row.GetInt64(1));
    (status == kIssued ? stats.issued : stats.available) += count;
  }
  return stats;
}

Result<int64_t> UinPool::Refill(int64_t count) {
  std::lock_guard<std::mutex> lock(generator_mu_);
  int64_t added = 0;
  std::vector<store::Value> params;
  std::string sql;
  for (int64_t done = 0; done < count;) {
    {
      std::lock_guard<std::mutex> l(refill_mu_);
      if (refill_stop_) break;
    }
    const int64_t n = std::min<int64_t>(settings_.insert_batch, count - done);
    SIJIL_ASSIGN_OR_RETURN(std::vector<std::string> uins, generator_.Next(static_cast<size_t>(n)));
    const int64_t now = UnixMillis(env_.Now());
    params.clear();
    sql = "INSERT INTO ids_uin (uin, status, generated_at) VALUES ";
    for (size_t i = 0; i < uins.size(); ++i) {
      sql += i == 0 ? "(?, 0, ?)" : ", (?, 0, ?)";
      params.emplace_back(std::move(uins[i]));
      params.emplace_back(now);
    }
    // A UIN drawn again (issued or not) is skipped: the existing row wins, so nothing is ever
    // issued twice.
    sql += " ON CONFLICT (uin) DO NOTHING";
    int64_t inserted = 0;
    SIJIL_RETURN_IF_ERROR(db_.RunInTransaction([&](store::Transaction& tx) -> Status {
      SIJIL_ASSIGN_OR_RETURN(inserted, tx.Execute(sql, params));
      return Status::Ok();
    }));
    added += inserted;
    done += n;
  }
  return added;
}

Result<int64_t> UinPool::RefillIfLow() {
  SIJIL_ASSIGN_OR_RETURN(UinPoolStats stats, Stats());
  if (stats.available >= settings_.low_water_mark) return int64_t{0};
  return Refill(settings_.refill_count);
}

void UinPool::WakeRefiller() {
  std::lock_guard<std::mutex> lock(refill_mu_);
  refill_wake_ = true;
  refill_cv_.notify_one();
}

void UinPool::StartBackgroundRefill() {
  std::lock_guard<std::mutex> lock(refill_mu_);
  if (refill_thread_.joinable()) return;
  refill_stop_ = false;
  refill_wake_ = true;  // look at the pool right away
  refill_thread_ = std::thread([this] { RefillLoop(); });
}

void UinPool::StopBackgroundRefill() {
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(refill_mu_);
    refill_stop_ = true;
    refill_cv_.notify_all();
    t = std::move(refill_thread_);
  }
  if (t.joinable()) t.join();
  std::lock_guard<std::mutex> lock(refill_mu_);
  refill_stop_ = false;
}

Status UinPool::background_status() const {
  std::lock_guard<std::mutex> lock(refill_mu_);
  return background_status_;
}

void UinPool::RefillLoop() {
  std::unique_lock<std::mutex> lock(refill_mu_);
  while (!refill_stop_) {
    // A scheduling wait, not a time measurement: the interval only bounds how stale the
    // pool count may get when nobody wakes us.
    refill_cv_.wait_for(lock, settings_.check_interval,
                        [this] { return refill_wake_ || refill_stop_; });
    if (refill_stop_) break;
    refill_wake_ = false;
    lock.unlock();
    Result<int64_t> added = RefillIfLow();
    lock.lock();
    background_status_ = added.ok() ? Status::Ok() : added.status();
  }
}

}  // namespace sijil::ids
