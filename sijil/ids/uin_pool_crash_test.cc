// Kills a process with SIGKILL while it allocates UINs, then checks the pool: every allocation
// the process reported (after its commit) is durable, no UIN went to two references, the
// database is intact, and allocation continues. SQLite only: it is the embedded default whose
// file a killed process leaves behind. Its own binary, so fork() happens with one thread.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "sijil/ids/uin_pool.h"
#include "sijil/store/database.h"

namespace sijil::ids {
namespace {

Result<std::unique_ptr<store::Database>> OpenDb(const TempDir& dir) {
  store::SqliteOptions options;
  options.path = dir.path() / "pool.db";
  // NORMAL survives a process kill (not power loss), which is what this test inflicts.
  options.synchronous_full = false;
  return store::OpenSqlite(options);
}

UinPoolSettings Settings() {
  UinPoolSettings s;
  s.low_water_mark = 0;
  s.refill_count = 100;
  s.insert_batch = 100;
  return s;
}

// Child: allocate forever, reporting "<reference> <uin>" once each allocation committed.
[[noreturn]] void AllocateUntilKilled(const TempDir& dir, int fd, int round) {
  auto db = OpenDb(dir);
  if (!db.ok()) _exit(3);
  auto pool = UinPool::Open(**db, Env::Default(), Settings());
  if (!pool.ok()) _exit(4);
  for (int i = 0;; ++i) {
    const std::string ref = "r" + std::to_string(round) + "-" + std::to_string(i);
    Result<std::string> uin = (*pool)->Allocate(ref);
    if (!uin.ok()) _exit(5);
    const std::string line = ref + " " + *uin + "\n";
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(6);
  }
}

TEST(UinPoolCrash, SigkillMidAllocationLosesNothingAndDuplicatesNothing) {
  auto dir = TempDir::Create("sijil-uin-crash-");
  ASSERT_TRUE(dir.ok());
  {
    auto db = OpenDb(*dir);
    ASSERT_TRUE(db.ok()) << db.status();
    auto pool = UinPool::Open(**db, Env::Default(), Settings());
    ASSERT_TRUE(pool.ok()) << pool.status();
    ASSERT_TRUE((*pool)->Refill(300).ok());
  }

  std::map<std::string, std::string> reported;  // reference -> uin
  const int kKillAfter[] = {30, 110, 200};
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      AllocateUntilKilled(*dir, fds[1], round);
    }
    close(fds[1]);
    FILE* in = fdopen(fds[0], "r");
    ASSERT_NE(in, nullptr);
    char buf[256];
    int lines = 0;
    while (lines < kKillAfter[round] && std::fgets(buf, sizeof buf, in) != nullptr) {
      std::istringstream ss(buf);
      std::string ref, uin;
      ss >> ref >> uin;
      reported[ref] = uin;
      ++lines;
    }
    ASSERT_EQ(lines, kKillAfter[round]) << "the allocating process stopped early";
    kill(pid, SIGKILL);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
    // Lines the child wrote before it died were committed too.
    while (std::fgets(buf, sizeof buf, in) != nullptr) {
      std::istringstream ss(buf);
      std::string ref, uin;
      ss >> ref >> uin;
      if (!uin.empty()) reported[ref] = uin;
    }
    std::fclose(in);
  }

  auto db = OpenDb(*dir);
  ASSERT_TRUE(db.ok()) << db.status();
  auto integrity = (*db)->Query("PRAGMA integrity_check");
  ASSERT_TRUE(integrity.ok());
  EXPECT_EQ((*integrity)[0].GetText(0).value_or(""), "ok");
  auto pool = UinPool::Open(**db, Env::Default(), Settings());
  ASSERT_TRUE(pool.ok());

  std::set<std::string> uins;
  for (const auto& [ref, uin] : reported) {
    Result<std::optional<IssuedUin>> rec = (*pool)->FindByReference(ref);
    ASSERT_TRUE(rec.ok() && rec->has_value()) << "lost allocation of " << ref;
    EXPECT_EQ((*rec)->uin, uin) << ref;
    EXPECT_TRUE(uins.insert(uin).second) << "UIN issued twice: " << uin;
  }
  auto issued = (*db)->Query(
      "SELECT COUNT(*), COUNT(DISTINCT uin), COUNT(DISTINCT reference) FROM ids_uin "
      "WHERE status = 1");
  ASSERT_TRUE(issued.ok());
  const int64_t n = (*issued)[0].GetInt64(0).value_or(-1);
  EXPECT_EQ((*issued)[0].GetInt64(1).value_or(-1), n);
  EXPECT_EQ((*issued)[0].GetInt64(2).value_or(-1), n);
  // At most one allocation per kill committed without being reported.
  EXPECT_GE(n, static_cast<int64_t>(reported.size()));
  EXPECT_LE(n, static_cast<int64_t>(reported.size()) + 3);

  for (int i = 0; i < 20; ++i) {
    Result<std::string> uin = (*pool)->Allocate("after-" + std::to_string(i));
    ASSERT_TRUE(uin.ok()) << uin.status();
    EXPECT_TRUE(uins.insert(*uin).second) << "UIN issued twice: " << *uin;
  }
}

}  // namespace
}  // namespace sijil::ids
