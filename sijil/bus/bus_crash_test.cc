// Kill test for the embedded bus: a child process publishes events together with state
// changes and consumes them; the parent SIGKILLs it at seeded points (between any two SQL
// statements, inside or outside transactions) and restarts it until the work is done. Then:
// every committed state change has exactly its event and every event was handled; a message
// handled more than once was handled again only as a new attempt (a retry), and messages of
// one key were first handled in publish order.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "sijil/bus/bus.h"
#include "sijil/bus/store_bus.h"
#include "sijil/store/fault_injection.h"
#include "sijil/store/test_databases.h"

namespace sijil::bus {
namespace {

using std::chrono::milliseconds;

constexpr int kEvents = 40;
constexpr int kKeys = 3;

// The child's whole life: exits 0 when all events are published and handled, 2 on an
// unexpected error. Stops itself (SIGSTOP) just before SQL statement number `stop_at` so the
// parent can kill it there; 0 means never.
[[noreturn]] void RunChild(const std::filesystem::path& path, int stop_at) {
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "child: %s\n", s.ToString().c_str());
    std::_Exit(2);
  };
  store::SqliteOptions options;
  options.path = path;
  options.synchronous_full = false;  // NORMAL survives a process kill; power loss is not tested
  options.max_connections = 2;
  auto opened = store::OpenSqlite(options);
  if (!opened.ok()) fail(opened.status());
  store::FaultInjectingDatabase db(**opened);
  std::atomic<int> statements{0};
  db.SetHook([&](std::string_view) {
    if (++statements == stop_at) ::raise(SIGSTOP);
    return Status::Ok();
  });
  Status s =
      db.Migrate("crash_test", {"CREATE TABLE state (n BIGINT PRIMARY KEY);"
                                "CREATE TABLE handled (seq INTEGER PRIMARY KEY "
                                "AUTOINCREMENT, id TEXT NOT NULL, attempt BIGINT NOT NULL)"});
  if (!s.ok()) fail(s);
  auto bus = OpenStoreBus(db);
  if (!bus.ok()) fail(bus.status());
  s = (*bus)->Subscribe("events", "workers",
                        {.max_attempts = 1000,
                         .initial_backoff = milliseconds(1),
                         .max_backoff = milliseconds(5),
                         .lease = milliseconds(30)});
  if (!s.ok()) fail(s);
  Handler handler = [&](const Message& m, int attempt) -> Status {
    // Recorded outside the acknowledgement, so a kill between the two shows as a duplicate.
    return db.Execute("INSERT INTO handled (id, attempt) VALUES (?, ?)", {m.id, attempt}).status();
  };
  for (;;) {
    auto count = db.Query("SELECT COUNT(*) FROM state");
    if (!count.ok()) fail(count.status());
    const int64_t published = (*count)[0].GetInt64(0).value();
    if (published < kEvents) {
      s = db.RunInTransaction([&](store::Transaction& tx) -> Status {
        SIJIL_RETURN_IF_ERROR(tx.Execute("INSERT INTO state (n) VALUES (?)", {published}).status());
        return (*bus)
            ->Publish(tx, {.topic = "events",
                           .payload = std::to_string(published),
                           .key = "k" + std::to_string(published % kKeys),
                           .id = "m-" + std::to_string(published)})
            .status();
      });
      if (!s.ok()) fail(s);
    }
    auto handled = ProcessAvailable(**bus, "events", "workers", handler, 2);
    if (!handled.ok()) fail(handled.status());
    auto pending = (*bus)->Pending("events", "workers");
    if (!pending.ok()) fail(pending.status());
    if (published >= kEvents && *pending == 0) std::_Exit(0);
    if (published >= kEvents && *handled == 0) ::usleep(5000);  // wait out a dead consumer's lease
  }
}

TEST(BusCrashTest, NothingIsLostAcrossKills) {
  auto dir = TempDir::Create("sijil-bus-crash-");
  ASSERT_TRUE(dir.ok());
  const auto path = dir->path() / "bus.db";
  SimulatedEnv rng(20261123);  // seeded kill points
  int kills = 0;
  bool finished = false;
  for (int round = 0; round < 300 && !finished; ++round) {
    // Each child is killed within its first 40 statements (startup takes about 8), so it gets
    // a little work done each time; after 200 rounds children run to the end.
    const int stop_at = round < 200 ? 1 + static_cast<int>(rng.RandomUniform(40)) : 0;
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) RunChild(path, stop_at);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, WUNTRACED), pid);
    if (WIFSTOPPED(status)) {
      ::kill(pid, SIGKILL);
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFSIGNALED(status));
      ++kills;
      continue;
    }
    ASSERT_TRUE(WIFEXITED(status)) << "child died unexpectedly, status " << status;
    ASSERT_EQ(WEXITSTATUS(status), 0) << "child failed; see its stderr";
    finished = true;
  }
  ASSERT_TRUE(finished);
  EXPECT_GE(kills, 20);

  SimulatedEnv env;
  auto db = store::testing::OpenTestSqlite(*dir, env, "bus.db");
  ASSERT_TRUE(db.ok()) << db.status();
  // Outbox: every committed state change has its event, and no event lacks its state change.
  auto state = (*db)->Query("SELECT n FROM state ORDER BY n");
  auto messages = (*db)->Query("SELECT id FROM bus_messages ORDER BY seq");
  ASSERT_TRUE(state.ok() && messages.ok());
  ASSERT_EQ(state->size(), static_cast<size_t>(kEvents));
  ASSERT_EQ(messages->size(), static_cast<size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) {
    EXPECT_EQ((*state)[i].GetInt64(0).value(), i);
    EXPECT_EQ((*messages)[i].GetText(0).value(), "m-" + std::to_string(i));
  }
  // Every event handled; repeats only as retries (a higher attempt number).
  auto handled = (*db)->Query("SELECT id, attempt FROM handled ORDER BY seq");
  ASSERT_TRUE(handled.ok());
  std::map<std::string, std::set<int64_t>> attempts;
  std::vector<std::string> first_order;
  int duplicates = 0;
  for (const auto& row : *handled) {
    const std::string id = row.GetText(0).value();
    const int64_t attempt = row.GetInt64(1).value();
    if (attempts[id].empty())
      first_order.push_back(id);
    else
      ++duplicates;
    EXPECT_TRUE(attempts[id].insert(attempt).second)
        << id << " handled twice as attempt " << attempt;
  }
  EXPECT_EQ(attempts.size(), static_cast<size_t>(kEvents));
  // Per key, first handling follows publish order.
  std::map<int, int> last_by_key;
  for (const std::string& id : first_order) {
    const int n = std::stoi(id.substr(2));
    auto it = last_by_key.find(n % kKeys);
    if (it != last_by_key.end()) {
      EXPECT_LT(it->second, n) << "key order broken at " << id;
    }
    last_by_key[n % kKeys] = n;
  }
  auto bus = OpenStoreBus(**db, env);
  ASSERT_TRUE(bus.ok());
  EXPECT_EQ((*bus)->Pending("events", "workers").value_or(-1), 0);
  EXPECT_TRUE((*bus)->DeadLetters("events", "workers", 10)->empty());
  std::printf("kills: %d, duplicate handlings (retries): %d\n", kills, duplicates);
}

}  // namespace
}  // namespace sijil::bus
