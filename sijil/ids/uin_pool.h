// UinPool: the store-backed pool of unused UINs, from which identities draw their number.
//
// Table `ids_uin` holds every UIN ever generated, keyed by the UIN itself (the primary key is
// the unique constraint that makes duplicates impossible). A row moves once from AVAILABLE to
// ISSUED and is never deleted or moved back, so a UIN is never issued twice, not even after
// the pool is refilled with a generator that happens to draw it again (the insert is skipped).
//
// Allocation is one transaction: pick an available UIN (from a random point of the key space,
// so concurrent allocators rarely contend for the same row), flip it to ISSUED with the
// caller's reference, commit. A crash before the commit leaves the UIN available; after it,
// issued. With a non-empty reference (a RID, a request id) allocation is idempotent: a retry
// after a crash gets the UIN it was given before, and a unique index forbids two UINs for one
// reference. Allocate(tx, ...) joins the caller's transaction, so "this identity got this UIN"
// commits or vanishes together with the identity itself.
//
// Refill generates fresh UINs (IdGenerator, OS CSPRNG) in batches when the available count is
// below the low-water mark; StartBackgroundRefill runs that in a thread.
//
// Status codes:
//   KER-UIG-001 kResourceExhausted  no UIN is available (the refill has not caught up)
//   SIJ-IDS-010 kFailedPrecondition the reference is already bound to another UIN's allocation
//                                   in a way that cannot be returned (never expected)
//   SIJ-IDS-011 kInvalidArgument    bad pool settings
//   SIJ-STO-*                       store failures, passed through
//
// Thread-safety: a UinPool is thread-safe. Any number of threads and processes may allocate
// from one database at once.
#ifndef SIJIL_IDS_UIN_POOL_H_
#define SIJIL_IDS_UIN_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/ids/generator.h"
#include "sijil/ids/identifiers.h"
#include "sijil/store/database.h"

namespace sijil::ids {

struct UinPoolSettings {
  UinSettings uin;
  // Refill when fewer UINs than this are available (mosip.kernel.uin.min-unused-threshold).
  int64_t low_water_mark = 200'000;
  // How many new UINs one refill adds (mosip.kernel.uin.uins-to-generate).
  int64_t refill_count = 500'000;
  // Rows per insert transaction while refilling (bounds lock time and memory).
  int insert_batch = 1000;
  // How often the background refiller looks at the pool when nobody wakes it.
  std::chrono::milliseconds check_interval{5000};

  // SIJ-IDS-011 or uin's SIJ-IDS-001 when invalid.
  Status Check() const;
};

struct UinPoolStats {
  int64_t available = 0;
  int64_t issued = 0;
};

// One issued UIN as recorded in the pool.
struct IssuedUin {
  std::string uin;
  std::string reference;  // empty when allocated without one
  std::chrono::system_clock::time_point issued_at;
};

class UinPool {
 public:
  // Migrates the `ids` schema and returns a pool over `db`. `db` and `env` must outlive it.
  static Result<std::unique_ptr<UinPool>> Open(store::Database& db, Env& env,
                                               UinPoolSettings settings = {});
  ~UinPool();
  UinPool(const UinPool&) = delete;
  UinPool& operator=(const UinPool&) = delete;

  // Issues an available UIN in its own transaction. With a non-empty `reference`, returns the
  // UIN already issued to it if there is one. If the pool is empty, refills a small batch
  // inline first (and wakes the background refiller). KER-UIG-001 when still none.
  Result<std::string> Allocate(std::string_view reference = "");

  // The same inside the caller's transaction: the UIN is issued only if `tx` commits. Does not
  // refill inline (KER-UIG-001 on an empty pool; the background refiller is woken).
  Result<std::string> Allocate(store::Transaction& tx, std::string_view reference);

  // The UIN issued to `reference`, if any.
  Result<std::optional<IssuedUin>> FindByReference(std::string_view reference);
  // The record of `uin` if it was issued; nullopt if it is available or unknown.
  Result<std::optional<IssuedUin>> FindIssued(std::string_view uin);

  Result<UinPoolStats> Stats();

  // Generates `count` new UINs and adds those not already in the table. Returns how many were
  // added (fewer than `count` only when the generator repeated an existing UIN).
  Result<int64_t> Refill(int64_t count);
  // Refills settings.refill_count UINs if fewer than low_water_mark are available. Returns how
  // many were added (0 when the pool was high enough).
  Result<int64_t> RefillIfLow();

  // Starts a thread that calls RefillIfLow every check_interval, or sooner when an allocation
  // finds the pool low or empty. Idempotent. The thread is stopped by StopBackgroundRefill or
  // the destructor.
  void StartBackgroundRefill();
  void StopBackgroundRefill();
  // The last error the background refiller met (OK if none), for /health.
  Status background_status() const;

  const UinPoolSettings& settings() const { return settings_; }

 private:
  UinPool(store::Database& db, Env& env, UinPoolSettings settings, IdGenerator generator);
  // A random UIN-length digit string: where the search for an available UIN starts.
  std::string RandomStart();
  Result<std::optional<std::string>> TryIssue(store::Transaction& tx, std::string_view reference);
  void WakeRefiller();
  void RefillLoop();

  store::Database& db_;
  Env& env_;
  const UinPoolSettings settings_;

  std::mutex generator_mu_;  // guards generator_ (refills are serialised by it too)
  IdGenerator generator_;

  std::atomic<int64_t> allocations_since_check_{0};

  mutable std::mutex refill_mu_;
  std::condition_variable refill_cv_;
  bool refill_wake_ = false;
  bool refill_stop_ = false;
  Status background_status_;
  std::thread refill_thread_;
};

}  // namespace sijil::ids

#endif  // SIJIL_IDS_UIN_POOL_H_
