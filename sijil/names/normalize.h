// Name normalisation for Moroccan registers: Arabic, French-Latin, Amazigh (Tifinagh and Latin).
//
// NormalizeName() turns one free-text name ("Si M'hamed Ben Abdellah", "الحاج محمد بن عبد الله",
// "ⵎⵓⵃⵎⵎⴷ") into tokens:
//  - ICU NFKC with case folding, then canonical decomposition with every combining mark removed:
//    Latin accents fold (Aït → ait), Arabic diacritics (harakat, shadda, superscript alef) go, and
//    hamza carriers unify with their base letter (أ إ آ ٱ → ا, ؤ → و, ئ → ي);
//  - tatweel, stand-alone hamza and apostrophes are dropped (M'hamed → mhamed), other punctuation
//    and hyphens separate words; Persian/Maghrebi letter variants map to the Arabic letters;
//  - titles (Si, Sidi, Lalla, Mr, Mme, Dr, Hajj, الحاج, السيد ...) are removed;
//  - particles are recognised, not deleted: articles (El, Al, Ech, Es ... and the attached ال),
//    filiation (Ben, Bin, Ibn, Bent, Ould, Ait, Ou, بن ...), Abd/Abdel/Abdul (bound to the next
//    word), Bou/Abou, Moulay/Mly. Later stages group each particle with the word it introduces.
// Each token also carries its Latin romanisation (transliterate.h), so every script meets in one
// key space.
//
// Thread-safe: all functions are pure; ICU singletons are initialised once.
#ifndef SIJIL_NAMES_NORMALIZE_H_
#define SIJIL_NAMES_NORMALIZE_H_

#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/result.h"

namespace sijil::names {

enum class Script { kUnknown, kLatin, kArabic, kTifinagh, kOther };

std::string_view ScriptName(Script script);

enum class Particle {
  kNone,
  kArticle,    // el, al, ech, es, et, ed, ez, er, en, ال
  kFiliation,  // ben, bin, ibn, bent, bint, ould, ait, ou, بن, ابن, بنت, ولد, ايت
  kServant,    // abd, abdel, abdul, عبد: always bound to the following word
  kFather,     // bou, abou, abu, ابو, بو
  kHonorific,  // moulay (mly), مولاي: part of the given name
};

std::string_view ParticleName(Particle particle);

struct NameToken {
  // The normalised token in its own script (UTF-8; Arabic with ة and ى kept).
  std::string text;
  // Lower-case ASCII romanisation (Moroccan French conventions for Arabic).
  std::string latin;
  Script script = Script::kUnknown;
  Particle particle = Particle::kNone;
};

struct NormalizedName {
  std::vector<NameToken> tokens;
  // The script of most letters.
  Script script = Script::kUnknown;

  // Tokens' normalised text joined by single spaces (titles gone, particles kept).
  std::string Text() const;
  // Tokens' romanisation joined by single spaces.
  std::string Latin() const;
};

// Longest input accepted, in bytes. Longer names are rejected, not truncated.
inline constexpr size_t kMaxNameBytes = 512;

// Normalises `utf8`. Fails with SIJ-NAM-001 (not valid UTF-8) or SIJ-NAM-002 (too long). An
// empty or all-punctuation input gives an empty token list, not an error.
Result<NormalizedName> NormalizeName(std::string_view utf8);

// The form used for the MOSIP "exact" strategy on one token: the normalised text with the
// remaining Arabic spelling variants unified (ة → ه, ى → ي).
std::string ExactForm(const NameToken& token);

}  // namespace sijil::names

#endif  // SIJIL_NAMES_NORMALIZE_H_
