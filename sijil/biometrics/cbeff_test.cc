#include "sijil/biometrics/cbeff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <string>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/face_image_record.h"
#include "sijil/biometrics/finger_image_record.h"
#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/iris_image_record.h"
#include "sijil/biometrics/record_header.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

TEST(CbeffTest, ReadsIsoSampleWithOthersAndSignature) {
  auto bir = ParseCbeffXml(kTestdata.ReadText("cbeff-iso-one-bir.xml"));
  ASSERT_TRUE(bir.ok()) << bir.status();
  EXPECT_EQ(bir->bir_info.integrity, false);
  ASSERT_EQ(bir->children.size(), 1u);
  const Bir& child = bir->children[0];
  ASSERT_TRUE(child.version.has_value());
  EXPECT_EQ(child.version->major, 1u);
  ASSERT_TRUE(child.bdb_info.has_value());
  const BdbInfo& info = *child.bdb_info;
  ASSERT_TRUE(info.format.has_value());
  EXPECT_EQ(info.format->organization, "Mosip");
  EXPECT_EQ(info.format->type, "7");
  EXPECT_EQ(info.type, std::vector<std::string>{"Finger"});
  ASSERT_TRUE(info.subtype.has_value());
  EXPECT_EQ(info.subtype->size(), 2u);
  EXPECT_EQ(info.level, "Raw");
  EXPECT_EQ(info.purpose, "Enroll");
  ASSERT_TRUE(info.quality && info.quality->algorithm);
  EXPECT_EQ(info.quality->algorithm->organization, "HMAC");
  EXPECT_TRUE(info.quality->score.has_value());
  EXPECT_TRUE(info.index.has_value());
  EXPECT_EQ(child.Other("SPEC_VERSION"), "0.9.5");
  EXPECT_EQ(child.Other("RETRIES"), "1");
  ASSERT_TRUE(child.sb.has_value());
  EXPECT_FALSE(child.sb->empty());
  // The BDB is an ISO 19794-4 record whose image decodes.
  ASSERT_TRUE(child.bdb.has_value());
  EXPECT_EQ(DetectBiometricFormat(*child.bdb), BiometricFormat::kFingerImage);
  auto rec = ParseFingerImageRecord(*child.bdb);
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_TRUE(DecodeFingerImage(rec->representations.at(0)).ok());
}

TEST(CbeffTest, ReadsOasisStyleWithFormatOwnerAndForeignElements) {
  auto bir = ParseCbeffXml(kTestdata.ReadText("cbeff-oasis-2005-one-bir.xml"));
  ASSERT_TRUE(bir.ok()) << bir.status();
  ASSERT_EQ(bir->children.size(), 1u);
  const Bir& child = bir->children[0];
  ASSERT_TRUE(child.bdb_info && child.bdb_info->format);
  EXPECT_EQ(child.bdb_info->format->organization, "257");
  EXPECT_EQ(child.bdb_info->format->type, "8");
  ASSERT_TRUE(child.bdb_info->quality.has_value());
  EXPECT_EQ(child.bdb_info->quality->score, 90);
  EXPECT_FALSE(child.bdb_info->quality->algorithm.has_value());
  ASSERT_EQ(child.extensions.size(), 1u);
  EXPECT_NE(child.extensions[0].find("TestFace"), std::string::npos);
  EXPECT_EQ(child.bdb, Bytes({'T', 'e', 's', 't'}));
}

TEST(CbeffTest, ReadsMinutiaeBdbsOfRegprocSample) {
  auto bir = ParseCbeffXml(kTestdata.ReadText("regproc-cbeff1.xml"));
  ASSERT_TRUE(bir.ok()) << bir.status();
  auto fingers = FindBirs(*bir, "finger");
  ASSERT_TRUE(fingers.ok()) << fingers.status();
  EXPECT_FALSE(fingers->empty());
  for (const Bir* b : *fingers) {
    BiometricFormat f = DetectBiometricFormat(*b->bdb);
    EXPECT_TRUE(f == BiometricFormat::kFingerMinutiaeIso2005 ||
                f == BiometricFormat::kFingerMinutiaeAnsi378);
  }
  auto left = FindBirs(*bir, "Finger", "Left IndexFinger");
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(left->size(), 1u);
  auto none = FindBirs(*bir, "Iris");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(BioErrorCodeOf(none.status()), BioErrorCode::kBiometricsNotFound);
}

TEST(CbeffTest, TolerantOfLowercaseOthersEntriesAndBase64Url) {
  std::string xml = R"(<?xml version="1.0"?>
<BIR xmlns="http://standards.iso.org/iso-iec/19785/-3/ed-2/">
  <BIRInfo><Integrity>false</Integrity></BIRInfo>
  <BIR>
    <Version><Major>1</Major><Minor>1</Minor></Version>
    <CBEFFVersion>1.1</CBEFFVersion>
    <BIRInfo><integrity>true</integrity></BIRInfo>
    <BDBInfo><Type>Iris</Type><Subtype>Left</Subtype></BDBInfo>
    <BDB>-_8</BDB>
    <others><entry key="EXCEPTION">false</entry><entry key="PAYLOAD">{"a":1}</entry></others>
  </BIR>
</BIR>)";
  auto bir = ParseCbeffXml(xml);
  ASSERT_TRUE(bir.ok()) << bir.status();
  const Bir& child = bir->children.at(0);
  EXPECT_EQ(child.cbeff_version, (CbeffVersion{1, 1}));
  EXPECT_EQ(child.bir_info.integrity, true);
  EXPECT_EQ(child.bdb, Bytes({0xFB, 0xFF}));
  EXPECT_EQ(child.Other("PAYLOAD"), "{\"a\":1}");
}

TEST(CbeffTest, RoundTripsInBothFlavours) {
  auto bir = ParseCbeffXml(kTestdata.ReadText("cbeff-iso-one-bir.xml"));
  ASSERT_TRUE(bir.ok()) << bir.status();
  auto iso = WriteCbeffXml(*bir, {CbeffFlavor::kIso, false});
  ASSERT_TRUE(iso.ok()) << iso.status();
  EXPECT_NE(iso->find(std::string(kCbeffIsoNamespace)), std::string::npos);
  EXPECT_NE(iso->find("<entry key=\"SPEC_VERSION\">0.9.5</entry>"), std::string::npos);
  auto back = ParseCbeffXml(*iso);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, *bir);

  auto oasis = WriteCbeffXml(*bir, {CbeffFlavor::kOasis, true});
  ASSERT_TRUE(oasis.ok()) << oasis.status();
  EXPECT_NE(oasis->find("<FormatOwner>Mosip</FormatOwner>"), std::string::npos);
  auto back2 = ParseCbeffXml(*oasis);
  ASSERT_TRUE(back2.ok()) << back2.status();
  const Bir& a = bir->children[0];
  const Bir& b = back2->children.at(0);
  EXPECT_EQ(a.bdb, b.bdb);
  EXPECT_EQ(a.others, b.others);
  EXPECT_EQ(a.bdb_info->format, b.bdb_info->format);
  EXPECT_EQ(a.bdb_info->quality->score, b.bdb_info->quality->score);
}

TEST(CbeffTest, RejectsMalformedInput) {
  EXPECT_EQ(BioErrorCodeOf(ParseCbeffXml("").status()), BioErrorCode::kMissingInput);
  EXPECT_EQ(ParseCbeffXml("<BIR><BIRInfo>").status().code(), "BIO-401");
  EXPECT_FALSE(ParseCbeffXml("<NotBIR/>").ok());
  EXPECT_FALSE(ParseCbeffXml("<BIR><BDB>***</BDB></BIR>").ok());
  EXPECT_FALSE(ParseCbeffXml("<BIR><BDBInfo><Quality>high</Quality></BDBInfo></BIR>").ok());
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "<BIR>";
  for (int i = 0; i < 20; ++i) deep += "</BIR>";
  EXPECT_FALSE(ParseCbeffXml(deep).ok());
}

// Every CBEFF sample MOSIP ships parses, and every image BDB in it decodes.
TEST(CbeffTest, AllSharedSamplesParse) {
  std::filesystem::path dir = "/work/shared/data/biometrics/mosip-samples/cbeff";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared samples not present";
  int files = 0, records = 0, mangled_records = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".xml") continue;
    auto bir = ParseCbeffXml(sijil::testing::ReadFileText(entry.path()));
    ASSERT_TRUE(bir.ok()) << entry.path() << ": " << bir.status();
    EXPECT_FALSE(BirsWithBdb(*bir).empty()) << entry.path();
    for (const Bir* b : BirsWithBdb(*bir)) {
      const Bytes& bdb = *b->bdb;
      Status st;
      switch (DetectBiometricFormat(bdb)) {
        case BiometricFormat::kFingerImage: {
          auto r = ParseFingerImageRecord(bdb);
          st = r.ok() ? DecodeFingerImage(r->representations.at(0)).status() : r.status();
          break;
        }
        case BiometricFormat::kFaceImage: {
          auto r = ParseFaceImageRecord(bdb);
          st = r.ok() ? DecodeFaceImage(r->representations.at(0)).status() : r.status();
          break;
        }
        case BiometricFormat::kIrisImage: {
          auto r = ParseIrisImageRecord(bdb);
          st = r.ok() ? DecodeIrisImage(r->representations.at(0)).status() : r.status();
          break;
        }
        case BiometricFormat::kPng:
          st = DecodeImage(bdb).status();
          break;
        default:
          continue;
      }
      // Some of MOSIP's older samples stored binary iris records through a text conversion
      // that replaced invalid UTF-8 with U+FFFD (EF BF BD); those must fail, all others decode.
      const uint8_t kReplacement[] = {0xEF, 0xBF, 0xBD};
      bool mangled = std::search(bdb.begin(), bdb.end(), std::begin(kReplacement),
                                 std::end(kReplacement)) != bdb.end();
      if (mangled) {
        EXPECT_EQ(BioErrorCodeOf(st), BioErrorCode::kInvalidInput) << entry.path();
        ++mangled_records;
      } else {
        EXPECT_TRUE(st.ok()) << entry.path() << ": " << st;
        ++records;
      }
    }
    ++files;
  }
  EXPECT_EQ(files, 9);
  EXPECT_EQ(records, 42);  // 37 finger, 1 face, 2 iris records, 2 bare PNGs
  EXPECT_EQ(mangled_records, 10);
}

}  // namespace
}  // namespace sijil::biometrics
