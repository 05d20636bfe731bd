#include "sijil/biometrics/wsq.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/image_codec.h"
#include "tests/integration/testdata.h"

namespace sijil::biometrics {
namespace {

constexpr sijil::testing::Testdata kTestdata("biometrics");

TEST(WsqTest, ReadsHeaderOfMosipSample) {
  Bytes wsq = kTestdata.Read("info_left_thumb_auth.wsq");
  auto info = ReadWsqInfo(wsq);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->width, 545u);
  EXPECT_EQ(info->height, 622u);
  EXPECT_EQ(info->ppi, 500);
  EXPECT_NEAR(info->bitrate, 0.75, 1e-6);
}

TEST(WsqTest, DecodesMosipSampleToAFingerprint) {
  Bytes wsq = kTestdata.Read("info_left_thumb_auth.wsq");
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

double Rmse(const Image& a, const Image& b) {
  double sq = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    double d = double(a.pixels[i]) - b.pixels[i];
    sq += d * d;
  }
  return std::sqrt(sq / a.pixels.size());
}

TEST(WsqTest, EncodeDecodeRoundTripOfAFingerprint) {
  auto original = DecodeWsq(kTestdata.Read("info_left_thumb_auth.wsq"));
  ASSERT_TRUE(original.ok()) << original.status();
  double last_bpp = 0, last_rmse = 1e9;
  for (float rate : {0.75f, 2.25f}) {
    auto wsq = EncodeWsq(*original, {rate, 500, ""});
    ASSERT_TRUE(wsq.ok()) << wsq.status();
    // The bit allocation aims at the rate; re-coding an image that was already compressed
    // needs fewer bits than that, never many more.
    double bpp = 8.0 * wsq->size() / original->pixel_count();
    EXPECT_LT(bpp, rate * 1.3) << rate;
    EXPECT_GT(bpp, last_bpp) << rate;
    auto info = ReadWsqInfo(*wsq);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->ppi, 500);
    auto back = DecodeWsq(*wsq);
    ASSERT_TRUE(back.ok()) << back.status();
    ASSERT_EQ(back->width, original->width);
    ASSERT_EQ(back->height, original->height);
    double rmse = Rmse(*original, *back);
    EXPECT_LT(rmse, 9.0) << rate;
    EXPECT_LT(rmse, last_rmse) << rate;
    last_bpp = bpp;
    last_rmse = rmse;
  }
}

TEST(WsqTest, SmoothImageSurvivesAtHighRate) {
  Image img;
  img.width = 96;
  img.height = 80;
  img.pixels.resize(img.pixel_count());
  for (uint32_t y = 0; y < img.height; ++y) {
    for (uint32_t x = 0; x < img.width; ++x) {
      img.pixels[y * img.width + x] =
          static_cast<uint8_t>(128 + 90 * std::sin(x * 0.35) * std::cos(y * 0.2));
    }
  }
  auto wsq = EncodeWsq(img, {2.25f, 500, "test"});
  ASSERT_TRUE(wsq.ok()) << wsq.status();
  auto info = ReadWsqInfo(*wsq);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->comments.size(), 2u);
  auto back = DecodeWsq(*wsq);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_LT(Rmse(img, *back), 3.0);
}

TEST(WsqTest, EncoderRejectsWhatItCannotCode) {
  Image colour;
  colour.width = colour.height = 64;
  colour.channels = 3;
  colour.pixels.resize(64 * 64 * 3);
  EXPECT_FALSE(EncodeWsq(colour).ok());
  Image tiny;
  tiny.width = tiny.height = 16;
  tiny.pixels.resize(256);
  EXPECT_FALSE(EncodeWsq(tiny).ok());
}

TEST(WsqTest, CorruptStreamsFailCleanly) {
  Bytes wsq = kTestdata.Read("info_left_thumb_auth.wsq");
  EXPECT_EQ(BioErrorCodeOf(DecodeWsq({}).status()), BioErrorCode::kMissingInput);
  for (size_t cut : {size_t{1}, size_t{2}, size_t{100}, size_t{600}, size_t{800}, size_t{5000}}) {
    EXPECT_FALSE(DecodeWsq(std::span<const uint8_t>(wsq.data(), cut)).ok()) << cut;
  }
  // A frame claiming 65535x65535 pixels is refused before allocation.
  Bytes big = wsq;
  big[590 + 6] = big[590 + 7] = big[590 + 8] = big[590 + 9] = 0xFF;
  auto r = DecodeWsq(big);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), StatusKind::kResourceExhausted);
}

}  // namespace
}  // namespace sijil::biometrics
