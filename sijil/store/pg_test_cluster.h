// PgTestCluster: a throwaway PostgreSQL server for tests, in a temporary directory.
//
// Start() runs `initdb` and `pg_ctl start` (as the `postgres` user when the process is root,
// since PostgreSQL refuses to run as root) with a unix socket only, no TCP listener, and
// durability off (fsync, synchronous_commit, full_page_writes) because the data is thrown
// away. The destructor stops the server and removes the directory; a watchdog process does
// the same if the test process dies first (crash, timeout kill). Integration tests of any
// module can use it; production code never does.
//
// Thread-safety: CreateDatabase may be called from several threads.
#ifndef SIJIL_STORE_PG_TEST_CLUSTER_H_
#define SIJIL_STORE_PG_TEST_CLUSTER_H_

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "sijil/base/env.h"
#include "sijil/base/result.h"

namespace sijil::store {

class PgTestCluster {
 public:
  // The directory holding initdb and pg_ctl: $SIJIL_PG_BIN, else /usr/lib/postgresql/15/bin.
  static std::filesystem::path BinDir();
  // True if initdb and pg_ctl are present (tests skip, saying so, when they are not).
  static bool Available();

  // Creates and starts a cluster. Fails with SIJ-STO-016 (kUnavailable) naming the step that
  // failed and the server log's last lines.
  static Result<std::unique_ptr<PgTestCluster>> Start();

  ~PgTestCluster();
  PgTestCluster(const PgTestCluster&) = delete;
  PgTestCluster& operator=(const PgTestCluster&) = delete;

  // A libpq connection string for database `dbname` on this cluster.
  std::string ConnInfo(std::string_view dbname = "postgres") const;

  // Creates a fresh, empty namespace (a schema with a unique name in database `postgres`, made
  // the search path of every connection) and returns its connection string.
  Result<std::string> CreateDatabase();

  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  explicit PgTestCluster(TempDir dir) : dir_(std::move(dir)) {}
  Status Run(const std::string& command, std::string_view step) const;
  std::string StopCommand() const;

  TempDir dir_;
  bool running_ = false;
  int watchdog_fd_ = -1;  // closing it (or exiting) tells the watchdog to clean up
  std::atomic<int> next_db_{0};
};

}  // namespace sijil::store

#endif  // SIJIL_STORE_PG_TEST_CLUSTER_H_
