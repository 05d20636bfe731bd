// Runs the `sijil ids` command line as a user would. Skips when the binary has not been built.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sijil/base/env.h"
#include "sijil/ids/identifiers.h"
#include "tests/integration/process.h"

namespace sijil::ids {
namespace {

using ::sijil::testing::RunResult;
using ::sijil::testing::RunSijil;
using ::sijil::testing::SijilBinary;

class IdsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(SijilBinary())) {
      GTEST_SKIP() << "sijil binary not built";
    }
  }
};

TEST_F(IdsCli, ValidateSingleValues) {
  RunResult ok = RunSijil("ids validate uin 2094215024");
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(ok.out, "valid\n");
  RunResult bad = RunSijil("ids validate uin 3759735294");
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.out, "KER-IDV-205: UIN should match checksum.\n");
  EXPECT_EQ(RunSijil("ids validate vid 0963875047395714").out.substr(0, 12), "KER-IDV-002:");
  EXPECT_EQ(RunSijil("ids validate prid 07295849243724").out.substr(0, 12), "KER-IDV-106:");
  EXPECT_EQ(RunSijil("ids validate rid 27847657360002520181208183070").out,
            "KER-IDV-305: Invalid Time Stamp Found\n");
  // The MOSIP validator accepts "88"; the issuance rules do not.
  EXPECT_EQ(RunSijil("ids validate uin 2088151806").status, 1);
  EXPECT_EQ(RunSijil("ids validate uin 2088151806 --mosip-validator").status, 0);
  RunResult json = RunSijil("ids validate uin 2088151806 --json");
  EXPECT_NE(json.out.find("\"rule\":\"repeat\""), std::string::npos) << json.out;
  EXPECT_EQ(RunSijil("ids validate uin").status, 2);
  EXPECT_EQ(RunSijil("ids validate nin 123").status, 2);
}

TEST_F(IdsCli, ValidateBatch) {
  auto dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  const std::string file = (dir->path() / "values.txt").string();
  std::ofstream(file) << "2094215024\n123\n8630983160\r\n";
  RunResult r = RunSijil("ids validate uin --batch " + file);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "2094215024\tvalid\n123\tKER-IDV-203\n8630983160\tKER-IDV-202\n");
  RunResult j = RunSijil("ids validate uin --batch " + file + " --json");
  EXPECT_NE(j.out.find("\"invalid\":2"), std::string::npos) << j.out;
  EXPECT_EQ(RunSijil("ids validate uin --batch " + file + ".missing").status, 2);
}

TEST_F(IdsCli, GenerateThenValidate) {
  RunResult r = RunSijil("ids generate uin -n 50");
  ASSERT_EQ(r.status, 0);
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(CheckUin(line).ok()) << line;
    ++n;
  }
  EXPECT_EQ(n, 50);
  RunResult vid = RunSijil("ids generate vid --json");
  EXPECT_NE(vid.out.find("\"type\":\"vid\""), std::string::npos);
  RunResult twelve = RunSijil("ids generate uin --length 12");
  EXPECT_EQ(twelve.out.size(), 13u);
}

TEST_F(IdsCli, PoolRefillStatsAllocate) {
  auto dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  const std::string db = "--db sqlite:" + (dir->path() / "pool.db").string();
  EXPECT_EQ(RunSijil("ids pool refill -n 20 " + db).out, "added 20\n");
  RunResult a = RunSijil("ids pool allocate --reference rid-1 " + db);
  ASSERT_EQ(a.status, 0);
  EXPECT_TRUE(CheckUin(a.out.substr(0, a.out.size() - 1)).ok()) << a.out;
  EXPECT_EQ(RunSijil("ids pool allocate --reference rid-1 " + db).out, a.out);
  EXPECT_EQ(RunSijil("ids pool stats --json " + db).out, "{\"available\":19,\"issued\":1}\n");
  EXPECT_EQ(RunSijil("ids pool stats --db sqlite:/nonexistent/dir/x.db").status, 2);
}

}  // namespace
}  // namespace sijil::ids
