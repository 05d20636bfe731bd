// Behaviour specific to the SQLite backend: opening, file damage, locking, pragmas.
#include <gtest/gtest.h>

#include <fstream>
#include <latch>
#include <thread>

#include "sijil/store/database.h"
#include "sijil/store/test_databases.h"

namespace sijil::store {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = TempDir::Create("sijil-sqlite-");
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<TempDir>(std::move(dir).value());
  }
  std::filesystem::path Path(const char* name) { return dir_->path() / name; }

  SimulatedEnv env_{3};
  std::unique_ptr<TempDir> dir_;
};

TEST_F(SqliteTest, OpensInWalModeWithForeignKeysAndFullSync) {
  SqliteOptions options;
  options.path = Path("a.db");
  auto db = OpenSqlite(options, env_);
  ASSERT_TRUE(db.ok()) << db.status();
  auto mode = (*db)->Query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ((*mode)[0].GetText(0).value(), "wal");
  auto fk = (*db)->Query("PRAGMA foreign_keys");
  EXPECT_EQ((*fk)[0].GetInt64(0).value(), 1);
  auto sync = (*db)->Query("PRAGMA synchronous");
  EXPECT_EQ((*sync)[0].GetInt64(0).value(), 2);  // FULL
}

TEST_F(SqliteTest, DataSurvivesReopening) {
  {
    auto db = testing::OpenTestSqlite(*dir_, env_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->ExecuteScript("CREATE TABLE t (v TEXT)").ok());
    ASSERT_TRUE((*db)->Execute("INSERT INTO t VALUES (?)", {"kept"}).ok());
  }
  auto db = testing::OpenTestSqlite(*dir_, env_);
  ASSERT_TRUE(db.ok());
  auto rows = (*db)->Query("SELECT v FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].GetText(0).value(), "kept");
}

TEST_F(SqliteTest, GarbageFileIsDataLossWithAClearMessage) {
  {
    std::ofstream out(Path("bad.db"), std::ios::binary);
    out << std::string(8192, 'x');
  }
  SqliteOptions options;
  options.path = Path("bad.db");
  auto db = OpenSqlite(options, env_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().kind(), StatusKind::kDataLoss);
  EXPECT_EQ(db.status().code(), "SIJ-STO-006");
  EXPECT_NE(db.status().message().find("database file is corrupt or not a database"),
            std::string::npos)
      << db.status();
}

TEST_F(SqliteTest, DamagedPagesAreDataLoss) {
  SqliteOptions options;
  options.path = Path("damaged.db");
  options.synchronous_full = false;
  {
    auto db = OpenSqlite(options, env_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->ExecuteScript("PRAGMA journal_mode=DELETE; CREATE TABLE t (v TEXT)").ok());
    ASSERT_TRUE((*db)
                    ->RunInTransaction([](Transaction& tx) -> Status {
                      for (int i = 0; i < 200; ++i) {
                        SIJIL_RETURN_IF_ERROR(
                            tx.Execute("INSERT INTO t VALUES (?)", {std::string(100, 'a' + i % 26)})
                                .status());
                      }
                      return Status::Ok();
                    })
                    .ok());
  }
  {
    // Overwrite the second page onward (the table's b-tree) with noise; keep the header.
    std::fstream f(Path("damaged.db"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    f << std::string(8192, '\x5a');
  }
  auto db = OpenSqlite(options, env_);
  Status s = db.ok() ? (*db)->Query("SELECT COUNT(*), MAX(v) FROM t").status() : db.status();
  EXPECT_EQ(s.kind(), StatusKind::kDataLoss) << s;
  EXPECT_EQ(s.code(), "SIJ-STO-006");
}

TEST_F(SqliteTest, MissingDirectoryIsUnavailable) {
  SqliteOptions options;
  options.path = Path("no/such/dir/x.db");
  auto db = OpenSqlite(options, env_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), "SIJ-STO-007") << db.status();
}

TEST_F(SqliteTest, WriterBlockedPastTheBusyTimeoutGetsBusy) {
  SqliteOptions options;
  options.path = Path("busy.db");
  options.busy_timeout = std::chrono::milliseconds(50);
  options.synchronous_full = false;
  auto db = OpenSqlite(options, env_);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->ExecuteScript("CREATE TABLE t (v BIGINT)").ok());
  std::latch holding(1), release(1);
  std::thread holder([&] {
    Status s = (*db)->RunInTransaction([&](Transaction& tx) -> Status {
      SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO t VALUES (1)").status());
      holding.count_down();
      release.wait();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  holding.wait();
  Status blocked = (*db)->RunInTransaction(
      [](Transaction& tx) { return tx.Execute("INSERT INTO t VALUES (2)").status(); },
      {.max_attempts = 2});
  EXPECT_EQ(blocked.code(), "SIJ-STO-004") << blocked;
  EXPECT_TRUE(IsRetryable(blocked));
  // Readers are not blocked by the writer (WAL).
  auto rows = (*db)->Query("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].GetInt64(0).value(), 0);
  release.count_down();
  holder.join();
  EXPECT_EQ((*(*db)->Query("SELECT COUNT(*) FROM t"))[0].GetInt64(0).value(), 1);
}

TEST_F(SqliteTest, InMemoryDatabaseWorks) {
  SqliteOptions options;
  options.path = ":memory:";
  auto db = OpenSqlite(options, env_);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->ExecuteScript("CREATE TABLE t (v BIGINT)").ok());
  ASSERT_TRUE((*db)->Execute("INSERT INTO t VALUES (?)", {3}).ok());
  EXPECT_EQ((*(*db)->Query("SELECT v FROM t"))[0].GetInt64(0).value(), 3);
}

TEST_F(SqliteTest, OpenDatabaseByUrl) {
  auto db = OpenDatabase("sqlite:" + Path("url.db").string(), env_);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->dialect(), Dialect::kSqlite);
  EXPECT_EQ(OpenDatabase("mysql://x", env_).status().code(), "SIJ-STO-010");
  EXPECT_EQ(OpenDatabase("sqlite:", env_).status().code(), "SIJ-STO-010");
}

TEST_F(SqliteTest, UnreachablePostgresIsUnavailable) {
  PostgresOptions options;
  options.conninfo = "host=" + Path("nowhere").string() + " dbname=x connect_timeout=2";
  auto db = OpenPostgres(options, env_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), "SIJ-STO-007") << db.status();
  EXPECT_EQ(db.status().kind(), StatusKind::kUnavailable);
}

TEST_F(SqliteTest, PoolHandsOutAtMostMaxConnections) {
  SqliteOptions options;
  options.path = Path("pool.db");
  options.max_connections = 1;
  options.acquire_timeout = std::chrono::milliseconds(30);
  auto db = OpenSqlite(options, env_);
  ASSERT_TRUE(db.ok());
  std::latch holding(1), release(1);
  std::thread holder([&] {
    (void)(*db)->RunInTransaction(
        [&](Transaction&) {
          holding.count_down();
          release.wait();
          return Status::Ok();
        },
        {.read_only = true});
  });
  holding.wait();
  auto starved = (*db)->Query("SELECT 1");
  EXPECT_EQ(starved.status().code(), "SIJ-STO-014") << starved.status();
  release.count_down();
  holder.join();
  EXPECT_TRUE((*db)->Query("SELECT 1").ok());
}

}  // namespace
}  // namespace sijil::store
