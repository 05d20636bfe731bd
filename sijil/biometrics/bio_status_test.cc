#include "sijil/biometrics/bio_status.h"

#include <gtest/gtest.h>

namespace sijil::biometrics {
namespace {

TEST(BioStatusTest, CodesMapToStatusKindsAndBack) {
  struct Case {
    BioErrorCode code;
    StatusKind kind;
  } cases[] = {
      {BioErrorCode::kInvalidInput, StatusKind::kInvalidArgument},
      {BioErrorCode::kMissingInput, StatusKind::kInvalidArgument},
      {BioErrorCode::kQualityCheckFailed, StatusKind::kFailedPrecondition},
      {BioErrorCode::kBiometricsNotFound, StatusKind::kNotFound},
      {BioErrorCode::kMatchingFailed, StatusKind::kInternal},
      {BioErrorCode::kPoorDataQuality, StatusKind::kFailedPrecondition},
      {BioErrorCode::kUnknown, StatusKind::kInternal},
  };
  for (const Case& c : cases) {
    Status s = BioStatus(c.code, "detail");
    EXPECT_EQ(s.kind(), c.kind) << BioCodeString(c.code);
    EXPECT_EQ(s.code(), "BIO-" + std::to_string(static_cast<int>(c.code)));
    EXPECT_EQ(BioErrorCodeOf(s), c.code);
  }
}

TEST(BioStatusTest, ExplicitKindKeepsTheBioCode) {
  Status s = BioStatus(BioErrorCode::kInvalidInput, StatusKind::kUnimplemented, "3D face");
  EXPECT_EQ(s.kind(), StatusKind::kUnimplemented);
  EXPECT_EQ(BioErrorCodeOf(s), BioErrorCode::kInvalidInput);
}

TEST(BioStatusTest, ForeignStatusesMapByKind) {
  EXPECT_EQ(BioErrorCodeOf(Status::Ok()), BioErrorCode::kOk);
  EXPECT_EQ(BioErrorCodeOf(Status::InvalidArgument("SIJ-ENC-002", "x")),
            BioErrorCode::kInvalidInput);
  EXPECT_EQ(BioErrorCodeOf(Status::NotFound("X", "x")), BioErrorCode::kBiometricsNotFound);
  EXPECT_EQ(BioErrorCodeOf(Status::Unavailable("X", "x")), BioErrorCode::kUnknown);
  EXPECT_EQ(BioErrorCodeOf(Status::Internal("BIO-999", "x")), BioErrorCode::kUnknown);
}

TEST(BioStatusTest, OkCodeNeverMakesAnOkFailure) {
  Status s = BioStatus(BioErrorCode::kOk, "not a failure");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(BioErrorCodeOf(s), BioErrorCode::kUnknown);
}

}  // namespace
}  // namespace sijil::biometrics
