// The conformance suite every Database backend must pass (SQLite and PostgreSQL).
#include "sijil/store/database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "sijil/store/fault_injection.h"
#include "sijil/store/test_databases.h"

namespace sijil::store {
namespace {

template <typename Backend>
class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = Backend::Skip(); !why.empty()) GTEST_SKIP() << why;
    auto db = backend_.Open(env_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
  }

  void CreateItems() {
    ASSERT_TRUE(db_->ExecuteScript("CREATE TABLE items ("
                                   " id BIGINT PRIMARY KEY,"
                                   " name TEXT NOT NULL UNIQUE,"
                                   " score DOUBLE PRECISION,"
                                   " payload BLOB)")
                    .ok());
  }

  int64_t Count(const std::string& table) {
    auto rows = db_->Query("SELECT COUNT(*) FROM " + table);
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok()) return -1;
    return (*rows)[0].GetInt64(0).value_or(-1);
  }

  SimulatedEnv env_{7};
  Backend backend_;
  std::unique_ptr<Database> db_;
};

using Backends = ::testing::Types<testing::SqliteBackend, testing::PostgresBackend>;
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, testing::SqliteBackend> ? "Sqlite" : "Postgres";
  }
};
TYPED_TEST_SUITE(DatabaseTest, Backends, BackendNames);

TYPED_TEST(DatabaseTest, BindsAndReadsEveryType) {
  this->CreateItems();
  const Bytes blob = {0x00, 0xff, 0x10, 0x00, 0x7f};
  const std::string arabic = "سجل – état civil";
  ASSERT_TRUE(this->db_
                  ->Execute("INSERT INTO items (id, name, score, payload) VALUES (?, ?, ?, ?)",
                            {int64_t{1}, arabic, 2.5, blob})
                  .ok());
  ASSERT_TRUE(this->db_
                  ->Execute("INSERT INTO items (id, name, score, payload) VALUES (?, ?, ?, ?)",
                            {2, "empty", nullptr, Bytes{}})
                  .ok());
  auto rows = this->db_->Query("SELECT id, name, score, payload FROM items ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  const Row& r0 = (*rows)[0];
  EXPECT_EQ(r0.GetInt64(0).value(), 1);
  EXPECT_EQ(r0.GetText(1).value(), arabic);
  EXPECT_DOUBLE_EQ(r0.GetDouble(2).value(), 2.5);
  EXPECT_EQ(r0.GetBlob(3).value(), blob);
  const Row& r1 = (*rows)[1];
  EXPECT_TRUE(r1.IsNull(2));
  EXPECT_FALSE(r1.GetDouble(2).ok());
  EXPECT_EQ(r1.GetOptionalText(1).value(), std::optional<std::string>("empty"));
  ASSERT_FALSE(r1.IsNull(3));
  EXPECT_TRUE(r1.GetBlob(3).value().empty());
  EXPECT_EQ(rows->columns(), (std::vector<std::string>{"id", "name", "score", "payload"}));
}

TYPED_TEST(DatabaseTest, Int64ExtremesAndDoublesRoundTrip) {
  ASSERT_TRUE(this->db_->ExecuteScript("CREATE TABLE n (k BIGINT, d DOUBLE PRECISION)").ok());
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  const double tiny = 5e-324, third = 1.0 / 3.0;
  ASSERT_TRUE(
      this->db_->Execute("INSERT INTO n VALUES (?, ?), (?, ?)", {lo, tiny, hi, third}).ok());
  auto rows = this->db_->Query("SELECT k, d FROM n ORDER BY k");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].GetInt64(0).value(), lo);
  EXPECT_EQ((*rows)[1].GetInt64(0).value(), hi);
  EXPECT_EQ((*rows)[0].GetDouble(1).value(), tiny);
  EXPECT_EQ((*rows)[1].GetDouble(1).value(), third);
}

TYPED_TEST(DatabaseTest, TypedReadsRefuseTheWrongType) {
  this->CreateItems();
  ASSERT_TRUE(this->db_->Execute("INSERT INTO items (id, name) VALUES (1, 'a')").ok());
  auto rows = this->db_->Query("SELECT id, name FROM items");
  ASSERT_TRUE(rows.ok());
  auto text_as_int = (*rows)[0].GetInt64(1);
  ASSERT_FALSE(text_as_int.ok());
  EXPECT_EQ(text_as_int.status().code(), "SIJ-STO-011");
  EXPECT_EQ((*rows)[0].GetText(7).status().code(), "SIJ-STO-011");
}

TYPED_TEST(DatabaseTest, UniqueViolationIsAlreadyExists) {
  this->CreateItems();
  ASSERT_TRUE(this->db_->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {1, "a"}).ok());
  auto dup_key = this->db_->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {1, "b"});
  EXPECT_EQ(dup_key.status().kind(), StatusKind::kAlreadyExists) << dup_key.status();
  EXPECT_EQ(dup_key.status().code(), "SIJ-STO-002");
  auto dup_name = this->db_->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {2, "a"});
  EXPECT_EQ(dup_name.status().code(), "SIJ-STO-002");
}

TYPED_TEST(DatabaseTest, OtherConstraintsAreFailedPrecondition) {
  ASSERT_TRUE(this->db_
                  ->ExecuteScript("CREATE TABLE parent (id BIGINT PRIMARY KEY);"
                                  "CREATE TABLE child (id BIGINT PRIMARY KEY,"
                                  " parent_id BIGINT NOT NULL REFERENCES parent(id),"
                                  " n BIGINT CHECK (n >= 0))")
                  .ok());
  auto orphan = this->db_->Execute("INSERT INTO child (id, parent_id) VALUES (1, 99)");
  EXPECT_EQ(orphan.status().code(), "SIJ-STO-003") << orphan.status();
  EXPECT_EQ(orphan.status().kind(), StatusKind::kFailedPrecondition);
  auto null = this->db_->Execute("INSERT INTO child (id, parent_id) VALUES (?, ?)", {1, nullptr});
  EXPECT_EQ(null.status().code(), "SIJ-STO-003") << null.status();
  ASSERT_TRUE(this->db_->Execute("INSERT INTO parent VALUES (1)").ok());
  auto check = this->db_->Execute("INSERT INTO child VALUES (1, 1, -5)");
  EXPECT_EQ(check.status().code(), "SIJ-STO-003") << check.status();
  EXPECT_TRUE(this->db_->Execute("INSERT INTO child VALUES (1, 1, 5)").ok());
}

TYPED_TEST(DatabaseTest, SqlErrorsAreInvalidArgument) {
  auto syntax = this->db_->Query("SELEC 1");
  EXPECT_EQ(syntax.status().code(), "SIJ-STO-001") << syntax.status();
  auto missing = this->db_->Query("SELECT * FROM no_such_table");
  EXPECT_EQ(missing.status().code(), "SIJ-STO-001") << missing.status();
  this->CreateItems();
  auto count = this->db_->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {1});
  EXPECT_EQ(count.status().code(), "SIJ-STO-001") << count.status();
  auto nul =
      this->db_->Execute("INSERT INTO items (id, name) VALUES (?, ?)", {1, std::string("a\0b", 3)});
  EXPECT_EQ(nul.status().code(), "SIJ-STO-001") << nul.status();
  EXPECT_EQ(this->Count("items"), 0);
}

TYPED_TEST(DatabaseTest, PlaceholdersInsideLiteralsAndCommentsAreText) {
  this->CreateItems();
  ASSERT_TRUE(
      this->db_->Execute("INSERT INTO items (id, name) /* ? */ VALUES (?, 'what?') -- ?\n", {5})
          .ok());
  auto rows = this->db_->Query("SELECT name FROM items WHERE id = ? AND name <> '?'", {5});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].GetText(0).value(), "what?");
}

TYPED_TEST(DatabaseTest, AutoincrementReturningAndUpsert) {
  ASSERT_TRUE(this->db_
                  ->ExecuteScript("CREATE TABLE ev (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                  " k TEXT NOT NULL UNIQUE, n BIGINT NOT NULL)")
                  .ok());
  auto a = this->db_->Query("INSERT INTO ev (k, n) VALUES (?, ?) RETURNING id", {"a", 1});
  auto b = this->db_->Query("INSERT INTO ev (k, n) VALUES (?, ?) RETURNING id", {"b", 1});
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << b.status();
  EXPECT_LT((*a)[0].GetInt64(0).value(), (*b)[0].GetInt64(0).value());
  auto ignored = this->db_->Execute(
      "INSERT INTO ev (k, n) VALUES (?, ?) ON CONFLICT (k) DO NOTHING", {"a", 9});
  ASSERT_TRUE(ignored.ok()) << ignored.status();
  EXPECT_EQ(*ignored, 0);
  auto upsert = this->db_->Execute(
      "INSERT INTO ev (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = ev.n + excluded.n",
      {"a", 9});
  ASSERT_TRUE(upsert.ok()) << upsert.status();
  EXPECT_EQ(*upsert, 1);
  auto updated = this->db_->Execute("UPDATE ev SET n = n + 1");
  EXPECT_EQ(updated.value_or(-1), 2);
  auto sum = this->db_->Query("SELECT SUM(n), COUNT(*), MAX(k) FROM ev");
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ((*sum)[0].GetInt64(0).value(), 13);  // a: 1 + 9 + 1, b: 1 + 1
  EXPECT_EQ((*sum)[0].GetInt64(1).value(), 2);
  EXPECT_EQ((*sum)[0].GetText(2).value(), "b");
}

TYPED_TEST(DatabaseTest, TransactionCommitsOrRollsBackAsAWhole) {
  this->CreateItems();
  Status failed = this->db_->RunInTransaction([](Transaction& tx) -> Status {
    SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name) VALUES (1, 'a')").status());
    return Status::InvalidArgument("TEST-001", "changed my mind");
  });
  EXPECT_EQ(failed.code(), "TEST-001");
  EXPECT_EQ(this->Count("items"), 0);

  bool committed = false;
  Status ok = this->db_->RunInTransaction([&](Transaction& tx) -> Status {
    SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name) VALUES (1, 'a')").status());
    SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name) VALUES (2, 'b')").status());
    SIJIL_ASSIGN_OR_RETURN(Rows seen, tx.Query("SELECT COUNT(*) FROM items"));
    EXPECT_EQ(seen[0].GetInt64(0).value(), 2);
    tx.AfterCommit([&] { committed = true; });
    return Status::Ok();
  });
  ASSERT_TRUE(ok.ok()) << ok;
  EXPECT_TRUE(committed);
  EXPECT_EQ(this->Count("items"), 2);
}

TYPED_TEST(DatabaseTest, AfterCommitDoesNotRunOnRollback) {
  bool ran = false;
  Status s = this->db_->RunInTransaction([&](Transaction& tx) -> Status {
    tx.AfterCommit([&] { ran = true; });
    return Status::Aborted("TEST-002", "no");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(ran);
}

TYPED_TEST(DatabaseTest, FailedStatementPoisonsTheTransaction) {
  this->CreateItems();
  Status s = this->db_->RunInTransaction([](Transaction& tx) -> Status {
    EXPECT_TRUE(tx.Execute("INSERT INTO items (id, name) VALUES (1, 'a')").ok());
    auto dup = tx.Execute("INSERT INTO items (id, name) VALUES (1, 'b')");
    EXPECT_EQ(dup.status().code(), "SIJ-STO-002");
    // Ignoring the error and carrying on is refused on every backend.
    auto next = tx.Execute("INSERT INTO items (id, name) VALUES (2, 'c')");
    EXPECT_EQ(next.status().code(), "SIJ-STO-013");
    return Status::Ok();  // even so, the transaction must not commit
  });
  EXPECT_EQ(s.code(), "SIJ-STO-002") << s;
  EXPECT_EQ(this->Count("items"), 0);
}

TYPED_TEST(DatabaseTest, NestedUseIsRefused) {
  Status s = this->db_->RunInTransaction([&](Transaction& tx) -> Status {
    Status nested = this->db_->RunInTransaction([](Transaction&) { return Status::Ok(); });
    EXPECT_EQ(nested.code(), "SIJ-STO-013");
    EXPECT_EQ(this->db_->Query("SELECT 1").status().code(), "SIJ-STO-013");
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s;
}

TYPED_TEST(DatabaseTest, ConcurrentReadModifyWriteLosesNoUpdate) {
  ASSERT_TRUE(
      this->db_->ExecuteScript("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT)").ok());
  ASSERT_TRUE(this->db_->Execute("INSERT INTO counter VALUES (1, 0)").ok());
  constexpr int kThreads = 4, kIncrements = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        Status s = this->db_->RunInTransaction(
            [](Transaction& tx) -> Status {
              SIJIL_ASSIGN_OR_RETURN(Rows r, tx.Query("SELECT n FROM counter WHERE id = 1"));
              SIJIL_ASSIGN_OR_RETURN(int64_t n, r[0].GetInt64(0));
              return tx.Execute("UPDATE counter SET n = ? WHERE id = 1", {n + 1}).status();
            },
            {.max_attempts = 100});
        if (!s.ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto rows = this->db_->Query("SELECT n FROM counter");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].GetInt64(0).value(), kThreads * kIncrements);
}

TYPED_TEST(DatabaseTest, MigrationsApplyOnceInOrder) {
  const std::vector<std::string_view> v1 = {
      "CREATE TABLE m_a (id BIGINT PRIMARY KEY)",
      "ALTER TABLE m_a ADD COLUMN note TEXT; CREATE INDEX m_a_note ON m_a (note)"};
  EXPECT_EQ(this->db_->SchemaVersion("demo").value_or(-1), 0);
  ASSERT_TRUE(this->db_->Migrate("demo", v1).ok());
  EXPECT_EQ(this->db_->SchemaVersion("demo").value_or(-1), 2);
  ASSERT_TRUE(this->db_->Migrate("demo", v1).ok());  // no-op: would fail if re-run
  ASSERT_TRUE(this->db_->Execute("INSERT INTO m_a VALUES (1, 'x')").ok());
  // Another module keeps its own version.
  ASSERT_TRUE(this->db_->Migrate("other", {"CREATE TABLE m_b (id BIGINT)"}).ok());
  EXPECT_EQ(this->db_->SchemaVersion("other").value_or(-1), 1);

  auto v2 = v1;
  v2.push_back("CREATE TABLE m_c (id BIGINT)");
  ASSERT_TRUE(this->db_->Migrate("demo", v2).ok());
  EXPECT_EQ(this->db_->SchemaVersion("demo").value_or(-1), 3);
  EXPECT_EQ(this->Count("m_a"), 1);

  Status older = this->db_->Migrate("demo", v1);
  EXPECT_EQ(older.code(), "SIJ-STO-012") << older;
  auto edited = v2;
  edited[0] = "CREATE TABLE m_a (id BIGINT PRIMARY KEY, extra TEXT)";
  EXPECT_EQ(this->db_->Migrate("demo", edited).code(), "SIJ-STO-012");
}

TYPED_TEST(DatabaseTest, FailingMigrationLeavesTheSchemaUntouched) {
  Status s = this->db_->Migrate(
      "demo", {"CREATE TABLE m_ok (id BIGINT)", "CREATE TABLE m_ok (id BIGINT)"});  // fails: exists
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("migration step 2"), std::string::npos) << s;
  EXPECT_EQ(this->db_->SchemaVersion("demo").value_or(-1), 0);
  EXPECT_FALSE(this->db_->Query("SELECT * FROM m_ok").ok());
}

TYPED_TEST(DatabaseTest, ConcurrentMigratorsApplyEachStepOnce) {
  const std::vector<std::string_view> steps = {"CREATE TABLE once_a (id BIGINT)",
                                               "CREATE TABLE once_b (id BIGINT)"};
  std::vector<Status> results(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = this->db_->Migrate("race", steps); });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(this->db_->SchemaVersion("race").value_or(-1), 2);
}

TYPED_TEST(DatabaseTest, FaultInjectionFailsTheNthWrite) {
  this->CreateItems();
  FaultInjectingDatabase faulty(*this->db_);
  faulty.FailNthWrite(2);
  Status s = faulty.RunInTransaction([](Transaction& tx) -> Status {
    SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name) VALUES (1, 'a')").status());
    return tx.Execute("INSERT INTO items (id, name) VALUES (2, 'b')").status();
  });
  EXPECT_EQ(s.code(), "SIJ-STO-015");
  EXPECT_EQ(this->Count("items"), 0);  // the first write rolled back with the second
  EXPECT_TRUE(faulty.Execute("INSERT INTO items (id, name) VALUES (3, 'c')").ok());
  EXPECT_EQ(faulty.writes(), 2);
}

TYPED_TEST(DatabaseTest, CrashBetweenStatementsKeepsOnlyCommittedWork) {
  this->CreateItems();
  FaultInjectingDatabase faulty(*this->db_);
  ASSERT_TRUE(faulty.Execute("INSERT INTO items (id, name) VALUES (1, 'committed')").ok());
  faulty.CrashAfterNthWrite(1);
  Status s = faulty.RunInTransaction([](Transaction& tx) -> Status {
    SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO items (id, name) VALUES (2, 'x')").status());
    return tx.Execute("INSERT INTO items (id, name) VALUES (3, 'y')").status();
  });
  EXPECT_EQ(s.code(), "SIJ-STO-015");
  EXPECT_TRUE(faulty.crashed());
  EXPECT_FALSE(faulty.Query("SELECT 1").ok());
  faulty.Recover();
  auto rows = faulty.Query("SELECT name FROM items");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].GetText(0).value(), "committed");
}

TYPED_TEST(DatabaseTest, PingAndDialect) {
  EXPECT_TRUE(this->db_->Ping().ok());
  const bool sqlite = std::is_same_v<TypeParam, testing::SqliteBackend>;
  EXPECT_EQ(this->db_->dialect(), sqlite ? Dialect::kSqlite : Dialect::kPostgres);
}

}  // namespace
}  // namespace sijil::store
