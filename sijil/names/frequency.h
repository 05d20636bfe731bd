// NameFrequencyTable: how common each phonetic name key is in the population, by role.
//
// The u-probability of a name agreement in Fellegi–Sunter is the chance that two unrelated people
// share the name, i.e. about the key's frequency; a shared "Mohamed" (key mhmd, ~1 man in 10) says
// little, a shared "Guessous" says a lot. The default table is built from the weighted Moroccan
// name lists compiled into the library (data/given_names.tsv, data/family_names.tsv); a table from
// real register counts can replace it (FromTsv) or be accumulated (Add, then Finish).
//
// Thread-safety: const methods are thread-safe; Add/Finish need exclusive access.
#ifndef SIJIL_NAMES_FREQUENCY_H_
#define SIJIL_NAMES_FREQUENCY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sijil/base/result.h"

namespace sijil::names {

// kAny: a full name whose words' roles are unknown; the larger of the two frequencies is used.
enum class NameRole { kGiven = 0, kFamily = 1, kAny = 2 };

class NameFrequencyTable {
 public:
  NameFrequencyTable() = default;

  // The table built from the embedded lists (built once, on first use).
  static const NameFrequencyTable& Default();

  // Parses "role<TAB>key<TAB>count" lines (role "given" or "family", key a phonetic key as
  // printed by `sijil names match`, count ≥ 0). Fails with SIJ-NAM-010 naming the bad line.
  static Result<NameFrequencyTable> FromTsv(std::string_view tsv);
  // The inverse of FromTsv (counts as frequencies × 1e6).
  std::string ToTsv() const;

  // Adds `count` people holding packed key `key` in `role`. Call Finish() afterwards.
  void Add(NameRole role, uint64_t key, double count);
  void Finish();

  // Share of people whose name in `role` has this key. Unknown keys get the rare-name floor
  // (half the smallest observed share), never 0.
  double Frequency(NameRole role, uint64_t key) const;
  // −log2(Frequency), the information carried by agreeing on this key.
  double Information(NameRole role, uint64_t key) const;

  size_t size(NameRole role) const {
    return role == NameRole::kAny ? 0 : counts_[static_cast<int>(role)].size();
  }

 private:
  std::unordered_map<uint64_t, double> counts_[2];
  std::unordered_map<uint64_t, double> shares_[2];
  double total_[2] = {0, 0};
  double floor_[2] = {1e-5, 1e-5};
};

}  // namespace sijil::names

#endif  // SIJIL_NAMES_FREQUENCY_H_
