// Fuzzes the WSQ decoder: never crash, never allocate beyond the (reduced) limits.
#include <cstddef>
#include <cstdint>

#include "sijil/biometrics/wsq.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  (void)ReadWsqInfo({data, size});
  ImageLimits limits;
  // Small images only, so each run is fast; mutated frame sizes still drive the whole
  // decoder over the real tables and data.
  limits.max_pixels = 65536;
  (void)DecodeWsq({data, size}, limits);
  return 0;
}
