// Fuzzes the binary PGM reader behind DecodeFaceImageFile (other formats go to DecodeImage,
// fuzzed with their own parsers). The pixel count must match the header it accepted.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sijil/biometrics/face_engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  if (size < 2 || data[0] != 'P' || data[1] != '5') return 0;
  ImageLimits limits;
  limits.max_dimension = 4096;
  limits.max_pixels = 1 << 20;
  auto img = DecodeFaceImageFile({data, size}, limits);
  if (!img.ok()) return 0;
  if (img->channels != 1 || img->pixels.size() != img->pixel_count() || img->width == 0 ||
      img->height == 0 || img->pixels.size() > size) {
    std::abort();
  }
  return 0;
}
