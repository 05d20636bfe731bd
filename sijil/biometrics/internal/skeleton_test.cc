#include "sijil/biometrics/internal/skeleton.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

namespace sijil::biometrics::internal {
namespace {

TEST(ThinTest, ThickBarBecomesOnePixelLine) {
  cv::Mat m = cv::Mat::zeros(40, 80, CV_8U);
  cv::rectangle(m, cv::Rect(10, 15, 60, 7), cv::Scalar(255), cv::FILLED);
  cv::Mat sk = Thin(m);
  int total = cv::countNonZero(sk);
  EXPECT_GE(total, 45);
  EXPECT_LE(total, 62);
  for (int x = 20; x < 60; ++x) {
    EXPECT_EQ(cv::countNonZero(sk.col(x)), 1) << "column " << x;
  }
}

TEST(ThinTest, DiagonalLineHasNoStaircaseCorners) {
  cv::Mat m = cv::Mat::zeros(60, 60, CV_8U);
  cv::line(m, {5, 10}, {55, 40}, cv::Scalar(255), 4);
  cv::Mat sk = Thin(m);
  // Every interior skeleton pixel of a simple curve has exactly two neighbours.
  int ends = 0;
  for (int y = 1; y < 59; ++y) {
    for (int x = 1; x < 59; ++x) {
      if (!sk.at<uint8_t>(y, x)) continue;
      int n = cv::countNonZero(sk(cv::Rect(x - 1, y - 1, 3, 3))) - 1;
      EXPECT_LE(n, 2) << x << "," << y;
      ends += n == 1;
    }
  }
  EXPECT_EQ(ends, 2);
}

}  // namespace
}  // namespace sijil::biometrics::internal
