// Fuzzes the stored IrisCode parser: anything it accepts must serialise back to the same
// bytes and compare against itself without failing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "sijil/biometrics/iris_code.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::biometrics;
  auto code = ParseIrisCode({data, size});
  if (!code.ok()) return 0;
  const sijil::Bytes again = SerializeIrisCode(*code);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  auto r = CompareIris(*code, *code, 2);
  if (r.ok() && r->hamming_distance != 0) std::abort();
  return 0;
}
