// Runs the `sijil ids` command line as a user would. Skips when the binary has not been built.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sijil/base/env.h"
#include "sijil/ids/identifiers.h"

namespace sijil::ids {
namespace {

struct CliRun {
  int rc = -1;
  std::string out;
};

std::string Binary() {
  const char* dir = std::getenv("SIJIL_BINARY_DIR");
  return dir == nullptr ? "" : std::string(dir) + "/bin/sijil";
}

CliRun Sijil(const std::string& args) {
  CliRun r;
  FILE* p = popen((Binary() + " " + args + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class IdsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Binary().empty() || !std::filesystem::exists(Binary())) {
      GTEST_SKIP() << "sijil binary not built";
    }
  }
};

TEST_F(IdsCli, ValidateSingleValues) {
  CliRun ok = Sijil("ids validate uin 2094215024");
  EXPECT_EQ(ok.rc, 0);
  EXPECT_EQ(ok.out, "valid\n");
  CliRun bad = Sijil("ids validate uin 3759735294");
  EXPECT_EQ(bad.rc, 1);
  EXPECT_EQ(bad.out, "KER-IDV-205: UIN should match checksum.\n");
  EXPECT_EQ(Sijil("ids validate vid 0963875047395714").out.substr(0, 12), "KER-IDV-002:");
  EXPECT_EQ(Sijil("ids validate prid 07295849243724").out.substr(0, 12), "KER-IDV-106:");
  EXPECT_EQ(Sijil("ids validate rid 27847657360002520181208183070").out,
            "KER-IDV-305: Invalid Time Stamp Found\n");
  // The MOSIP validator accepts "88"; the issuance rules do not.
  EXPECT_EQ(Sijil("ids validate uin 2088151806").rc, 1);
  EXPECT_EQ(Sijil("ids validate uin 2088151806 --mosip-validator").rc, 0);
  CliRun json = Sijil("ids validate uin 2088151806 --json");
  EXPECT_NE(json.out.find("\"rule\":\"repeat\""), std::string::npos) << json.out;
  EXPECT_EQ(Sijil("ids validate uin").rc, 2);
  EXPECT_EQ(Sijil("ids validate nin 123").rc, 2);
}

TEST_F(IdsCli, ValidateBatch) {
  auto dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  const std::string file = (dir->path() / "values.txt").string();
  std::ofstream(file) << "2094215024\n123\n8630983160\r\n";
  CliRun r = Sijil("ids validate uin --batch " + file);
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "2094215024\tvalid\n123\tKER-IDV-203\n8630983160\tKER-IDV-202\n");
  CliRun j = Sijil("ids validate uin --batch " + file + " --json");
  EXPECT_NE(j.out.find("\"invalid\":2"), std::string::npos) << j.out;
  EXPECT_EQ(Sijil("ids validate uin --batch " + file + ".missing").rc, 2);
}

TEST_F(IdsCli, GenerateThenValidate) {
  CliRun r = Sijil("ids generate uin -n 50");
  ASSERT_EQ(r.rc, 0);
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(CheckUin(line).ok()) << line;
    ++n;
  }
  EXPECT_EQ(n, 50);
  CliRun vid = Sijil("ids generate vid --json");
  EXPECT_NE(vid.out.find("\"type\":\"vid\""), std::string::npos);
  CliRun twelve = Sijil("ids generate uin --length 12");
  EXPECT_EQ(twelve.out.size(), 13u);
}

TEST_F(IdsCli, PoolRefillStatsAllocate) {
  auto dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  const std::string db = "--db sqlite:" + (dir->path() / "pool.db").string();
  EXPECT_EQ(Sijil("ids pool refill -n 20 " + db).out, "added 20\n");
  CliRun a = Sijil("ids pool allocate --reference rid-1 " + db);
  ASSERT_EQ(a.rc, 0);
  EXPECT_TRUE(CheckUin(a.out.substr(0, a.out.size() - 1)).ok()) << a.out;
  EXPECT_EQ(Sijil("ids pool allocate --reference rid-1 " + db).out, a.out);
  EXPECT_EQ(Sijil("ids pool stats --json " + db).out, "{\"available\":19,\"issued\":1}\n");
  EXPECT_EQ(Sijil("ids pool stats --db sqlite:/nonexistent/dir/x.db").rc, 2);
}

}  // namespace
}  // namespace sijil::ids
