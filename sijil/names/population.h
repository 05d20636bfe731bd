// A synthetic Moroccan population with planted duplicates and ground truth, for the demo, the
// demographic-matching evaluation and every scale test.
//
// People live in households (parents and children share the family name, the father's given name,
// the mother's name, the address and often the birth province; twins share a birth date), so the
// population holds the hard non-matches a register holds. Names come from the embedded lists
// (data/*.tsv), each in Arabic and in a French-Latin spelling drawn from the list's spellings; the
// 12 regions and 75 provinces carry population weights; phones and CNIE-style numbers are unique.
//
// A planted duplicate is the same person as registered by another database, with variations drawn
// independently of the matcher: alternative transliterations, dropped or added particles and
// spaces, swapped given/family order, keyboard typos, titles, one script missing, day/month swaps,
// one-year errors, year-only dates, moved address, new or missing phone and CNIE, missing parents.
//
// Thread-compatible: GeneratePopulation is a pure function of its options.
#ifndef SIJIL_NAMES_POPULATION_H_
#define SIJIL_NAMES_POPULATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/names/record.h"

namespace sijil::names {

struct PopulationOptions {
  size_t count = 1000;           // records in all, duplicates included (1 to 10,000,000)
  uint64_t seed = 1;             // same seed, same population
  double duplicate_rate = 0.05;  // share of records that are planted duplicates (0 to 0.5)
  int reference_year = 2026;     // "now" for ages
};

struct Population {
  std::vector<PersonRecord> records;
  // person[i]: the person record i belongs to; two records are the same person iff equal.
  std::vector<uint32_t> person;
  // For a duplicate, the id of the record it copies; "" for originals.
  std::vector<std::string> duplicate_of;
  // For a duplicate, the variations applied, comma-separated.
  std::vector<std::string> variations;

  size_t TruePairs() const;  // pairs of records of the same person
};

// Fails with SIJ-NAM-040 when the options are out of range.
Result<Population> GeneratePopulation(const PopulationOptions& options);

// One JSON object per line for each record (the fields of PersonRecord; dates as YYYY/MM/DD).
std::string RecordToJson(const PersonRecord& record);

}  // namespace sijil::names

#endif  // SIJIL_NAMES_POPULATION_H_
