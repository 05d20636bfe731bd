// Name comparison: MOSIP's three strategies (exact, partial, phonetic) and a calibrated,
// frequency-weighted similarity.
//
// A name is compiled once (CompileName) into tokens and "units": a unit is one name word with the
// particles that introduce it (ben + abdallah, abd + el + kader, el + fassi, moulay + ahmed), so
// "Benabdellah", "Ben Abdallah" and "بن عبد الله" are each one unit. A unit carries the skeleton of
// the whole unit and up to kMaxUnitKeys phonetic keys: the key of the whole unit and the key of its
// core without particles (also when the particle is written attached: Essaidi → saidi,
// Benjelloun → jelloun), so a dropped or added particle still meets.
//
// Strategies (scores 0–100, as MOSIP IDA's demo SDK):
//  - ExactScore: 100 when both names have the same number of normalised words and every stored
//    word is among the request's words (order-free), else 0;
//  - PartialScore: matched words × 100 / (stored words + unmatched request words), where an
//    unmatched one-letter request word (an initial) matching the start of a remaining stored word
//    leaves the denominator; integer division, as MOSIP;
//  - PhoneticScore: 20 + 80 × (units whose keys agree, paired one to one, order-free) / (units of
//    the longer name); 100 when every unit agrees or the names written as one word agree, 20 when
//    none does (MOSIP's phonetic range is also 20–100). Unlike MOSIP's Beider–Morse + Soundex
//    difference it works across scripts.
//  - Similarity: 0–1; each unit is paired with its best counterpart (phonetic agreement or
//    Jaro–Winkler on skeletons) and weighted by its information −log2(frequency), so a shared rare
//    family name counts for more than a shared "Mohamed".
//
// Thread-safe: compiled names are immutable values; functions are pure.
#ifndef SIJIL_NAMES_NAME_MATCH_H_
#define SIJIL_NAMES_NAME_MATCH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/names/frequency.h"
#include "sijil/names/normalize.h"

namespace sijil::names {

inline constexpr int kMaxUnitKeys = 2;

struct NameUnit {
  std::string skeleton;       // skeleton of particles + core, written together
  std::string core_skeleton;  // skeleton of the core alone when it has its own key, else empty
  uint64_t keys[kMaxUnitKeys] = {0, 0};
  // −log2 frequency of each key for the role the name was annotated with (AnnotateInformation).
  float info[kMaxUnitKeys] = {0, 0};
  int num_keys = 0;
  bool has_particle = false;

  bool KeysIntersect(const NameUnit& other) const;
  // Best Jaro–Winkler between the two units' skeletons (whole or core).
  double SkeletonSimilarity(const NameUnit& other) const;
  std::string KeysDisplay() const;  // "bnbdl/abdl"
};

struct CompiledName {
  std::vector<std::string> exact_tokens;  // ExactForm of each token, for exact/partial
  std::vector<std::string> latin_tokens;  // romanised tokens
  std::vector<NameUnit> units;
  // The whole name written as one word (Nour Eddine = Noureddine = نور الدين).
  NameUnit whole;
  std::string normalized;  // NormalizedName::Text()
  std::string latin;       // NormalizedName::Latin()

  bool empty() const { return units.empty() && exact_tokens.empty(); }
};

// Fills NameUnit::info for `role` (records do it once at compile time, so scoring does no lookup).
void AnnotateInformation(CompiledName& name, const NameFrequencyTable& frequencies, NameRole role);

// Compiles a normalised name.
CompiledName CompileName(const NormalizedName& name);
// Normalises and compiles. Fails as NormalizeName().
Result<CompiledName> CompileName(std::string_view utf8);

int ExactScore(const CompiledName& request, const CompiledName& stored);
int PartialScore(const CompiledName& request, const CompiledName& stored);
int PhoneticScore(const CompiledName& request, const CompiledName& stored);

// Frequency-weighted similarity in [0, 1]; `role` picks the frequency column.
double NameSimilarity(const CompiledName& a, const CompiledName& b,
                      const NameFrequencyTable& frequencies, NameRole role);

// Jaro–Winkler similarity of two ASCII strings (prefix scale 0.1, prefix up to 4).
double JaroWinkler(std::string_view a, std::string_view b);

}  // namespace sijil::names

#endif  // SIJIL_NAMES_NAME_MATCH_H_
