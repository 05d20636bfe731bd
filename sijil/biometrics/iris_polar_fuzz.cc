// Fuzzes the unsegmented-polar iris path on arbitrary pixels: byte 0 picks the number of
// angles (64 x (1 + b % 8)), byte 1 the layout (bit 0 clockwise, bits 1-3 the zero angle in
// 45 degree steps), the rest are the pixels, row by row (at most 40,000). Every outcome must
// be an extraction or a BIO status, never a crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <opencv2/core.hpp>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/iris_polar.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  if (size < 2) return 0;
  const int cols = 64 * (1 + data[0] % 8);
  PolarLayout layout;
  layout.counter_clockwise = (data[1] & 1) == 0;
  layout.zero_angle_deg = 45.0 * ((data[1] >> 1) & 7);
  const size_t pixels = std::min<size_t>(size - 2, 40000);
  const int rows = static_cast<int>(pixels / cols);
  if (rows == 0) return 0;
  cv::Mat polar(rows, cols, CV_8UC1, const_cast<uint8_t*>(data + 2));
  auto x = ExtractIrisFromPolar(polar.clone(), {}, layout);
  if (x.ok()) {
    if (x->code.ValidBits() > kIrisRows * kIrisColumns || x->quality.score < 0 ||
        x->quality.score > 100) {
      std::abort();
    }
  } else if (BioErrorCodeOf(x.status()) == BioErrorCode::kUnknown) {
    std::abort();
  }
  return 0;
}
