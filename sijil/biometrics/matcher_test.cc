#include "sijil/biometrics/matcher.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sijil/base/env.h"
#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/iris_matcher.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

TEST(Modality, NamesRoundTrip) {
  for (Modality m : {Modality::kFinger, Modality::kIris, Modality::kFace}) {
    auto parsed = ParseModality(ModalityName(m));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_EQ(*ParseModality("fingerprint"), Modality::kFinger);
  auto bad = ParseModality("voice");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(BioErrorCodeOf(bad.status()), BioErrorCode::kInvalidInput);
}

TEST(Calibration, ScoreAndFmrAreInverse) {
  for (double fmr : {1e-2, 1e-4, 1e-6}) EXPECT_NEAR(FmrOfScore(ScoreForFmr(fmr)), fmr, fmr * 1e-9);
  EXPECT_DOUBLE_EQ(ScoreForFmr(1e-4), 40.0);
  EXPECT_DOUBLE_EQ(ScoreForFmr(0), kMaxScore);
}

TEST(FingerAdapter, SameFingerScoresAboveOtherFinger) {
  auto matcher = NewFingerMatcher();
  EXPECT_EQ(matcher->modality(), Modality::kFinger);
  EXPECT_EQ(matcher->name(), "finger");
  const Bytes a1 = kTestdata.Read("fvc2004/DB1_B_101_1.iso");
  const Bytes a2 = kTestdata.Read("fvc2004/DB1_B_101_2.iso");
  const Bytes b1 = kTestdata.Read("fvc2004/DB1_B_102_1.iso");
  ASSERT_FALSE(a1.empty());
  auto probe = matcher->PrepareProbe(a2);
  ASSERT_TRUE(probe.ok()) << probe.status();
  auto ga = matcher->PrepareGallery(a1);
  auto gb = matcher->PrepareGallery(b1);
  ASSERT_TRUE(ga.ok() && gb.ok());
  EXPECT_GT((*ga)->ByteSize(), 0u);
  auto genuine = (*probe)->Compare(**ga);
  auto impostor = (*probe)->Compare(**gb);
  ASSERT_TRUE(genuine.ok() && impostor.ok());
  EXPECT_GT(genuine->score, impostor->score);
  EXPECT_GE(impostor->score, 0.0);
  EXPECT_LE(genuine->score, kMaxScore);
  // The calibrated score is the calibration of the raw score.
  EXPECT_DOUBLE_EQ(matcher->Calibrate(genuine->raw_score), genuine->score);
  auto once = matcher->CompareStored(a2, a1);
  ASSERT_TRUE(once.ok());
  EXPECT_DOUBLE_EQ(once->score, genuine->score);
}

TEST(FingerAdapter, RejectsGarbageAndOtherModalities) {
  auto matcher = NewFingerMatcher();
  const Bytes junk = {'n', 'o', 't', ' ', 'a', ' ', 'r', 'e', 'c', 'o', 'r', 'd'};
  auto g = matcher->PrepareGallery(junk);
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(BioErrorCodeOf(g.status()), BioErrorCode::kInvalidInput);

  SimulatedEnv env(3);
  IrisSynth synth(env);
  auto iris_gallery = MakeIrisGalleryTemplate(synth.NewIdentity());
  auto probe = matcher->PrepareProbe(kTestdata.Read("fvc2004/DB1_B_101_1.iso"));
  ASSERT_TRUE(probe.ok());
  auto r = (*probe)->Compare(*iris_gallery);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(BioErrorCodeOf(r.status()), BioErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace sijil::biometrics
