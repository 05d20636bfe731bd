// The embedded Moroccan name lists and geography (data/*.tsv), parsed once.
//
// Thread-safe: DefaultNameLists() and DefaultGeography() build immutable objects on first use.
#ifndef SIJIL_NAMES_INTERNAL_NAME_LISTS_H_
#define SIJIL_NAMES_INTERNAL_NAME_LISTS_H_

#include <string>
#include <string_view>
#include <vector>

namespace sijil::names::internal {

struct NameEntry {
  char sex = 0;       // 'M' or 'F' for given names, 0 for family names
  double weight = 0;  // relative frequency in the population
  std::string arabic;
  std::vector<std::string> latin;  // civil-status spellings, most common first
};

struct NameLists {
  std::vector<NameEntry> male;
  std::vector<NameEntry> female;
  std::vector<NameEntry> family;
};

struct Province {
  std::string code;  // 3 digits: region code + index
  std::string region_code;
  std::string name_fr;
  std::string name_ar;
  double weight = 0;  // relative population
};

struct Region {
  std::string code;  // "01".."12"
  std::string name_fr;
  std::string name_ar;
};

struct Geography {
  std::vector<Region> regions;
  std::vector<Province> provinces;
  std::vector<std::string> streets_fr;  // street-name stems ("Hassan II", "Al Massira" ...)
  std::vector<std::string> streets_ar;
};

// Parses the tab-separated lists; malformed lines are skipped (the files are ours and tested).
NameLists ParseNameLists(std::string_view given_tsv, std::string_view family_tsv);
Geography ParseGeography(std::string_view geography_tsv, std::string_view streets_tsv);

const NameLists& DefaultNameLists();
const Geography& DefaultGeography();

}  // namespace sijil::names::internal

#endif  // SIJIL_NAMES_INTERNAL_NAME_LISTS_H_
