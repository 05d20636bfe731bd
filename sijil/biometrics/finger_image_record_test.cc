#include "sijil/biometrics/finger_image_record.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/wsq.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

double StdDev(const Image& img) {
  double sum = 0, sq = 0;
  for (uint8_t p : img.pixels) {
    sum += p;
    sq += double(p) * p;
  }
  double n = img.pixels.size(), mean = sum / n;
  return std::sqrt(sq / n - mean * mean);
}

TEST(FingerImageRecordTest, Jpeg2000RecordHoldsExactlyTheImageBeside) {
  Bytes iso = kTestdata.Read("info_left_index_auth_jp2000.iso");
  auto rec = ParseFingerImageRecord(iso);
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(rec->edition, RecordEdition::k2011);
  ASSERT_EQ(rec->representations.size(), 1u);
  const FingerImageRepresentation& rep = rec->representations[0];
  EXPECT_EQ(rep.compression, FingerImageCompression::kJpeg2000Lossy);
  EXPECT_EQ(rep.width, 280);
  EXPECT_EQ(rep.height, 448);
  EXPECT_EQ(rep.image_resolution_x, 500);
  ASSERT_EQ(rep.capture.quality_blocks.size(), 1u);
  EXPECT_EQ(rep.capture.quality_blocks[0].score, 50);
  EXPECT_EQ(rep.capture.capture_time.year, 2022);
  EXPECT_EQ(rep.image_data, kTestdata.Read("info_left_index_auth.jp2"));

  auto img = DecodeFingerImage(rep);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->width, 280u);
  EXPECT_EQ(img->height, 448u);
  EXPECT_EQ(img->channels, 1);
  EXPECT_EQ(img->ppi, 500);
  EXPECT_GT(StdDev(*img), 15.0);  // ridges, not a flat image
}

TEST(FingerImageRecordTest, WsqRecordHoldsExactlyTheImageBeside) {
  Bytes iso = kTestdata.Read("info_left_thumb_auth_wsq.iso");
  auto rec = ParseFingerImageRecord(iso);
  ASSERT_TRUE(rec.ok()) << rec.status();
  ASSERT_EQ(rec->representations.size(), 1u);
  const FingerImageRepresentation& rep = rec->representations[0];
  EXPECT_EQ(rep.compression, FingerImageCompression::kWsq);
  EXPECT_EQ(rep.image_data, kTestdata.Read("info_left_thumb_auth.wsq"));
  auto img = DecodeFingerImage(rep);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->width, 545u);
  EXPECT_EQ(img->height, 622u);
  EXPECT_GT(StdDev(*img), 20.0);
}

TEST(FingerImageRecordTest, SamplesRoundTripByteForByte) {
  for (const char* name : {"info_left_index_auth_jp2000.iso", "info_left_thumb_auth_wsq.iso"}) {
    Bytes iso = kTestdata.Read(name);
    auto rec = ParseFingerImageRecord(iso);
    ASSERT_TRUE(rec.ok()) << name << ": " << rec.status();
    auto again = WriteFingerImageRecord(*rec);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, iso) << name;
  }
}

TEST(FingerImageRecordTest, EncryptedRecordIsRejectedClearly) {
  auto rec = ParseFingerImageRecord(kTestdata.Read("info_encyrpted.iso"));
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(BioErrorCodeOf(rec.status()), BioErrorCode::kInvalidInput);
  EXPECT_EQ(rec.status().code(), "BIO-401");
  EXPECT_NE(rec.status().message().find("FIR"), std::string::npos) << rec.status();
}

TEST(FingerImageRecordTest, EveryTruncationIsRejected) {
  Bytes iso = kTestdata.Read("info_left_thumb_auth_wsq.iso");
  for (size_t cut = 0; cut < iso.size(); cut += (cut < 200 ? 1 : 997)) {
    auto rec = ParseFingerImageRecord(std::span<const uint8_t>(iso.data(), cut));
    EXPECT_FALSE(rec.ok()) << "prefix of " << cut << " bytes parsed";
  }
}

TEST(FingerImageRecordTest, HugeLengthClaimIsRejectedWithoutAllocating) {
  Bytes iso = kTestdata.Read("info_left_index_auth_jp2000.iso");
  // Claim a 4 GB image inside the representation.
  Bytes bad = iso;
  bad[0x3a] = bad[0x3b] = bad[0x3c] = bad[0x3d] = 0xFF;
  EXPECT_FALSE(ParseFingerImageRecord(bad).ok());
  // And a 4 GB record.
  bad = iso;
  bad[8] = bad[9] = bad[10] = bad[11] = 0xFF;
  EXPECT_FALSE(ParseFingerImageRecord(bad).ok());
}

TEST(FingerImageRecordTest, Writes2005RecordWithRawViews) {
  FingerImageRecord rec;
  rec.edition = RecordEdition::k2005;
  rec.capture_device_id = 0x0102;
  rec.acquisition_level = 30;
  for (uint8_t pos : {2, 7}) {
    FingerImageRepresentation rep;
    rep.position = pos;
    rep.view_number = 1;
    rep.quality = 80;
    rep.width = 16;
    rep.height = 8;
    rep.compression = FingerImageCompression::kUncompressed;
    for (int i = 0; i < 16 * 8; ++i) rep.image_data.push_back(static_cast<uint8_t>(i * pos));
    rec.representations.push_back(rep);
  }
  auto bytes = WriteFingerImageRecord(rec);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->size(), 32u + 2 * (14 + 128));
  EXPECT_EQ(std::string(bytes->begin(), bytes->begin() + 8), std::string("FIR\0"
                                                                         "010\0",
                                                                         8));
  auto back = ParseFingerImageRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->edition, RecordEdition::k2005);
  EXPECT_EQ(back->acquisition_level, 30);
  ASSERT_EQ(back->representations.size(), 2u);
  EXPECT_EQ(back->representations[1].position, 7);
  EXPECT_EQ(back->representations[1].image_data, rec.representations[1].image_data);
  auto again = WriteFingerImageRecord(*back);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
  auto img = DecodeFingerImage(back->representations[1]);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->at(3, 2), static_cast<uint8_t>((2 * 16 + 3) * 7));
}

TEST(FingerImageRecordTest, Writing2005RejectsMixedCompression) {
  FingerImageRecord rec;
  rec.edition = RecordEdition::k2005;
  FingerImageRepresentation a;
  a.image_data = {1};
  FingerImageRepresentation b = a;
  b.compression = FingerImageCompression::kWsq;
  rec.representations = {a, b};
  EXPECT_FALSE(WriteFingerImageRecord(rec).ok());
}

TEST(FingerImageRecordTest, ImageSizeDisagreeingWithHeaderIsAnError) {
  auto rec = ParseFingerImageRecord(kTestdata.Read("info_left_index_auth_jp2000.iso"));
  ASSERT_TRUE(rec.ok());
  FingerImageRepresentation rep = rec->representations[0];
  rep.width = 281;
  EXPECT_FALSE(DecodeFingerImage(rep).ok());
}

TEST(FingerImageRecordTest, RawImageShorterThanItsSizeIsAnError) {
  FingerImageRepresentation rep;
  rep.width = 100;
  rep.height = 100;
  rep.image_data.assign(9999, 0);
  EXPECT_FALSE(DecodeFingerImage(rep).ok());
}

// Runs over the full MOSIP sample set when the shared data is present (not in a user's
// clone): every record's payload equals the image file beside it.
TEST(FingerImageRecordTest, AllSharedSamplesDecodeByteExact) {
  std::filesystem::path dir = "/work/shared/data/biometrics/mosip-samples/Finger";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared samples not present";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string stem = entry.path().stem().string();
    if (entry.path().extension() != ".iso" || stem == "info_encyrpted") continue;
    std::string base = stem.substr(0, stem.rfind('_'));
    std::filesystem::path image = dir / (base + ".jp2");
    if (!std::filesystem::exists(image)) image = dir / (base + ".wsq");
    ASSERT_TRUE(std::filesystem::exists(image)) << stem;
    auto rec = ParseFingerImageRecord(sijil::testing::ReadFileBytes(entry.path()));
    ASSERT_TRUE(rec.ok()) << stem << ": " << rec.status();
    EXPECT_EQ(rec->representations.at(0).image_data, sijil::testing::ReadFileBytes(image)) << stem;
    EXPECT_TRUE(DecodeFingerImage(rec->representations[0]).ok()) << stem;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace sijil::biometrics
