// Verhoeff check digits, as MOSIP's ChecksumUtils computes them for UINs, VIDs and PRIDs.
//
// The Verhoeff scheme (dihedral group D5) detects every single-digit error and every
// transposition of adjacent digits. Pure functions: thread-safe.
#ifndef SIJIL_IDS_VERHOEFF_H_
#define SIJIL_IDS_VERHOEFF_H_

#include <optional>
#include <string_view>

namespace sijil::ids {

// The check digit ('0'..'9') to append to `digits`; nullopt if `digits` is empty or holds a
// character that is not an ASCII digit.
std::optional<char> VerhoeffCheckDigit(std::string_view digits);

// Whether `digits` (payload followed by its check digit) is consistent. False for an empty
// string or any non-digit character.
bool VerhoeffValid(std::string_view digits);

}  // namespace sijil::ids

#endif  // SIJIL_IDS_VERHOEFF_H_
