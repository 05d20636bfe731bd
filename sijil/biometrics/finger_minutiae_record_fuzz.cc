// Fuzz target: ParseFingerMinutiaeRecord on arbitrary bytes. A record that parses must
// serialise, and the serialised bytes must parse to the same record.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "sijil/biometrics/finger_minutiae_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  auto rec = ParseFingerMinutiaeRecord(std::span<const uint8_t>(data, size));
  if (!rec.ok()) return 0;
  auto bytes = SerializeFingerMinutiaeRecord(*rec);
  if (!bytes.ok()) std::abort();
  auto again = ParseFingerMinutiaeRecord(*bytes);
  if (!again.ok() || !(*again == *rec)) std::abort();
  for (size_t v = 0; v < rec->views.size(); ++v) {
    (void)ToFingerTemplate(*rec, v);
    for (const ExtendedDataBlock& b : rec->views[v].extended) {
      if (b.type == kExtendedRidgeCount) (void)DecodeRidgeCounts(b);
      if (b.type == kExtendedCoreDelta) (void)DecodeCoreDelta(b, rec->format);
    }
  }
  return 0;
}
