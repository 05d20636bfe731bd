// PersonRecord: the demographic part of an identity, as the enrolment pipeline and the
// authentication service hand it to the demographic matcher.
//
// Names come in both scripts when the source has them (Moroccan civil status writes Arabic and
// French); any field may be empty. Value type; thread-compatible.
#ifndef SIJIL_NAMES_RECORD_H_
#define SIJIL_NAMES_RECORD_H_

#include <string>
#include <string_view>

#include "sijil/base/result.h"

namespace sijil::names {

enum class Sex { kUnknown = 0, kMale, kFemale };

// "M"/"F" (also "male"/"female", MOSIP's "MLE"/"FLE", case-insensitive); anything else kUnknown.
Sex ParseSex(std::string_view text);
std::string_view SexCode(Sex sex);  // "M", "F" or ""

// A birth date as registers hold it: full, year and month, or year only ("né en 1956").
struct BirthDate {
  int year = 0;   // 0: unknown
  int month = 0;  // 0: unknown
  int day = 0;    // 0: unknown

  bool known() const { return year != 0; }
  bool full() const { return year != 0 && month != 0 && day != 0; }
  // "YYYY/MM/DD" (MOSIP's format), "YYYY/MM" or "YYYY"; "" when unknown.
  std::string ToString() const;
  friend bool operator==(const BirthDate&, const BirthDate&) = default;
};

// Parses "YYYY/MM/DD", "YYYY-MM-DD", "YYYY/MM", "YYYY" (and "" as unknown). Fails with
// SIJ-NAM-020 for malformed or impossible dates (month 13, 31 April, 29 February 2023, years
// outside 1850–2200).
Result<BirthDate> ParseBirthDate(std::string_view text);

struct PersonRecord {
  std::string id;

  std::string given_name_ar;
  std::string family_name_ar;
  std::string given_name_lat;
  std::string family_name_lat;
  // Parents as the CNIE prints them: father's given name, mother's full name; either script.
  std::string father_name_ar;
  std::string father_name_lat;
  std::string mother_name_ar;
  std::string mother_name_lat;

  Sex sex = Sex::kUnknown;
  BirthDate birth_date;
  std::string birth_province;  // province code (data/geography.tsv), "" when unknown

  // Address of residence: codes plus free text in either script.
  std::string region;
  std::string province;
  std::string commune;  // province code + 2-digit commune index
  std::string address;

  std::string phone;            // digits, any format; compared on the last 9 digits
  std::string document_number;  // CNIE number (letters + digits)
};

}  // namespace sijil::names

#endif  // SIJIL_NAMES_RECORD_H_
