// Maghreb phonetic keys: one short consonant key per name word, robust to Moroccan spelling.
//
// Design (our own; Beider–Morse's generic Arabic rules are too coarse and its French/English
// rules do not know ou/ch/kh conventions). The key is computed from LatinSkeleton(), so Arabic,
// Tifinagh and Latin spellings share it:
//  1. consonant classes: b p → b; f v → f; k g q → k (ق is "g" in Moroccan speech, and gh/ghain
//     spelt with g or r collapses here too); s; z; c (ش); j; x (خ); h; t; d; l; m; n; r;
//  2. a word-initial i/e before two consonants goes, as Darija drops it (Ibrahim/Brahim,
//     Ismail/Smail, Idriss/Driss); any other word-initial vowel becomes "a" (ع, hamza and the
//     vowels of Abd-, Ou-, Ai- agree);
//     every other vowel goes (Fatima/Fatema/Fatma → ftm, Mehdi/Mahdi → mhd);
//  3. w and y stay only at the start of a word (Ouazzani/Wazzani → wzn, Youssef → ysf); inside a
//     word they count as vowels, because French spelling writes و/ي as ou/i or w/y at will
//     (Mouad/Muad → md, Marouane/Marwan → mrn, Nawal/Noual → nl);
//  4. a final h goes (Abdellah/Abdella → abdl) and repeated classes collapse
//     (Mohammed/Mohamed/M'hamed/Muhammad → mhmd).
// Keys longer than kMaxKeyLength symbols are cut (they are distinct by then).
//
// Thread-safe: pure functions.
#ifndef SIJIL_NAMES_PHONETIC_H_
#define SIJIL_NAMES_PHONETIC_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace sijil::names {

inline constexpr size_t kMaxKeyLength = 12;

// The phonetic key of a skeleton (LatinSkeleton output).
std::string PhoneticKeyOfSkeleton(std::string_view skeleton);

// Shorthand: PhoneticKeyOfSkeleton(LatinSkeleton(ascii_word)).
std::string PhoneticKey(std::string_view ascii_word);

// Packs a key (≤ kMaxKeyLength symbols of a-z) into 64 bits for fast comparison and hashing.
// Distinct keys give distinct values; the empty key gives 0.
uint64_t PackKey(std::string_view key);

// Inverse of PackKey, for display.
std::string UnpackKey(uint64_t packed);

}  // namespace sijil::names

#endif  // SIJIL_NAMES_PHONETIC_H_
