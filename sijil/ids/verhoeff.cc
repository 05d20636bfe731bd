#include "sijil/ids/verhoeff.h"

#include <cstdint>

namespace sijil::ids {
namespace {

// Multiplication table of the dihedral group D5.
constexpr uint8_t kD[10][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
                                {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
                                {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
                                {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
                                {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};

// Position-dependent permutations (the permutation of position i is kP[i % 8]).
constexpr uint8_t kP[8][10] = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
                               {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
                               {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
                               {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};

// Inverses in D5.
constexpr uint8_t kInv[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};

// Runs the Verhoeff accumulator over `digits` from the right, the rightmost digit taking
// position `first_position`. Returns -1 on a non-digit.
int Accumulate(std::string_view digits, int first_position) {
  int c = 0;
  int position = first_position;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++position) {
    const char ch = *it;
    if (ch < '0' || ch > '9') return -1;
    c = kD[c][kP[position % 8][ch - '0']];
  }
  return c;
}

}  // namespace

std::optional<char> VerhoeffCheckDigit(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  // The check digit will occupy position 0, so the payload starts at position 1.
  const int c = Accumulate(digits, 1);
  if (c < 0) return std::nullopt;
  return static_cast<char>('0' + kInv[c]);
}

bool VerhoeffValid(std::string_view digits) {
  if (digits.empty()) return false;
  return Accumulate(digits, 0) == 0;
}

}  // namespace sijil::ids
