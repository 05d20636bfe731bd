#include "sijil/biometrics/wsq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/image_codec.h"

namespace sijil::biometrics {
namespace {

Bytes ReadTestFile(const std::string& name) {
  const char* root = std::getenv("SIJIL_SOURCE_DIR");
  std::string path = std::string(root ? root : ".") + "/sijil/biometrics/testdata/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(WsqTest, ReadsHeaderOfMosipSample) {
  Bytes wsq = ReadTestFile("info_left_thumb_auth.wsq");
  auto info = ReadWsqInfo(wsq);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 545u);
  EXPECT_EQ(info->height, 622u);
  EXPECT_EQ(info->ppi, 500);
  EXPECT_NEAR(info->bitrate, 0.75, 1e-6);
}

TEST(WsqTest, DecodesMosipSampleToAFingerprint) {
  Bytes wsq = ReadTestFile("info_left_thumb_auth.wsq");
  auto img = DecodeWsq(wsq);
  ASSERT_TRUE(img.ok()) << img.status();
  EXPECT_EQ(img->width, 545u);
  EXPECT_EQ(img->height, 622u);
  EXPECT_EQ(img->channels, 1);
  EXPECT_EQ(img->ppi, 500);
  double sum = 0, sq = 0;
  for (uint8_t p : img->pixels) {
    sum += p;
    sq += double(p) * p;
  }
  double n = img->pixels.size();
  double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
  // The frame header's mean shift is 167.14: the decoded mean must be close to it.
  EXPECT_NEAR(mean, 167.14, 8.0);
  EXPECT_GT(sd, 20.0);
  if (const char* out = std::getenv("SIJIL_WSQ_DUMP")) {
    auto png = EncodePng(*img);
    ASSERT_TRUE(png.ok());
    std::ofstream(out, std::ios::binary)
        .write(reinterpret_cast<const char*>(png->data()), png->size());
  }
}

}  // namespace
}  // namespace sijil::biometrics
