#include "sijil/base/env.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace sijil {
namespace {

TEST(SimulatedEnvTest, ClockMovesOnlyWhenTold) {
  SimulatedEnv env(1);
  auto t0 = env.Now();
  auto m0 = env.MonotonicNow();
  EXPECT_EQ(env.Now(), t0);
  env.SleepFor(std::chrono::seconds(5));
  EXPECT_EQ(env.Now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(env.MonotonicNow() - m0, std::chrono::seconds(5));
}

TEST(SimulatedEnvTest, SameSeedSameBytesDifferentSeedDifferentBytes) {
  SimulatedEnv a(7), b(7), c(8);
  std::array<uint8_t, 32> x{}, y{}, z{};
  a.RandomBytes(x);
  b.RandomBytes(y);
  c.RandomBytes(z);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
}

TEST(EnvTest, RandomUniformCoversRangeWithoutEscaping) {
  SimulatedEnv env(3);
  std::set<uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    uint64_t v = env.RandomUniform(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(EnvTest, RealRandomBytesDiffer) {
  std::array<uint8_t, 16> a{}, b{};
  Env::Default().RandomBytes(a);
  Env::Default().RandomBytes(b);
  EXPECT_NE(a, b);
}

TEST(EnvTest, AtomicWriteThenRead) {
  auto dir = TempDir::Create();
  ASSERT_TRUE(dir.ok()) << dir.status();
  Env& env = Env::Default();
  auto file = dir->path() / "sub" / "f.txt";
  ASSERT_TRUE(env.CreateDirectories(file.parent_path()).ok());
  ASSERT_TRUE(env.WriteFileAtomic(file, "hello").ok());
  ASSERT_TRUE(env.WriteFileAtomic(file, "world").ok());
  auto content = env.ReadFile(file);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "world");
  auto missing = env.ReadFile(dir->path() / "nope");
  EXPECT_EQ(missing.status().kind(), StatusKind::kNotFound);
}

TEST(TempDirTest, RemovedOnDestruction) {
  std::filesystem::path p;
  {
    auto dir = TempDir::Create("sijil-test-");
    ASSERT_TRUE(dir.ok());
    p = dir->path();
    EXPECT_TRUE(std::filesystem::is_directory(p));
  }
  EXPECT_FALSE(std::filesystem::exists(p));
}

}  // namespace
}  // namespace sijil
