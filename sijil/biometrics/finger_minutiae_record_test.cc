#include "sijil/biometrics/finger_minutiae_record.h"
#include "tests/integration/testdata.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

TEST(FingerMinutiaeRecordTest, ParsesFvcTemplatesAndRoundTripsByteForByte) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kTestdata.Path("fvc2004"))) {
    Bytes raw = sijil::testing::ReadFileBytes(entry.path());
    ASSERT_FALSE(raw.empty()) << entry.path();
    auto rec = ParseFingerMinutiaeRecord(raw);
    ASSERT_TRUE(rec.ok()) << entry.path() << ": " << rec.status();
    EXPECT_EQ(rec->format, MinutiaeRecordFormat::kIso2005);
    ASSERT_EQ(rec->views.size(), 1u);
    EXPECT_GE(rec->views[0].minutiae.size(), 5u);
    auto again = SerializeFingerMinutiaeRecord(*rec);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, raw) << entry.path();
    ++files;
  }
  EXPECT_EQ(files, 14);
}

TEST(FingerMinutiaeRecordTest, KnownTemplateFields) {
  auto rec = ParseFingerMinutiaeRecord(kTestdata.Read("fvc2004/DB1_B_101_1.iso"));
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(rec->width, 300);
  EXPECT_EQ(rec->height, 400);
  EXPECT_EQ(rec->x_resolution_ppcm, 197);
  const FingerViewRecord& v = rec->views[0];
  ASSERT_EQ(v.minutiae.size(), 16u);
  // First minutia: 40 83 00 14 cd 00 -> ending at (131, 20), angle 0xcd.
  EXPECT_EQ(v.minutiae[0].type, 1);
  EXPECT_EQ(v.minutiae[0].x, 131);
  EXPECT_EQ(v.minutiae[0].y, 20);
  EXPECT_EQ(v.minutiae[0].angle, 0xcd);
  auto t = ToFingerTemplate(*rec);
  ASSERT_TRUE(t.ok());
  EXPECT_NEAR(t->minutiae[0].angle, 0xcd * 2 * std::numbers::pi / 256, 1e-6);
  EXPECT_EQ(t->minutiae[0].type, MinutiaType::kEnding);
}

TEST(FingerMinutiaeRecordTest, RejectsEveryTruncation) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kTestdata.Path("invalid-iso"))) {
    auto rec = ParseFingerMinutiaeRecord(sijil::testing::ReadFileBytes(entry.path()));
    ASSERT_FALSE(rec.ok()) << entry.path();
    EXPECT_EQ(rec.status().code(), "IDA-BIA-011");
    ++files;
  }
  EXPECT_EQ(files, 3);
  // Every prefix of a valid record, and every record with a wrong length, is rejected.
  Bytes raw = kTestdata.Read("fvc2004/DB3_B_101_1.iso");
  for (size_t n = 0; n < raw.size(); ++n) {
    EXPECT_FALSE(ParseFingerMinutiaeRecord(std::span(raw).first(n)).ok()) << n;
  }
  Bytes padded = raw;
  padded.push_back(0);
  EXPECT_FALSE(ParseFingerMinutiaeRecord(padded).ok());
}

TEST(FingerMinutiaeRecordTest, RejectsBadFields) {
  Bytes raw = kTestdata.Read("fvc2004/DB1_B_101_1.iso");
  Bytes bad = raw;
  bad[0] = 'X';
  EXPECT_FALSE(ParseFingerMinutiaeRecord(bad).ok());
  bad = raw;
  bad[5] = '3';
  EXPECT_FALSE(ParseFingerMinutiaeRecord(bad).ok());
  bad = raw;
  bad[24] = 11;  // finger position
  EXPECT_FALSE(ParseFingerMinutiaeRecord(bad).ok());
  bad = raw;
  bad[28 + 5] = 101;  // minutia quality
  EXPECT_FALSE(ParseFingerMinutiaeRecord(bad).ok());
  bad = raw;
  bad[22] = 2;  // claims two views
  EXPECT_FALSE(ParseFingerMinutiaeRecord(bad).ok());
}

FingerMinutiaeRecord RichRecord(MinutiaeRecordFormat format) {
  FingerMinutiaeRecord rec;
  rec.format = format;
  rec.width = 500;
  rec.height = 600;
  rec.cbeff_product_id = format == MinutiaeRecordFormat::kAnsi378_2004 ? 0x00330001 : 0;
  rec.capture_equipment = 0x1234 & 0x0fff;
  rec.certification_flag = format == MinutiaeRecordFormat::kIso2011;
  for (uint8_t pos : {2, 2, 7, 0}) {
    FingerViewRecord v;
    v.position = pos;
    v.view_number = pos == 2 && !rec.views.empty() ? 1 : 0;
    v.impression_type = 1;
    v.quality = 80;
    v.width = 500;
    v.height = 600;
    if (format == MinutiaeRecordFormat::kIso2011) {
      v.capture.capture_time = {2026, 11, 23, 10, 30, 5, 258};
      v.capture.device_vendor_id = 0x0031;
      v.capture.quality_blocks = {{80, 0x0101, 0x0002}};
      v.capture.certification_blocks = {{0x001b, 3}};
      v.ridge_ending_type = 1;
      v.minutia_quality_present = pos != 0;
    }
    for (int i = 0; i < 12; ++i) {
      RecordMinutia m;
      m.type = static_cast<uint8_t>(1 + i % 2);
      m.x = static_cast<uint16_t>(20 + 31 * i);
      m.y = static_cast<uint16_t>(40 + 17 * i);
      m.angle =
          static_cast<uint8_t>(format == MinutiaeRecordFormat::kAnsi378_2004 ? 15 * i : 21 * i);
      m.quality = (format == MinutiaeRecordFormat::kIso2011 && !v.minutia_quality_present)
                      ? 254
                      : static_cast<uint8_t>(50 + i);
      v.minutiae.push_back(m);
    }
    v.extended.push_back(EncodeRidgeCounts({1, {{1, 2, 3}, {2, 5, 7}}}));
    CoreDeltaData cd;
    cd.cores.push_back({100, 120, true, {40, 0, 0}});
    cd.deltas.push_back({200, 300, true, {1, 2, 3}});
    auto block = EncodeCoreDelta(cd, format);
    EXPECT_TRUE(block.ok());
    v.extended.push_back(*block);
    v.extended.push_back({0x0101, {9, 8, 7, 6, 5}});  // a vendor block, kept opaque
    rec.views.push_back(v);
  }
  return rec;
}

class FormatTest : public ::testing::TestWithParam<MinutiaeRecordFormat> {};

TEST_P(FormatTest, RoundTripsAllViewsAndExtendedData) {
  FingerMinutiaeRecord rec = RichRecord(GetParam());
  auto bytes = SerializeFingerMinutiaeRecord(rec);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto back = ParseFingerMinutiaeRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->format, GetParam());
  ASSERT_EQ(back->views.size(), 4u);
  EXPECT_EQ(back->views, rec.views);
  auto again = SerializeFingerMinutiaeRecord(*back);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);

  auto counts = DecodeRidgeCounts(back->views[1].extended[0]);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->counts.size(), 2u);
  EXPECT_EQ(counts->counts[1].count, 7);
  auto cd = DecodeCoreDelta(back->views[1].extended[1], GetParam());
  ASSERT_TRUE(cd.ok()) << cd.status();
  ASSERT_EQ(cd->cores.size(), 1u);
  EXPECT_EQ(cd->cores[0].x, 100);
  EXPECT_EQ(cd->cores[0].angles[0], 40);
  ASSERT_EQ(cd->deltas.size(), 1u);
  EXPECT_EQ(cd->deltas[0].angles[2], 3);

  // Every truncation of a multi-view record fails cleanly.
  for (size_t n = 0; n < bytes->size(); n += 7) {
    auto cut = ParseFingerMinutiaeRecord(std::span(*bytes).first(n));
    ASSERT_FALSE(cut.ok()) << n;
    EXPECT_EQ(cut.status().code(), "IDA-BIA-011") << n << ": " << cut.status();
  }
}

TEST(FingerMinutiaeRecordTest, Iso2011CutShortInsideItsRepresentationsIsRejected) {
  // The record length says the record ends early, so the cut lands inside a representation
  // header, the minutiae or the extended data rather than in the general header.
  auto bytes = SerializeFingerMinutiaeRecord(RichRecord(MinutiaeRecordFormat::kIso2011));
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  for (size_t n = 15; n < bytes->size(); ++n) {
    Bytes cut(bytes->begin(), bytes->begin() + n);
    for (int i = 0; i < 4; ++i) cut[8 + i] = static_cast<uint8_t>(n >> (24 - 8 * i));
    auto rec = ParseFingerMinutiaeRecord(cut);
    ASSERT_FALSE(rec.ok()) << n;
    EXPECT_EQ(rec.status().code(), "IDA-BIA-011") << n << ": " << rec.status();
  }
  // A quality score above 100 that is not 255 ("failed to compute") is refused.
  FingerMinutiaeRecord rec = RichRecord(MinutiaeRecordFormat::kIso2011);
  rec.views[0].capture.quality_blocks[0].score = 150;
  auto odd = SerializeFingerMinutiaeRecord(rec);
  ASSERT_TRUE(odd.ok()) << odd.status();
  auto parsed = ParseFingerMinutiaeRecord(*odd);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("quality score 150"), std::string::npos)
      << parsed.status();
}

TEST_P(FormatTest, TemplateConversionKeepsGeometry) {
  FingerTemplate t;
  t.width = 400;
  t.height = 500;
  t.position = FingerPosition::kLeftIndex;
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    Minutia m;
    m.x = static_cast<uint16_t>(rng() % 400);
    m.y = static_cast<uint16_t>(rng() % 500);
    m.angle = static_cast<float>((rng() % 3600) * std::numbers::pi / 1800.0);
    m.type = i % 2 ? MinutiaType::kEnding : MinutiaType::kBifurcation;
    m.quality = static_cast<uint8_t>(1 + rng() % 100);
    t.minutiae.push_back(m);
  }
  auto bytes = SerializeFingerMinutiaeRecord(FromFingerTemplate(t, GetParam()));
  ASSERT_TRUE(bytes.ok());
  auto back = ParseFingerTemplate(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->position, FingerPosition::kLeftIndex);
  EXPECT_EQ(back->width, 400);
  ASSERT_EQ(back->minutiae.size(), t.minutiae.size());
  const double tolerance = GetParam() == MinutiaeRecordFormat::kAnsi378_2004
                               ? std::numbers::pi / 180
                               : std::numbers::pi / 256;
  for (size_t i = 0; i < t.minutiae.size(); ++i) {
    EXPECT_EQ(back->minutiae[i].x, t.minutiae[i].x);
    EXPECT_EQ(back->minutiae[i].y, t.minutiae[i].y);
    EXPECT_EQ(back->minutiae[i].type, t.minutiae[i].type);
    EXPECT_EQ(back->minutiae[i].quality, t.minutiae[i].quality);
    double d = std::abs(back->minutiae[i].angle - t.minutiae[i].angle);
    d = std::min(d, 2 * std::numbers::pi - d);
    EXPECT_LE(d, tolerance + 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, FormatTest,
                         ::testing::Values(MinutiaeRecordFormat::kIso2005,
                                           MinutiaeRecordFormat::kIso2011,
                                           MinutiaeRecordFormat::kAnsi378_2004));

TEST(FingerMinutiaeRecordTest, AnsiLongHeaderRoundTrips) {
  FingerMinutiaeRecord rec = RichRecord(MinutiaeRecordFormat::kAnsi378_2004);
  rec.ansi_long_length = true;
  auto bytes = SerializeFingerMinutiaeRecord(rec);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ((*bytes)[8], 0);
  EXPECT_EQ((*bytes)[9], 0);
  auto back = ParseFingerMinutiaeRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->ansi_long_length);
  EXPECT_EQ(back->views, rec.views);
}

TEST(FingerMinutiaeRecordTest, Iso2005ExtendedLengthWithoutHeaderIsDetected) {
  FingerMinutiaeRecord rec = RichRecord(MinutiaeRecordFormat::kIso2005);
  rec.extended_length_excludes_header = true;
  auto bytes = SerializeFingerMinutiaeRecord(rec);
  ASSERT_TRUE(bytes.ok());
  auto back = ParseFingerMinutiaeRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->extended_length_excludes_header);
  EXPECT_EQ(back->views, rec.views);
  EXPECT_EQ(*SerializeFingerMinutiaeRecord(*back), *bytes);
}

}  // namespace
}  // namespace sijil::biometrics
