#include "sijil/biometrics/iris_image_record.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sijil/biometrics/bio_status.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

TEST(IrisImageRecordTest, ParsesMosipSampleAndItsImage) {
  Bytes iso = kTestdata.Read("info_left_auth.iso");
  auto rec = ParseIrisImageRecord(iso);
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(rec->edition, RecordEdition::k2011);
  EXPECT_EQ(rec->eye_count, 1);
  ASSERT_EQ(rec->representations.size(), 1u);
  const IrisImageRepresentation& rep = rec->representations[0];
  EXPECT_EQ(rep.eye, EyeLabel::kLeft);
  EXPECT_EQ(rep.image_type, 7);       // cropped and masked
  EXPECT_EQ(rep.image_format, 0x0A);  // mono JPEG 2000
  EXPECT_EQ(rep.width, 391);
  EXPECT_EQ(rep.height, 293);
  EXPECT_EQ(rep.bit_depth, 8);
  EXPECT_EQ(rep.capture.quality_blocks.at(0).score, 80);
  EXPECT_EQ(rep.image_data, kTestdata.Read("info_left_auth.jp2"));
  auto img = DecodeIrisImage(rep);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->width, 391u);
  EXPECT_EQ(img->height, 293u);
  EXPECT_EQ(img->channels, 1);
  auto again = WriteIrisImageRecord(*rec);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, iso);
}

TEST(IrisImageRecordTest, EveryTruncationIsRejected) {
  Bytes iso = kTestdata.Read("info_left_auth.iso");
  for (size_t cut = 0; cut < iso.size(); cut += (cut < 120 ? 1 : 1013)) {
    EXPECT_FALSE(ParseIrisImageRecord(std::span<const uint8_t>(iso.data(), cut)).ok()) << cut;
  }
}

TEST(IrisImageRecordTest, RoundTrips2005RecordWithBothEyes) {
  IrisImageRecord rec;
  rec.edition = RecordEdition::k2005;
  rec.capture_device_id = 7;
  rec.iris_diameter = 200;
  rec.device_unique_id[0] = 'D';
  for (EyeLabel eye : {EyeLabel::kRight, EyeLabel::kLeft, EyeLabel::kRight}) {
    IrisImageRepresentation rep;
    rep.eye = eye;
    rep.image_format = 0x0002;  // mono raw
    rep.width = 8;
    rep.height = 4;
    rep.quality = 60;
    rep.image_data.assign(32, static_cast<uint8_t>(eye));
    rec.representations.push_back(rep);
  }
  auto bytes = WriteIrisImageRecord(rec);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->size(), 45u + 2 * 3 + 3 * (11 + 32));
  auto back = ParseIrisImageRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->representations.size(), 3u);
  // Grouped by eye: right, right, left.
  EXPECT_EQ(back->representations[0].eye, EyeLabel::kRight);
  EXPECT_EQ(back->representations[1].eye, EyeLabel::kRight);
  EXPECT_EQ(back->representations[2].eye, EyeLabel::kLeft);
  EXPECT_EQ(back->iris_diameter, 200);
  EXPECT_EQ(back->device_unique_id[0], 'D');
  auto img = DecodeIrisImage(back->representations[2]);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->at(7, 3), 2);
  auto again = WriteIrisImageRecord(*back);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
}

TEST(IrisImageRecordTest, EyePipelineRefusesPolarImages) {
  IrisImageRepresentation rep;
  rep.image_format = 2;  // mono raw
  rep.width = 8;
  rep.height = 4;
  rep.image_data.assign(32, 100);
  for (uint8_t kind : {1, 2, 3, 7}) {
    rep.image_type = kind;
    EXPECT_TRUE(DecodeIrisEyeImage(rep).ok()) << int{kind};
  }
  rep.image_type = kIrisImageUnsegmentedPolar;
  EXPECT_TRUE(DecodeIrisImage(rep).ok());  // still a valid record and image
  auto eye = DecodeIrisEyeImage(rep);
  ASSERT_FALSE(eye.ok());
  EXPECT_EQ(eye.status().code(), "BIO-401");
  EXPECT_NE(eye.status().message().find("unsegmented polar"), std::string::npos);
}

TEST(IrisImageRecordTest, AllSharedSamplesDecodeByteExact) {
  std::filesystem::path dir = "/work/shared/data/biometrics/mosip-samples/Iris";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared samples not present";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".iso") continue;
    auto rec = ParseIrisImageRecord(sijil::testing::ReadFileBytes(entry.path()));
    ASSERT_TRUE(rec.ok()) << entry.path() << ": " << rec.status();
    std::filesystem::path jp2 = entry.path();
    jp2.replace_extension(".jp2");
    EXPECT_EQ(rec->representations.at(0).image_data, sijil::testing::ReadFileBytes(jp2));
    EXPECT_TRUE(DecodeIrisImage(rec->representations[0]).ok());
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace sijil::biometrics
