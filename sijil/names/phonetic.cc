#include "sijil/names/phonetic.h"

#include "sijil/names/transliterate.h"

namespace sijil::names {
namespace {

// The class symbol of a skeleton letter; 'V' for vowels, 'S' for the semivowels w and y.
char ClassOf(char c) {
  switch (c) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
      return 'V';
    case 'w':
    case 'y':
      return 'S';
    case 'p':
      return 'b';
    case 'v':
      return 'f';
    case 'g':
    case 'q':
      return 'k';
    default:
      return (c >= 'a' && c <= 'z') ? c : 0;
  }
}

}  // namespace

std::string PhoneticKeyOfSkeleton(std::string_view skeleton) {
  std::string key;
  key.reserve(8);
  char prev = 0;
  bool first = true;
  // Darija drops an initial i/e before two consonants: Ibrahim/Brahim, Ismail/Smail,
  // Idriss/Driss, Elmostafa/Lmostafa.
  auto consonant = [](char c) {
    char k = ClassOf(c);
    return k != 0 && k != 'V' && k != 'S';
  };
  if (skeleton.size() >= 4 && (skeleton[0] == 'i' || skeleton[0] == 'e') &&
      consonant(skeleton[1]) && consonant(skeleton[2])) {
    skeleton.remove_prefix(1);
  }
  for (char c : skeleton) {
    char cls = ClassOf(c);
    if (cls == 0) continue;
    if (first) {
      first = false;
      if (cls == 'V') {
        key.push_back('a');
      } else if (cls == 'S') {
        key.push_back(c);
      } else {
        key.push_back(cls);
      }
      prev = cls;
      continue;
    }
    if (cls == 'V' || cls == 'S') {
      prev = cls;
      continue;
    }
    if (cls != prev) key.push_back(cls);
    prev = cls;
  }
  if (key.size() > 1 && key.back() == 'h') key.pop_back();
  if (key.size() > kMaxKeyLength) key.resize(kMaxKeyLength);
  return key;
}

std::string PhoneticKey(std::string_view ascii_word) {
  return PhoneticKeyOfSkeleton(LatinSkeleton(ascii_word));
}

uint64_t PackKey(std::string_view key) {
  uint64_t v = 0;
  size_t n = key.size() < kMaxKeyLength ? key.size() : kMaxKeyLength;
  for (size_t i = 0; i < n; ++i) {
    char c = key[i];
    uint64_t sym = (c >= 'a' && c <= 'z') ? static_cast<uint64_t>(c - 'a' + 1) : 27;
    v = (v << 5) | sym;
  }
  return v;
}

std::string UnpackKey(uint64_t packed) {
  std::string out;
  while (packed != 0) {
    uint64_t sym = packed & 31;
    out.insert(out.begin(), sym >= 1 && sym <= 26 ? static_cast<char>('a' + sym - 1) : '?');
    packed >>= 5;
  }
  return out;
}

}  // namespace sijil::names
