// Fuzzes the WSQ decoder: never crash, never allocate beyond the (reduced) limits.
#include <cstddef>
#include <cstdint>

#include "sijil/biometrics/wsq.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  (void)ReadWsqInfo({data, size});
  ImageLimits limits;
  limits.max_pixels = 4'000'000;  // keeps each run fast; the limit logic is what is tested
  (void)DecodeWsq({data, size}, limits);
  return 0;
}
