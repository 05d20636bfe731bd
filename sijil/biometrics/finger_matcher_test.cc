#include "sijil/biometrics/finger_matcher.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>
#include <thread>

#include "sijil/biometrics/eval.h"
#include "sijil/biometrics/finger_minutiae_record.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

FingerTemplate Load(const std::string& name) {
  auto t = ParseFingerTemplate(kTestdata.Read("fvc2004/" + name));
  EXPECT_TRUE(t.ok()) << name << ": " << t.status();
  if (!t.ok()) return FingerTemplate{};
  // DB1 templates were extracted from images squeezed to the 300x400 frame their headers
  // declare; map them back to the real 640x480 sensor frame, as the FVC evaluation does.
  if (name.starts_with("DB1_")) RescaleTemplate(*t, 640, 480);
  return *t;
}

// Rotates by `degrees` about the centre, shifts by (dx, dy), keeps only minutiae inside
// [x0, x1) x [y0, y1) of the transformed frame, and jitters positions and angles slightly.
FingerTemplate Transform(const FingerTemplate& t, double degrees, double dx, double dy,
                         double keep_fraction, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> pos(0.0, 1.5), ang(0.0, 0.06);
  const double r = degrees * std::numbers::pi / 180;
  double cx = 0, cy = 0;
  for (const Minutia& m : t.minutiae) {
    cx += m.x;
    cy += m.y;
  }
  cx /= static_cast<double>(t.minutiae.size());
  cy /= static_cast<double>(t.minutiae.size());
  // Crop: keep the minutiae with the smallest projection on a random direction.
  std::vector<std::pair<double, size_t>> order;
  std::uniform_real_distribution<double> u(0, 2 * std::numbers::pi);
  double cut = u(rng);
  for (size_t i = 0; i < t.minutiae.size(); ++i) {
    order.emplace_back(t.minutiae[i].x * std::cos(cut) + t.minutiae[i].y * std::sin(cut), i);
  }
  std::sort(order.begin(), order.end());
  order.resize(static_cast<size_t>(std::ceil(keep_fraction * static_cast<double>(order.size()))));
  FingerTemplate out = t;
  out.minutiae.clear();
  for (auto [unused, i] : order) {
    const Minutia& m = t.minutiae[i];
    // Image y points down; a counter-clockwise rotation as viewed.
    double x = m.x - cx, y = -(m.y - cy);
    double xr = x * std::cos(r) - y * std::sin(r), yr = x * std::sin(r) + y * std::cos(r);
    Minutia n = m;
    n.x = static_cast<uint16_t>(std::lround(std::max(0.0, cx + 200 + dx + xr + pos(rng))));
    n.y = static_cast<uint16_t>(std::lround(std::max(0.0, cy + 200 + dy - yr + pos(rng))));
    double a = std::fmod(m.angle + r + ang(rng) + 4 * std::numbers::pi, 2 * std::numbers::pi);
    n.angle = static_cast<float>(a);
    out.minutiae.push_back(n);
  }
  return out;
}

const char* kFingers[] = {"DB1_B_101_1.iso", "DB1_B_102_1.iso", "DB1_B_103_1.iso",
                          "DB1_B_104_1.iso", "DB3_B_101_1.iso", "DB3_B_102_1.iso",
                          "DB3_B_103_1.iso", "DB3_B_104_1.iso"};

TEST(FingerMatcherTest, TransformedCopyMatchesAboveThresholdAndOthersBelow) {
  const double threshold = ThresholdForFmr(1e-4);
  EXPECT_DOUBLE_EQ(threshold, 40.0);
  uint32_t seed = 1;
  for (const char* name : kFingers) {
    FingerTemplate t = Load(name);
    ASSERT_GE(t.minutiae.size(), 10u) << name;
    FingerMatcher probe(t);
    // MCC compares cylinders only within 90 degrees of each other (captures are upright).
    for (double degrees : {0.0, 25.0, -40.0, 60.0, -75.0}) {
      FingerTemplate moved = Transform(t, degrees, 37, -21, 0.75, seed++);
      double s = probe.Match(PreparedFingerprint(moved));
      EXPECT_GT(s, threshold) << name << " rotated " << degrees;
    }
    for (const char* other : kFingers) {
      // Other fingers of the same sensor (the two sets' templates use different frames).
      if (std::string(other) == name ||
          std::string(other).substr(0, 3) != std::string(name).substr(0, 3)) {
        continue;
      }
      double s = probe.Match(PreparedFingerprint(Load(other)));
      EXPECT_LT(s, threshold) << name << " vs " << other;
    }
  }
}

TEST(FingerMatcherTest, RealImpressionsOfOneFingerScoreAboveOtherFingers) {
  // Mean genuine score over the copied impressions must clearly exceed mean impostor score.
  double genuine = 0, impostor = 0;
  int ng = 0, ni = 0;
  for (const char* db : {"DB1_B_", "DB3_B_"}) {
    std::vector<std::pair<int, FingerTemplate>> all;
    for (const char* f : {"101_1", "101_2", "101_3", "102_1", "102_2", "103_1", "104_1"}) {
      all.emplace_back(std::atoi(f), Load(std::string(db) + f + ".iso"));
    }
    for (size_t i = 0; i < all.size(); ++i) {
      FingerMatcher m(all[i].second);
      for (size_t j = 0; j < all.size(); ++j) {
        if (i == j) continue;
        double s = m.Match(PreparedFingerprint(all[j].second));
        if (all[i].first == all[j].first) {
          genuine += s;
          ++ng;
        } else {
          impostor += s;
          ++ni;
        }
      }
    }
  }
  EXPECT_GT(genuine / ng, impostor / ni + 15);
}

TEST(FingerMatcherTest, DegenerateTemplatesScoreZero) {
  FingerTemplate empty;
  FingerTemplate one;
  one.minutiae.push_back({10, 10, 1.0f, MinutiaType::kEnding, 50});
  FingerTemplate real = Load("DB3_B_101_1.iso");
  EXPECT_EQ(MatchFingerprints(empty, real), 0.0);
  EXPECT_EQ(MatchFingerprints(real, empty), 0.0);
  EXPECT_EQ(MatchFingerprints(one, one), 0.0);
  // Duplicated points and huge coordinates do not break preparation.
  FingerTemplate odd = real;
  for (int i = 0; i < 300; ++i)
    odd.minutiae.push_back({16383, 16383, 6.28f, MinutiaType::kOther, 0});
  PreparedFingerprint p(odd);
  EXPECT_LE(p.size(), PreparedFingerprint::kMaxMatchMinutiae);
  EXPECT_GE(MatchFingerprints(odd, real), 0.0);
}

TEST(FingerMatcherTest, SharedProbeIsThreadSafeAndDeterministic) {
  FingerMatcher probe(Load("DB3_B_101_1.iso"));
  std::vector<PreparedFingerprint> gallery;
  for (const char* name : kFingers) gallery.emplace_back(Load(name));
  gallery.emplace_back(Load("DB3_B_101_2.iso"));
  std::vector<double> expected;
  for (const auto& g : gallery) expected.push_back(probe.Match(g));
  std::vector<std::vector<double>> got(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) {
        got[t].clear();
        for (const auto& g : gallery) got[t].push_back(probe.Match(g));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

std::vector<FingerTemplate> AllTestTemplates() {
  std::vector<FingerTemplate> out;
  for (const char* db : {"DB1_B_", "DB3_B_"}) {
    for (const char* f : {"101_1", "101_2", "101_3", "102_1", "102_2", "103_1", "104_1"}) {
      out.push_back(Load(std::string(db) + f + ".iso"));
    }
  }
  return out;
}

TEST(FingerMatcherTest, VectorAndPortableKernelsGiveIdenticalResults) {
  // The AVX-512 path (where the CPU has it) must be a pure speed-up of the portable code:
  // the same raw scores to the last bit, the same pairings.
  std::vector<PreparedFingerprint> all;
  for (const FingerTemplate& t : AllTestTemplates()) all.emplace_back(t);
  // Rotated, cropped copies give genuine pairs with long pairings as well.
  uint32_t seed = 7;
  for (const char* name : {"DB1_B_101_1.iso", "DB3_B_102_1.iso"}) {
    all.emplace_back(Transform(Load(name), 30, 15, -10, 0.8, seed++));
  }
  int strong = 0;
  for (const PreparedFingerprint& p : all) {
    const FingerMatcher fast(p);
    const FingerMatcher portable(p, FingerMatcher::Kernel::kPortable);
    for (const PreparedFingerprint& c : all) {
      const MatchDetails a = fast.MatchWithDetails(c);
      const MatchDetails b = portable.MatchWithDetails(c);
      EXPECT_EQ(a.raw_score, b.raw_score);
      EXPECT_EQ(a.score, b.score);
      EXPECT_EQ(a.paired, b.paired);
      EXPECT_EQ(a.supporting_edges, b.supporting_edges);
      strong += a.score > ThresholdForFmr(1e-4);
    }
  }
  EXPECT_GE(strong, 16);  // at least the self-comparisons and the transformed copies
}

TEST(FingerMatcherTest, PackedGeometryAndCylindersAreConsistent) {
  const PreparedFingerprint p(Load("DB3_B_101_1.iso"));
  ASSERT_GE(p.size(), 10u);
  const auto& m = p.minutiae();
  for (size_t i = 0; i < p.size(); ++i) {
    for (size_t j = 0; j < p.size(); ++j) {
      if (i == j) continue;
      // One stored value per unordered pair serves both directions.
      EXPECT_EQ(p.distance_q(i, j), p.distance_q(j, i));
      EXPECT_EQ(static_cast<uint8_t>(p.radial_angle(i, j) - p.radial_angle(j, i)),
                static_cast<uint8_t>(m[i].angle - m[j].angle + 128));
      const double dx = m[j].x - m[i].x, dy = -(m[j].y - m[i].y);  // y up
      EXPECT_NEAR(p.distance_q(i, j), 4 * std::hypot(dx, dy), 0.5);
      const double dir = std::atan2(dy, dx) * 128 / std::numbers::pi;
      const double radial = std::remainder(m[i].angle - dir, 256.0);
      EXPECT_LE(std::abs(std::remainder(p.radial_angle(i, j) - radial, 256.0)), 0.5 + 1e-9);
    }
    // 6 layers x 208 disc cells = 1,248 bits; the norm is sqrt(set bits).
    const uint64_t* cyl = p.cylinder(i);
    int bits = 0;
    for (size_t w = 0; w < PreparedFingerprint::kCylinderWords; ++w) bits += std::popcount(cyl[w]);
    EXPECT_EQ(cyl[PreparedFingerprint::kCylinderWords - 1] >> 32, 0u);
    EXPECT_FLOAT_EQ(p.cylinder_norm(i) * p.cylinder_norm(i), static_cast<float>(bits));
    EXPECT_EQ(p.cylinder_valid(i), bits > 0);
  }
}

TEST(FingerMatcherTest, DetailsDescribeTheScore) {
  // A genuine pair and an impostor pair of the copied templates: the parts of the score are
  // in range, the overlap counts bound the pairing, and more evidence never lowers the score.
  const FingerMatcher probe(Load("DB3_B_101_2.iso"));
  const MatchDetails genuine = probe.MatchWithDetails(PreparedFingerprint(Load("DB3_B_101_1.iso")));
  const MatchDetails impostor =
      probe.MatchWithDetails(PreparedFingerprint(Load("DB3_B_102_1.iso")));
  for (const MatchDetails& d : {genuine, impostor}) {
    EXPECT_GE(d.mcc_score, 0.0);
    EXPECT_LE(d.mcc_score, 1.0);
    EXPECT_GE(d.pairing_evidence, 0.0);
    if (d.probe_overlap >= 0) {
      EXPECT_GE(d.probe_overlap, d.paired);
      EXPECT_GE(d.candidate_overlap, d.paired);
    }
    EXPECT_DOUBLE_EQ(d.score, CalibrateRawScore(d.raw_score));
  }
  EXPECT_GT(genuine.mcc_score, impostor.mcc_score);
  EXPECT_GT(genuine.pairing_evidence, impostor.pairing_evidence);
  EXPECT_GT(genuine.paired, impostor.paired);
  EXPECT_GT(genuine.score, ThresholdForFmr(1e-4));
  EXPECT_LT(impostor.score, ThresholdForFmr(1e-4));
}

TEST(FingerMatcherTest, CalibrationIsMonotonicAndInvertible) {
  double last = -1;
  for (double raw = 0; raw < 40; raw += 0.05) {
    double s = CalibrateRawScore(raw);
    EXPECT_GE(s, last);
    EXPECT_GE(s, 0.0);
    EXPECT_LE(s, kMaxScore);
    last = s;
  }
  EXPECT_NEAR(CalibrateRawScore(51.80), 29.99, 1e-6);  // the FMR 1e-3 quantile (50 of 49,920)
  EXPECT_NEAR(FmrForScore(ThresholdForFmr(1e-4)), 1e-4, 1e-12);
  EXPECT_DOUBLE_EQ(ThresholdForFmr(0.01), 20.0);
}

}  // namespace
}  // namespace sijil::biometrics
