// Fuzzes name normalisation, transliteration and keys with arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sijil/names/name_match.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t half = size / 2;
  auto a = sijil::names::CompileName(text.substr(0, half));
  auto b = sijil::names::CompileName(text.substr(half));
  if (a.ok() && b.ok()) {
    (void)sijil::names::ExactScore(*a, *b);
    (void)sijil::names::PartialScore(*a, *b);
    (void)sijil::names::PhoneticScore(*a, *b);
    (void)sijil::names::NameSimilarity(*a, *b, sijil::names::NameFrequencyTable::Default(),
                                       sijil::names::NameRole::kAny);
  }
  return 0;
}
