#include "sijil/base/encoding.h"

#include <gtest/gtest.h>

namespace sijil {
namespace {

TEST(EncodingTest, Rfc4648Vectors) {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* b64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(Base64Encode(AsBytes(plain[i])), b64[i]);
    auto d = Base64Decode(b64[i]);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(AsChars(*d), plain[i]);
  }
}

TEST(EncodingTest, UrlAlphabetAndUnpadded) {
  const uint8_t data[] = {0xfb, 0xff, 0xbf};
  EXPECT_EQ(Base64Encode(data), "+/+/");
  EXPECT_EQ(Base64UrlEncode(data), "-_-_");
  auto d = Base64Decode("-_-_");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, Bytes(data, data + 3));
  auto unpadded = Base64Decode("Zm9vYg");
  ASSERT_TRUE(unpadded.ok());
  EXPECT_EQ(AsChars(*unpadded), "foob");
}

TEST(EncodingTest, RejectsGarbage) {
  EXPECT_FALSE(Base64Decode("Zm9v!").ok());
  EXPECT_FALSE(Base64Decode("Z").ok());
  EXPECT_FALSE(Base64Decode("Zg==Zg").ok());
  EXPECT_FALSE(HexDecode("abc").ok());
  EXPECT_FALSE(HexDecode("zz").ok());
}

TEST(EncodingTest, HexRoundTrip) {
  const uint8_t data[] = {0x00, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "00ABFF");
  EXPECT_EQ(HexEncode(data, false), "00abff");
  EXPECT_EQ(*HexDecode("00AbfF"), Bytes(data, data + 3));
}

}  // namespace
}  // namespace sijil
