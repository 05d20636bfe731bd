// The individual digit rules behind MOSIP's identifier filters and validators.
//
// Each predicate answers "does `id` break this rule?" for an id that is already known to be
// ASCII digits only. They are pure functions (thread-safe) and run in O(n^2) at worst for the
// short ids they see (at most kMaxIdLength digits). The regular expressions in the comments
// are the ones MOSIP's Java code uses; the loops here match exactly what those patterns find.
#ifndef SIJIL_IDS_INTERNAL_DIGIT_RULES_H_
#define SIJIL_IDS_INTERNAL_DIGIT_RULES_H_

#include <string>
#include <string_view>
#include <vector>

namespace sijil::ids::internal {

// `limit` consecutive digits rising or falling by one ("123", "987"). With `wrap`, 9 is
// followed by 0 (MOSIP's UIN generator searches "01234567890123456789", so "890" and "901"
// count); without it (the validators search "0123456789") they do not. limit <= 0 disables.
bool HasSequence(std::string_view id, int limit, bool wrap);

// Two equal digits at most `limit` apart, i.e. with at most limit-1 digits between them:
// `(\d)\d{0,limit-1}\1` ("11" and "1x1" for limit 2). limit <= 0 disables.
bool HasNearRepeat(std::string_view id, int limit);

// A run of limit+1 equal digits: `([0-9])\1{limit}` ("111" for limit 2). This is the looser
// rule of MOSIP's UIN validator. limit <= 0 disables.
bool HasRepeatRun(std::string_view id, int limit);

// A block of `limit` or more digits that occurs again later without overlapping:
// `(\d{limit,}).*?\1` ("48..48" for limit 2). limit <= 0 disables.
bool HasRepeatedBlock(std::string_view id, int limit);

// `limit` consecutive digits from {2,4,6,8}: `[2468]{limit}` (0 does not count).
// limit <= 0 disables.
bool HasEvenRun(std::string_view id, int limit);

// `id` contains one of `restricted` as a substring (empty entries are ignored).
bool ContainsRestricted(std::string_view id, const std::vector<std::string>& restricted);

// The first `frame` digits equal the last `frame` digits read backwards. frame <= 0 or
// frame > id.size() disables.
bool HasMirroredFrame(std::string_view id, int frame);

// The first `frame` digits equal the last `frame` digits. frame <= 0 or frame > id.size()
// disables.
bool HasEqualFrame(std::string_view id, int frame);

// `id` contains the repetend of 1/p for a full-reptend prime p (142857 for 7,
// 0588235294117647 for 17, ...), considering only repetends no longer than `id`, as MOSIP's
// UIN generator does.
bool ContainsCyclicNumber(std::string_view id);

// The cyclic numbers checked by ContainsCyclicNumber, shortest first.
const std::vector<std::string>& CyclicNumbers();

// The first digit of `id` is one of the digits in `forbidden`.
bool StartsWithAny(std::string_view id, std::string_view forbidden);

}  // namespace sijil::ids::internal

#endif  // SIJIL_IDS_INTERNAL_DIGIT_RULES_H_
