// Fuzzes the ISO/IEC 19794-4 parser and writer: any input either fails cleanly or parses
// into a record that writes back and parses again. Images are not decoded here (the WSQ
// decoder has its own target; JPEG 2000 and PNG belong to their libraries).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sijil/biometrics/finger_image_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  auto rec = ParseFingerImageRecord({data, size});
  if (!rec.ok()) return 0;
  auto bytes = WriteFingerImageRecord(*rec);
  if (!bytes.ok()) return 0;
  auto again = ParseFingerImageRecord(*bytes);
  if (!again.ok() || again->representations.size() != rec->representations.size()) std::abort();
  for (const auto& rep : rec->representations) {
    if (rep.compression == FingerImageCompression::kUncompressed ||
        rep.compression == FingerImageCompression::kUncompressedBitPacked) {
      (void)DecodeFingerImage(rep);
    }
  }
  return 0;
}
