// Fuzzes the ISO/IEC 19794-5 parser and writer (images are not decoded here).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sijil/biometrics/face_image_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  auto rec = ParseFaceImageRecord({data, size});
  if (!rec.ok()) return 0;
  auto bytes = WriteFaceImageRecord(*rec);
  if (!bytes.ok()) return 0;
  auto again = ParseFaceImageRecord(*bytes);
  if (!again.ok() || again->representations.size() != rec->representations.size()) std::abort();
  return 0;
}
