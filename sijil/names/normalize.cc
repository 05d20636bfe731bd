#include "sijil/names/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <string>

#include "sijil/names/transliterate.h"

namespace sijil::names {
namespace {

// Arabic letters used below (after NFD, hamza carriers are already split off).
constexpr char32_t kAlef = 0x0627;
constexpr char32_t kLam = 0x0644;

bool IsArabicLetter(char32_t c) {
  return (c >= 0x0620 && c <= 0x064A) || (c >= 0x066E && c <= 0x06D3) ||
         (c >= 0x0750 && c <= 0x077F) || (c >= 0x08A0 && c <= 0x08FF);
}
bool IsTifinagh(char32_t c) { return c >= 0x2D30 && c <= 0x2D7F; }
bool IsAsciiLetter(char32_t c) { return c >= 'a' && c <= 'z'; }

Script ScriptOf(char32_t c) {
  if (IsAsciiLetter(c) || (c >= 0x00C0 && c <= 0x024F)) return Script::kLatin;
  if (IsArabicLetter(c)) return Script::kArabic;
  if (IsTifinagh(c)) return Script::kTifinagh;
  if (c >= '0' && c <= '9') return Script::kUnknown;
  return Script::kOther;
}

std::string ToUtf8(const std::u32string& s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (char32_t c : s) {
    char buf[4];
    int32_t len = 0;
    UBool error = false;
    U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, 4, static_cast<UChar32>(c), error);
    if (!error) out.append(buf, len);
  }
  return out;
}

const icu::Normalizer2& NfkcCasefold() {
  static const icu::Normalizer2* n = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* p = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status)) std::abort();  // ICU data missing: the build is broken
    return p;
  }();
  return *n;
}

const icu::Normalizer2& Nfd() {
  static const icu::Normalizer2* n = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* p = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status)) std::abort();
    return p;
  }();
  return *n;
}

// ICU's generic transliterator for scripts Moroccan registers rarely hold (Cyrillic, Greek ...).
// Transliterator instances are not safe to share between threads, so each thread clones one.
std::string OtherScriptToLatin(const std::u32string& word) {
  static std::once_flag once;
  static std::unique_ptr<icu::Transliterator> prototype;
  std::call_once(once, [] {
    UErrorCode status = U_ZERO_ERROR;
    prototype.reset(icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Lower",
                                                        UTRANS_FORWARD, status));
    if (U_FAILURE(status)) prototype.reset();
  });
  if (!prototype) return {};
  thread_local std::unique_ptr<icu::Transliterator> local(prototype->clone());
  icu::UnicodeString u;
  for (char32_t c : word) u.append(static_cast<UChar32>(c));
  local->transliterate(u);
  std::string utf8;
  u.toUTF8String(utf8);
  std::string out;
  for (char c : utf8) {
    if (c >= 'a' && c <= 'z') out.push_back(c);
  }
  return out;
}

// Maps one code point of the decomposed, case-folded text; returns 0 to drop it and ' ' for a
// word break. Combining marks are handled by the caller.
char32_t MapCodePoint(char32_t c) {
  switch (c) {
    case 0x0640:  // tatweel
    case 0x0621:  // stand-alone hamza
    case 0x0027:  // apostrophes join: M'hamed → mhamed
    case 0x2019:
    case 0x2018:
    case 0x02BC:
    case 0x02BF:
    case 0x02BE:
    case 0x0060:
    case 0x00B4:
      return 0;
    case 0x0671:  // alef wasla
    case 0x0672:
    case 0x0673:
    case 0x0675:
      return kAlef;
    case 0x06CC:  // Persian yeh
    case 0x06D0:
    case 0x06D2:
      return 0x064A;
    case 0x06A9:  // keheh
      return 0x0643;
    case 0x06BE:  // heh doachashmee, heh goal
    case 0x06C1:
      return 0x0647;
    case 0x06C0:
      return 0x0629;
    default:
      break;
  }
  if (u_isalpha(static_cast<UChar32>(c)) || (c >= '0' && c <= '9')) return c;
  return U' ';
}

struct TitleOrParticle {
  std::u32string_view text;
  bool title;
  Particle particle;
};

// Latin words compare after folding, so "aït" is "ait" here.
constexpr std::array kLatinWords = {
    TitleOrParticle{U"si", true, Particle::kNone},
    TitleOrParticle{U"sidi", true, Particle::kNone},
    TitleOrParticle{U"lalla", true, Particle::kNone},
    TitleOrParticle{U"lala", true, Particle::kNone},
    TitleOrParticle{U"mr", true, Particle::kNone},
    TitleOrParticle{U"mme", true, Particle::kNone},
    TitleOrParticle{U"mlle", true, Particle::kNone},
    TitleOrParticle{U"mrs", true, Particle::kNone},
    TitleOrParticle{U"dr", true, Particle::kNone},
    TitleOrParticle{U"pr", true, Particle::kNone},
    TitleOrParticle{U"me", true, Particle::kNone},
    TitleOrParticle{U"hajj", true, Particle::kNone},
    TitleOrParticle{U"haj", true, Particle::kNone},
    TitleOrParticle{U"hadj", true, Particle::kNone},
    TitleOrParticle{U"hajja", true, Particle::kNone},
    TitleOrParticle{U"hadja", true, Particle::kNone},
    TitleOrParticle{U"cherif", true, Particle::kNone},
    TitleOrParticle{U"chérif", true, Particle::kNone},
    TitleOrParticle{U"el", false, Particle::kArticle},
    TitleOrParticle{U"al", false, Particle::kArticle},
    TitleOrParticle{U"ell", false, Particle::kArticle},
    TitleOrParticle{U"ech", false, Particle::kArticle},
    TitleOrParticle{U"es", false, Particle::kArticle},
    TitleOrParticle{U"et", false, Particle::kArticle},
    TitleOrParticle{U"ed", false, Particle::kArticle},
    TitleOrParticle{U"ez", false, Particle::kArticle},
    TitleOrParticle{U"er", false, Particle::kArticle},
    TitleOrParticle{U"en", false, Particle::kArticle},
    TitleOrParticle{U"ben", false, Particle::kFiliation},
    TitleOrParticle{U"bin", false, Particle::kFiliation},
    TitleOrParticle{U"ibn", false, Particle::kFiliation},
    TitleOrParticle{U"bent", false, Particle::kFiliation},
    TitleOrParticle{U"bint", false, Particle::kFiliation},
    TitleOrParticle{U"ould", false, Particle::kFiliation},
    TitleOrParticle{U"ait", false, Particle::kFiliation},
    TitleOrParticle{U"ayt", false, Particle::kFiliation},
    TitleOrParticle{U"ou", false, Particle::kFiliation},
    TitleOrParticle{U"abd", false, Particle::kServant},
    TitleOrParticle{U"abdel", false, Particle::kServant},
    TitleOrParticle{U"abdul", false, Particle::kServant},
    TitleOrParticle{U"abdal", false, Particle::kServant},
    TitleOrParticle{U"abdou", false, Particle::kNone},
    TitleOrParticle{U"bou", false, Particle::kFather},
    TitleOrParticle{U"abou", false, Particle::kFather},
    TitleOrParticle{U"abu", false, Particle::kFather},
    TitleOrParticle{U"moulay", false, Particle::kHonorific},
    TitleOrParticle{U"moulaye", false, Particle::kHonorific},
    TitleOrParticle{U"mulay", false, Particle::kHonorific},
    TitleOrParticle{U"mly", false, Particle::kHonorific},
    TitleOrParticle{U"my", false, Particle::kHonorific},
};

constexpr std::array kArabicWords = {
    TitleOrParticle{U"الحاج", true, Particle::kNone},
    TitleOrParticle{U"الحاجة", true, Particle::kNone},
    TitleOrParticle{U"الحاجه", true, Particle::kNone},
    TitleOrParticle{U"حاج", true, Particle::kNone},
    TitleOrParticle{U"السيد", true, Particle::kNone},
    TitleOrParticle{U"السيدة", true, Particle::kNone},
    TitleOrParticle{U"سيدي", true, Particle::kNone},
    TitleOrParticle{U"سي", true, Particle::kNone},
    TitleOrParticle{U"للا", true, Particle::kNone},
    TitleOrParticle{U"لالة", true, Particle::kNone},
    TitleOrParticle{U"لالا", true, Particle::kNone},
    TitleOrParticle{U"الدكتور", true, Particle::kNone},
    TitleOrParticle{U"الشريف", true, Particle::kNone},
    TitleOrParticle{U"بن", false, Particle::kFiliation},
    TitleOrParticle{U"ابن", false, Particle::kFiliation},
    TitleOrParticle{U"بنت", false, Particle::kFiliation},
    TitleOrParticle{U"ولد", false, Particle::kFiliation},
    TitleOrParticle{U"ايت", false, Particle::kFiliation},
    TitleOrParticle{U"ايث", false, Particle::kFiliation},
    TitleOrParticle{U"عبد", false, Particle::kServant},
    TitleOrParticle{U"ابو", false, Particle::kFather},
    TitleOrParticle{U"بو", false, Particle::kFather},
    TitleOrParticle{U"مولاي", false, Particle::kHonorific},
    TitleOrParticle{U"ال", false, Particle::kArticle},
};

const TitleOrParticle* Lookup(const std::u32string& word, Script script) {
  if (script == Script::kLatin) {
    for (const auto& e : kLatinWords) {
      if (e.text == word) return &e;
    }
  } else if (script == Script::kArabic) {
    for (const auto& e : kArabicWords) {
      if (e.text == word) return &e;
    }
  }
  return nullptr;
}

std::string Romanise(const std::u32string& word, Script script) {
  switch (script) {
    case Script::kLatin: {
      std::string out;
      for (char32_t c : word) {
        if (IsAsciiLetter(c)) {
          out.push_back(static_cast<char>(c));
        } else if (c == U'ß') {
          out += "ss";
        } else if (c == U'œ') {
          out += "oe";
        } else if (c == U'æ') {
          out += "ae";
        } else if (c == U'ø') {
          out += "o";
        } else if (c == U'đ') {
          out += "d";
        } else if (c == U'ł') {
          out += "l";
        } else if (c == U'ı') {
          out += "i";
        }
      }
      return out;
    }
    case Script::kArabic:
      return ArabicToLatin(ToUtf8(word));
    case Script::kTifinagh:
      return TifinaghToLatin(ToUtf8(word));
    case Script::kOther:
      return OtherScriptToLatin(word);
    case Script::kUnknown:
      break;
  }
  std::string digits;
  for (char32_t c : word) {
    if (c < 0x80) digits.push_back(static_cast<char>(c));
  }
  return digits;
}

void AddToken(std::u32string word, Script script, Particle particle, NormalizedName& out) {
  NameToken token;
  token.script = script;
  token.particle = particle;
  if (particle == Particle::kHonorific && script == Script::kLatin) word = U"moulay";
  token.latin = Romanise(word, script);
  token.text = ToUtf8(word);
  if (token.text.empty()) return;
  out.tokens.push_back(std::move(token));
}

// Classifies one word and appends it (or its parts) to `out`.
void AddWord(const std::u32string& word, NormalizedName& out) {
  std::array<int, 5> counts{};
  for (char32_t c : word) counts[static_cast<int>(ScriptOf(c))]++;
  Script script = Script::kUnknown;
  int best = 0;
  for (int s = 1; s < 5; ++s) {
    if (counts[s] > best) {
      best = counts[s];
      script = static_cast<Script>(s);
    }
  }
  if (const TitleOrParticle* e = Lookup(word, script)) {
    if (e->title) return;
    AddToken(word, script, e->particle, out);
    return;
  }
  if (script == Script::kArabic) {
    // The Arabic article and Abd- are written attached: العلوي, عبدالله, عبدالرحمن.
    std::u32string rest = word;
    if (rest.size() > 3 && rest.compare(0, 3, U"عبد") == 0 && rest != U"عبدو") {
      AddToken(U"عبد", script, Particle::kServant, out);
      rest = rest.substr(3);
    }
    if (rest == U"الله" || rest == U"لله") {
      AddToken(U"الله", script, Particle::kNone, out);
      return;
    }
    if (rest.size() > 3 && rest[0] == kAlef && rest[1] == kLam) {
      rest = rest.substr(2);
      AddToken(U"ال", script, Particle::kArticle, out);
      // Before a sun letter the article assimilates, and civil status writes it so:
      // الدين → Eddine, السعيدي → Essaidi, الشاوي → Echchaoui.
      static constexpr std::u32string_view kSunLetters = U"تثدذرزسشصضطظلن";
      if (kSunLetters.find(rest[0]) != std::u32string_view::npos) {
        std::string core = Romanise(rest, script);
        NameToken& article = out.tokens.back();
        article.latin = "e" + core.substr(0, core.rfind("ch", 0) == 0 ? 2 : 1);
      }
    }
    AddToken(rest, script, Particle::kNone, out);
    return;
  }
  if (script == Script::kLatin && (word == U"med" || word == U"mohd" || word == U"mhd")) {
    AddToken(U"mohamed", script, Particle::kNone, out);  // civil-status abbreviations
    return;
  }
  AddToken(word, script, Particle::kNone, out);
}

}  // namespace

std::string_view ScriptName(Script script) {
  switch (script) {
    case Script::kLatin:
      return "latin";
    case Script::kArabic:
      return "arabic";
    case Script::kTifinagh:
      return "tifinagh";
    case Script::kOther:
      return "other";
    case Script::kUnknown:
      break;
  }
  return "unknown";
}

std::string_view ParticleName(Particle particle) {
  switch (particle) {
    case Particle::kArticle:
      return "article";
    case Particle::kFiliation:
      return "filiation";
    case Particle::kServant:
      return "abd";
    case Particle::kFather:
      return "bou";
    case Particle::kHonorific:
      return "moulay";
    case Particle::kNone:
      break;
  }
  return "none";
}

std::string NormalizedName::Text() const {
  std::string out;
  for (const NameToken& t : tokens) {
    if (!out.empty()) out.push_back(' ');
    out += t.text;
  }
  return out;
}

std::string NormalizedName::Latin() const {
  std::string out;
  for (const NameToken& t : tokens) {
    if (t.latin.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += t.latin;
  }
  return out;
}

Result<NormalizedName> NormalizeName(std::string_view utf8) {
  if (utf8.size() > kMaxNameBytes) {
    return Status::InvalidArgument("SIJ-NAM-002", "name is longer than 512 bytes");
  }
  // Validate first: ICU would silently substitute U+FFFD.
  for (int32_t i = 0, n = static_cast<int32_t>(utf8.size()); i < n;) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(utf8.data()), i, n, c);
    if (c < 0) return Status::InvalidArgument("SIJ-NAM-001", "name is not valid UTF-8");
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = NfkcCasefold().normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), utf8.size())), status);
  if (U_FAILURE(status)) return Status::Internal("SIJ-NAM-003", "Unicode normalisation failed");
  icu::UnicodeString decomposed = Nfd().normalize(folded, status);
  if (U_FAILURE(status)) return Status::Internal("SIJ-NAM-003", "Unicode normalisation failed");

  NormalizedName out;
  std::u32string word;
  std::array<int, 5> letters{};
  auto flush = [&] {
    if (!word.empty()) {
      for (char32_t c : word) letters[static_cast<int>(ScriptOf(c))]++;
      AddWord(word, out);
      word.clear();
    }
  };
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    int8_t type = u_charType(c);
    if (c == 0x0327 && !word.empty() && word.back() == U'c') {
      word.back() = U's';  // ç is s (Fayçal = Faysal)
      continue;
    }
    if (type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK ||
        type == U_ENCLOSING_MARK || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
      continue;
    }
    char32_t m = MapCodePoint(static_cast<char32_t>(c));
    if (m == 0) continue;
    if (m == U' ') {
      flush();
      continue;
    }
    word.push_back(m);
  }
  flush();
  int best = 0;
  for (int s = 1; s < 5; ++s) {
    if (letters[s] > best) {
      best = letters[s];
      out.script = static_cast<Script>(s);
    }
  }
  return out;
}

std::string ExactForm(const NameToken& token) {
  if (token.script != Script::kArabic) return token.text;
  std::string out;
  out.reserve(token.text.size());
  for (size_t i = 0; i < token.text.size();) {
    // ة (D8 A9) → ه (D9 87); ى (D9 89) → ي (D9 8A).
    if (i + 1 < token.text.size() && static_cast<uint8_t>(token.text[i]) == 0xD8 &&
        static_cast<uint8_t>(token.text[i + 1]) == 0xA9) {
      out += "\xD9\x87";
      i += 2;
    } else if (i + 1 < token.text.size() && static_cast<uint8_t>(token.text[i]) == 0xD9 &&
               static_cast<uint8_t>(token.text[i + 1]) == 0x89) {
      out += "\xD9\x8A";
      i += 2;
    } else {
      out.push_back(token.text[i++]);
    }
  }
  return out;
}

}  // namespace sijil::names
