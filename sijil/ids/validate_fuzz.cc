// Fuzzes the identifier validators and RID parser with arbitrary bytes: they must never crash,
// must always produce a code on failure, and must agree with the generator's invariant that a
// value accepted by the issuance rules is also accepted by MOSIP's validator rules.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sijil/ids/identifiers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sijil::ids;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  for (IdType type : {IdType::kUin, IdType::kVid, IdType::kPrid, IdType::kRid}) {
    const Verdict strict = CheckId(type, value);
    const Verdict mosip = CheckId(type, value, {}, RuleSet::kMosipValidator);
    if (!strict.ok() && strict.status.code().empty()) std::abort();
    if (strict.ok() && !mosip.ok()) std::abort();
  }
  (void)CheckRid(value, "10001", "10077");
  return 0;
}
