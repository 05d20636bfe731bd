#include "sijil/base/logging.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sijil/base/env.h"

namespace sijil {
namespace {

TEST(LoggingTest, JsonLineCarriesRequestIdAndFields) {
  {
    ScopedRequestId id("req-1");
    std::string line = FormatLogLineForTest(LogLevel::kWarn, "http", "slow \"request\"",
                                            {{"status", 200}, {"path", "/x"}});
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["level"], "warn");
    EXPECT_EQ(j["component"], "http");
    EXPECT_EQ(j["msg"], "slow \"request\"");
    EXPECT_EQ(j["request_id"], "req-1");
    EXPECT_EQ(j["status"], 200);
    EXPECT_EQ(j["path"], "/x");
    {
      ScopedRequestId inner("req-2");
      EXPECT_EQ(CurrentRequestId(), "req-2");
    }
    EXPECT_EQ(CurrentRequestId(), "req-1");
  }
  EXPECT_EQ(CurrentRequestId(), "");
  auto j = nlohmann::json::parse(FormatLogLineForTest(LogLevel::kInfo, "x", "m", {}));
  EXPECT_FALSE(j.contains("request_id"));
}

TEST(LoggingTest, InvalidUtf8DoesNotThrow) {
  std::string line = FormatLogLineForTest(LogLevel::kInfo, "x", "bad \xff\xfe bytes", {});
  EXPECT_NO_THROW(nlohmann::json::parse(line));
}

TEST(LoggingTest, WritesJsonLinesToFileAndFiltersLevel) {
  auto dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::string path = (dir->path() / "log.jsonl").string();
  ASSERT_TRUE(InitLogging({LogLevel::kInfo, true, path}).ok());
  LogDebug("test", "hidden");
  {
    ScopedRequestId id("abc");
    LogInfo("test", "shown", {{"n", 3}});
  }
  LogError("test", "bad");
  FlushLogs();
  std::ifstream in(path);
  std::string l1, l2, l3;
  ASSERT_TRUE(std::getline(in, l1));
  ASSERT_TRUE(std::getline(in, l2));
  EXPECT_FALSE(std::getline(in, l3));
  auto j1 = nlohmann::json::parse(l1);
  EXPECT_EQ(j1["msg"], "shown");
  EXPECT_EQ(j1["request_id"], "abc");
  EXPECT_EQ(j1["n"], 3);
  EXPECT_EQ(j1["time"].get<std::string>().size(), 24u);  // 2026-01-01T00:00:00.000Z
  EXPECT_EQ(nlohmann::json::parse(l2)["level"], "error");
  // A path under a regular file cannot be created.
  EXPECT_FALSE(InitLogging({LogLevel::kInfo, true, path + "/x.log"}).ok());
  ASSERT_TRUE(InitLogging({}).ok());
}

TEST(LoggingTest, ParseLevel) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("verbose").ok());
}

}  // namespace
}  // namespace sijil
