#include "sijil/base/status.h"

#include <gtest/gtest.h>

#include <string>

#include "sijil/base/result.h"

namespace sijil {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("SIJ-TST-001", "not positive");
  return v;
}

Result<int> Doubled(int v) {
  SIJIL_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status Check(int v) {
  SIJIL_RETURN_IF_ERROR(ParsePositive(v).status());
  return Status::Ok();
}

TEST(StatusTest, OkHasNoCode) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kOk);
  EXPECT_EQ(s.code(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, FailureCarriesKindCodeAndMessage) {
  Status s = Status::NotFound("KER-IDV-999", "missing");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kNotFound);
  EXPECT_EQ(s.code(), "KER-IDV-999");
  EXPECT_EQ(s.ToString(), "KER-IDV-999: missing");
  EXPECT_EQ(s.WithContext("loading").message(), "loading: missing");
}

TEST(StatusTest, OkKindWithCodeBecomesInternal) {
  Status s(StatusKind::kOk, "X", "y");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kInternal);
}

TEST(ResultTest, MacrosPropagate) {
  EXPECT_EQ(*Doubled(4), 8);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "SIJ-TST-001");
  EXPECT_TRUE(Check(3).ok());
  EXPECT_EQ(Check(0).code(), "SIJ-TST-001");
}

TEST(ResultTest, OkStatusIsRejected) {
  Result<std::string> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kInternal);
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

}  // namespace
}  // namespace sijil
