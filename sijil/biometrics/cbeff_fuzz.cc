// Fuzzes the CBEFF XML reader and writer: any input fails cleanly or parses into BIRs that
// write out in both flavours and read back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sijil/biometrics/cbeff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  auto bir = ParseCbeffXml(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!bir.ok()) return 0;
  for (CbeffFlavor flavor : {CbeffFlavor::kIso, CbeffFlavor::kOasis}) {
    auto xml = WriteCbeffXml(*bir, {flavor, false});
    if (!xml.ok()) continue;
    auto back = ParseCbeffXml(*xml);
    if (!back.ok() || back->children.size() != bir->children.size()) std::abort();
  }
  (void)FindBirs(*bir, "Finger");
  return 0;
}
