#include "sijil/biometrics/face_matcher.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sijil/biometrics/face_synth.h"

namespace sijil::biometrics {
namespace {

TEST(FaceMatcherTest, SerialisationRoundTripsAndRejectsBadInput) {
  FaceSynth synth(FaceSynthParams{});
  std::vector<float> v = synth.Sample(1, 0);
  Bytes stored = SerializeFaceEmbedding(v);
  EXPECT_EQ(stored.size(), 6u + 4 * 512);
  auto back = ParseFaceEmbedding(stored);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, v);
  EXPECT_EQ(ParseFaceEmbedding({}).status().code(), "BIO-402");
  Bytes truncated(stored.begin(), stored.end() - 1);
  EXPECT_EQ(ParseFaceEmbedding(truncated).status().code(), "BIO-401");
  Bytes bad_magic = stored;
  bad_magic[0] = 'X';
  EXPECT_EQ(ParseFaceEmbedding(bad_magic).status().code(), "BIO-401");
  std::vector<float> twice = v;
  for (float& x : twice) x *= 2;
  EXPECT_EQ(ParseFaceEmbedding(SerializeFaceEmbedding(twice)).status().code(), "BIO-401");
  std::vector<float> nan = v;
  nan[3] = std::nanf("");
  EXPECT_EQ(ParseFaceEmbedding(SerializeFaceEmbedding(nan)).status().code(), "BIO-401");
}

TEST(FaceMatcherTest, CalibrationFollowsTheGaussianImpostorModel) {
  // At the impostor mean half of all impostors score higher: FMR 0.5, score ~3.
  EXPECT_NEAR(FaceScoreForCosine(0.064), -10 * std::log10(0.5), 1e-9);
  // Three standard deviations above: FMR 1.35e-3.
  EXPECT_NEAR(FaceScoreForCosine(0.064 + 3 * 0.108), -10 * std::log10(1.3499e-3), 0.01);
  EXPECT_EQ(FaceScoreForCosine(1.0), kMaxScore);
  EXPECT_GE(FaceScoreForCosine(-1.0), 0.0);
  double last = -1;
  for (double c = -1; c <= 1; c += 0.01) {
    const double s = FaceScoreForCosine(c);
    EXPECT_GE(s, last);
    last = s;
  }
}

TEST(FaceMatcherTest, MatcherScoresGenuineAboveImpostor) {
  FaceSynth synth(FitFaceSynth({0.78, 0.19, 0.064, 0.108}, 3));
  auto matcher = NewFaceMatcher();
  EXPECT_EQ(matcher->name(), "face");
  auto probe = matcher->PrepareProbe(SerializeFaceEmbedding(synth.Sample(5, 0)));
  ASSERT_TRUE(probe.ok()) << probe.status();
  auto same = matcher->PrepareGallery(SerializeFaceEmbedding(synth.Sample(5, 1)));
  auto other = matcher->PrepareGallery(SerializeFaceEmbedding(synth.Sample(6, 0)));
  ASSERT_TRUE(same.ok() && other.ok());
  auto g = (*probe)->Compare(**same);
  auto i = (*probe)->Compare(**other);
  ASSERT_TRUE(g.ok() && i.ok());
  EXPECT_GT(g->raw_score, i->raw_score);
  EXPECT_GT(g->score, i->score);
  EXPECT_DOUBLE_EQ(matcher->Calibrate(g->raw_score), g->score);
  // A gallery template of another modality is refused, not scored.
  auto finger = NewFingerMatcher();
  EXPECT_FALSE(finger->PrepareGallery(SerializeFaceEmbedding(synth.Sample(5, 1))).ok());
  // Different lengths (two models) cannot be compared.
  std::vector<float> short_v(128, 0.0f);
  short_v[0] = 1.0f;
  auto short_g = matcher->PrepareGallery(SerializeFaceEmbedding(short_v));
  ASSERT_TRUE(short_g.ok());
  EXPECT_EQ((*probe)->Compare(**short_g).status().code(), "BIO-405");
}

}  // namespace
}  // namespace sijil::biometrics
