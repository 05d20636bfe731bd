// Fuzzes the ISO/IEC 19794-6 parser and writer (only raw images are decoded here).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sijil/biometrics/image_codec.h"
#include "sijil/biometrics/iris_image_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  auto rec = ParseIrisImageRecord({data, size});
  if (!rec.ok()) return 0;
  auto bytes = WriteIrisImageRecord(*rec);
  if (bytes.ok()) {
    auto again = ParseIrisImageRecord(*bytes);
    if (!again.ok() || again->representations.size() != rec->representations.size()) {
      std::abort();
    }
  }
  for (const auto& rep : rec->representations) {
    if (SniffImageCodec(rep.image_data) == ImageCodec::kUnknown) (void)DecodeIrisImage(rep);
  }
  return 0;
}
