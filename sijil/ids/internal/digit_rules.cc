#include "sijil/ids/internal/digit_rules.h"

#include <algorithm>

namespace sijil::ids::internal {
namespace {

// Whether digits a then b step by `step` (+1 or -1), optionally modulo 10.
bool Steps(char a, char b, int step, bool wrap) {
  int diff = (b - '0') - (a - '0');
  if (wrap) return ((diff - step) % 10 + 10) % 10 == 0;
  return diff == step;
}

bool HasRun(std::string_view id, int limit, int step, bool wrap) {
  if (limit <= 0) return false;
  if (limit == 1) return !id.empty();
  // Without wrapping no run can be longer than "0123456789"; with wrapping MOSIP's search
  // string has two periods, so runs up to 20 digits exist in it.
  const int longest = wrap ? 20 : 10;
  if (limit > longest) return false;
  int run = 1;
  for (size_t i = 1; i < id.size(); ++i) {
    run = Steps(id[i - 1], id[i], step, wrap) ? run + 1 : 1;
    if (run >= limit) {
      if (!wrap || limit <= 11) return true;
      // A wrapped run longer than 11 is in the search string only if it starts early enough.
      int start = id[i + 1 - limit] - '0';
      int first = step > 0 ? start : 9 - start;
      if (first + limit <= 20) return true;
    }
  }
  return false;
}

std::vector<std::string> ComputeCyclicNumbers() {
  // Full-reptend primes below 100: 1/p has a repetend of p-1 digits that is a cyclic number.
  const int kPrimes[] = {7, 17, 19, 23, 29, 47, 59, 61, 97};
  std::vector<std::string> out;
  for (int p : kPrimes) {
    std::string digits;
    int remainder = 1;
    for (int k = 0; k < p - 1; ++k) {
      remainder *= 10;
      digits.push_back(static_cast<char>('0' + remainder / p));
      remainder %= p;
    }
    out.push_back(std::move(digits));
  }
  return out;
}

}  // namespace

bool HasSequence(std::string_view id, int limit, bool wrap) {
  return HasRun(id, limit, +1, wrap) || HasRun(id, limit, -1, wrap);
}

bool HasNearRepeat(std::string_view id, int limit) {
  if (limit <= 0) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    for (size_t d = 1; d <= static_cast<size_t>(limit) && i + d < id.size(); ++d) {
      if (id[i] == id[i + d]) return true;
    }
  }
  return false;
}

bool HasRepeatRun(std::string_view id, int limit) {
  if (limit <= 0) return false;
  size_t run = 1;
  for (size_t i = 1; i < id.size(); ++i) {
    run = id[i] == id[i - 1] ? run + 1 : 1;
    if (run > static_cast<size_t>(limit)) return true;
  }
  return false;
}

bool HasRepeatedBlock(std::string_view id, int limit) {
  if (limit <= 0) return false;
  const size_t len = static_cast<size_t>(limit);
  if (id.size() < 2 * len) return false;
  // Any longer repeated block starts with a repeated block of exactly `limit` digits, so
  // comparing blocks of that length finds everything the regular expression finds.
  for (size_t i = 0; i + 2 * len <= id.size(); ++i) {
    std::string_view block = id.substr(i, len);
    for (size_t j = i + len; j + len <= id.size(); ++j) {
      if (id.substr(j, len) == block) return true;
    }
  }
  return false;
}

bool HasEvenRun(std::string_view id, int limit) {
  if (limit <= 0) return false;
  int run = 0;
  for (char c : id) {
    run = (c == '2' || c == '4' || c == '6' || c == '8') ? run + 1 : 0;
    if (run >= limit) return true;
  }
  return false;
}

bool ContainsRestricted(std::string_view id, const std::vector<std::string>& restricted) {
  return std::any_of(restricted.begin(), restricted.end(), [id](const std::string& r) {
    return !r.empty() && id.find(r) != std::string_view::npos;
  });
}

bool HasMirroredFrame(std::string_view id, int frame) {
  if (frame <= 0 || static_cast<size_t>(frame) > id.size()) return false;
  const size_t n = id.size();
  for (size_t k = 0; k < static_cast<size_t>(frame); ++k) {
    if (id[k] != id[n - 1 - k]) return false;
  }
  return true;
}

bool HasEqualFrame(std::string_view id, int frame) {
  if (frame <= 0 || static_cast<size_t>(frame) > id.size()) return false;
  return id.substr(0, frame) == id.substr(id.size() - frame);
}

const std::vector<std::string>& CyclicNumbers() {
  static const std::vector<std::string> kCyclic = ComputeCyclicNumbers();
  return kCyclic;
}

bool ContainsCyclicNumber(std::string_view id) {
  for (const std::string& c : CyclicNumbers()) {
    if (c.size() > id.size()) break;
    if (id.find(c) != std::string_view::npos) return true;
  }
  return false;
}

bool StartsWithAny(std::string_view id, std::string_view forbidden) {
  return !id.empty() && forbidden.find(id.front()) != std::string_view::npos;
}

}  // namespace sijil::ids::internal
