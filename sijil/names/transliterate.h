// Transliteration into one Latin key space: Arabic → Latin with Moroccan French conventions,
// Tifinagh → Latin, and Latin → a canonical skeleton that absorbs Maghreb spelling variants.
//
// Arabic → Latin. ICU's generic Arabic-Latin is letter by letter (محمد → "mhmd") and English- or
// ISO-oriented, while Moroccan civil status writes French: ش ch, و ou, خ kh, غ gh, ج j/dj, ق k,
// ع a, ة a, with e/a vowels. ArabicToLatin() first looks the word up in the dictionary built from
// the embedded name lists (data/*.tsv: the spelling civil status uses most), then falls back to
// context rules: word-initial و → "ou", ي → "y" before or after a vowel letter and "i" elsewhere,
// final ة/ه → "a", "e" inserted between two consonants inside a word, "الله" → "allah".
//
// Tifinagh → Latin follows the IRCAM Latin correspondence (ⵛ c → ch, ⵅ x → kh, ⵖ γ → gh,
// ⵄ ε → a, emphatics to their plain letters), written in French style like civil status does.
//
// LatinSkeleton() rewrites lower-case ASCII so that equivalent spellings meet:
//   sch/sh/ch → c (ش)   kh/x → x (خ)   gh/rh → g   dj → j   ph → f   th → t   dh → d
//   q/ck/qu → k   c before e/i/y → s, other c → k   g before e/i/y → j (gu → g)
//   ou/oo/w → w before a vowel, else u   o → u   y → i unless before a vowel
//   doubled letters collapse; a final h after a vowel goes (Abdellah → abdela).
//
// Thread-safe: pure functions over immutable tables.
#ifndef SIJIL_NAMES_TRANSLITERATE_H_
#define SIJIL_NAMES_TRANSLITERATE_H_

#include <string>
#include <string_view>

namespace sijil::names {

// Romanises one normalised Arabic word (UTF-8, diacritics already removed). Returns lower-case
// ASCII; letters outside the Arabic block are dropped. With `use_dictionary` false only the
// rules run (used to test them).
std::string ArabicToLatin(std::string_view arabic_word, bool use_dictionary = true);

// Romanises one Tifinagh word (UTF-8). Returns lower-case ASCII.
std::string TifinaghToLatin(std::string_view tifinagh_word);

// The canonical skeleton of a lower-case ASCII word (see the table above). Characters outside
// a-z are dropped.
std::string LatinSkeleton(std::string_view ascii_word);

}  // namespace sijil::names

#endif  // SIJIL_NAMES_TRANSLITERATE_H_
