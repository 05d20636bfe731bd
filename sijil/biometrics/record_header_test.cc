#include "sijil/biometrics/record_header.h"

#include <gtest/gtest.h>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/iris_image_record.h"

namespace sijil::biometrics {
namespace {

TEST(ByteWriterTest, LengthFieldsCountTheirBlock) {
  ByteWriter w;
  w.Append("ABCD");
  const size_t outer = w.BeginLength32();
  w.U16(0x0102);
  const size_t inner = w.BeginLength32();
  w.U8(7);
  ASSERT_TRUE(w.EndLength32(inner, "inner").ok());
  // The outer length counts from the start of the bytes, as a 19794 record length does.
  ASSERT_TRUE(w.EndLength32(outer, 0, "outer").ok());
  const Bytes out = w.Take();
  EXPECT_EQ(out, (Bytes{'A', 'B', 'C', 'D', 0, 0, 0, 15, 1, 2, 0, 0, 0, 5, 7}));
}

TEST(GeneralHeader2011Test, WrittenHeaderReadsBack) {
  ByteWriter w;
  w.Append(
      std::string_view("IIR\0"
                       "020\0",
                       8));
  auto at = WriteGeneralHeader2011(w, 3, true);
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(*at, 8u);
  w.U8(0);  // the part's own field
  ASSERT_TRUE(w.EndLength32(*at, 0, "record").ok());
  const Bytes bytes = w.Take();
  ByteReader r(bytes, "test record");
  ASSERT_TRUE(r.Skip(8, "magic").ok());
  GeneralHeader2011 h;
  ASSERT_TRUE(ReadGeneralHeader2011(r, bytes.size(), bytes.size(), h).ok());
  EXPECT_EQ(h.record_length, bytes.size());
  EXPECT_EQ(h.representation_count, 3);
  EXPECT_TRUE(h.certification);
}

TEST(GeneralHeader2011Test, RefusesMoreRepresentationsThanTheCountHolds) {
  ByteWriter w;
  auto at = WriteGeneralHeader2011(w, 0x10000, false);
  ASSERT_FALSE(at.ok());
  EXPECT_EQ(BioErrorCodeOf(at.status()), BioErrorCode::kInvalidInput);
  // Through a record writer: 65,536 iris images do not fit one 2011 record.
  IrisImageRecord rec;
  rec.representations.resize(0x10000);
  for (auto& rep : rec.representations) rep.image_data = {0};
  auto bytes = WriteIrisImageRecord(rec);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(BioErrorCodeOf(bytes.status()), BioErrorCode::kInvalidInput);
  EXPECT_NE(bytes.status().message().find("65535"), std::string::npos) << bytes.status();
}

}  // namespace
}  // namespace sijil::biometrics
