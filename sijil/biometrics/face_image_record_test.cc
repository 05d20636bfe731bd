#include "sijil/biometrics/face_image_record.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sijil/biometrics/bio_status.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

TEST(FaceImageRecordTest, ParsesMosipSampleAndItsImage) {
  Bytes iso = kTestdata.Read("info_face_auth.iso");
  auto rec = ParseFaceImageRecord(iso);
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(rec->edition, RecordEdition::k2011);
  ASSERT_EQ(rec->representations.size(), 1u);
  const FaceImageRepresentation& rep = rec->representations[0];
  EXPECT_EQ(rep.width, 240);
  EXPECT_EQ(rep.height, 320);
  EXPECT_EQ(rep.face_image_type, 1);  // full frontal
  EXPECT_EQ(rep.data_type, FaceImageDataType::kJpeg2000Lossy);
  EXPECT_EQ(rep.gender, 0xFF);
  ASSERT_EQ(rep.capture.quality_blocks.size(), 1u);
  EXPECT_EQ(rep.capture.quality_blocks[0].score, 40);
  EXPECT_EQ(rep.image_data, kTestdata.Read("info_face_auth.jp2"));
  auto img = DecodeFaceImage(rep);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->width, 240u);
  EXPECT_EQ(img->height, 320u);
  EXPECT_EQ(img->channels, 3);
  auto again = WriteFaceImageRecord(*rec);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, iso);
}

TEST(FaceImageRecordTest, EveryTruncationIsRejected) {
  Bytes iso = kTestdata.Read("info_face_auth.iso");
  for (size_t cut = 0; cut < iso.size(); cut += (cut < 120 ? 1 : 1009)) {
    EXPECT_FALSE(ParseFaceImageRecord(std::span<const uint8_t>(iso.data(), cut)).ok()) << cut;
  }
}

TEST(FaceImageRecordTest, RoundTrips2005RecordWithFeaturePoints) {
  FaceImageRecord rec;
  rec.edition = RecordEdition::k2005;
  FaceImageRepresentation rep;
  rep.gender = 2;
  rep.eye_colour = 3;
  rep.property_mask = 0x000105;
  rep.expression = 1;
  rep.yaw = 91;
  rep.landmarks = {{1, 0x31, 100, 120, 0}, {1, 0x32, 140, 121, 0}};
  rep.face_image_type = 1;
  rep.data_type = FaceImageDataType::kJpeg2000Lossy;
  rep.width = 240;
  rep.height = 320;
  rep.colour_space = 1;
  rep.quality = 77;
  rep.image_data = kTestdata.Read("info_face_auth.jp2");
  rec.representations = {rep};
  auto bytes = WriteFaceImageRecord(rec);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->size(), 14 + 20 + 2 * 8 + 12 + rep.image_data.size());
  auto back = ParseFaceImageRecord(*bytes);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->edition, RecordEdition::k2005);
  const FaceImageRepresentation& b = back->representations.at(0);
  EXPECT_EQ(b.landmarks, rep.landmarks);
  EXPECT_EQ(b.property_mask, 0x000105u);
  EXPECT_EQ(b.quality, 77);
  EXPECT_EQ(b.image_data, rep.image_data);
  EXPECT_TRUE(DecodeFaceImage(b).ok());
}

TEST(FaceImageRecordTest, ThreeDimensionalRepresentationIsReportedUnsupported) {
  Bytes iso = kTestdata.Read("info_face_auth.iso");
  iso[0x3a] = 0x81;  // full frontal 3D
  auto rec = ParseFaceImageRecord(iso);
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().kind(), StatusKind::kUnimplemented);
  EXPECT_EQ(rec.status().code(), "BIO-401");
}

TEST(FaceImageRecordTest, AllSharedSamplesDecodeByteExact) {
  std::filesystem::path dir = "/work/shared/data/biometrics/mosip-samples/Face";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared samples not present";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".iso") continue;
    auto rec = ParseFaceImageRecord(sijil::testing::ReadFileBytes(entry.path()));
    ASSERT_TRUE(rec.ok()) << entry.path() << ": " << rec.status();
    std::filesystem::path jp2 = entry.path();
    jp2.replace_extension(".jp2");
    EXPECT_EQ(rec->representations.at(0).image_data, sijil::testing::ReadFileBytes(jp2));
    EXPECT_TRUE(DecodeFaceImage(rec->representations[0]).ok());
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace sijil::biometrics
