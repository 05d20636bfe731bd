#include "sijil/names/transliterate.h"

#include <unicode/utf8.h>

#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "sijil/names/internal/name_lists.h"
#include "sijil/names/normalize.h"

namespace sijil::names {
namespace {

std::u32string Decode(std::string_view utf8) {
  std::u32string out;
  for (int32_t i = 0, n = static_cast<int32_t>(utf8.size()); i < n;) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(utf8.data()), i, n, c);
    if (c >= 0) out.push_back(static_cast<char32_t>(c));
  }
  return out;
}

// One romanised piece of an Arabic word.
struct Piece {
  const char* latin;
  bool vowel;
};

// Context-free value of a letter; nullptr for letters handled by context (ا و ي ة ى ه ع).
const char* ConsonantLatin(char32_t c) {
  switch (c) {
    case U'ب':
      return "b";
    case U'ت':
      return "t";
    case U'ث':
      return "t";
    case U'ج':
      return "j";
    case U'ح':
      return "h";
    case U'خ':
      return "kh";
    case U'د':
      return "d";
    case U'ذ':
      return "d";
    case U'ر':
      return "r";
    case U'ز':
      return "z";
    case U'س':
      return "s";
    case U'ش':
      return "ch";
    case U'ص':
      return "s";
    case U'ض':
      return "d";
    case U'ط':
      return "t";
    case U'ظ':
      return "d";
    case U'غ':
      return "gh";
    case U'ف':
      return "f";
    case U'ق':
      return "k";
    case U'ك':
      return "k";
    case U'ل':
      return "l";
    case U'م':
      return "m";
    case U'ن':
      return "n";
    case 0x067E:  // peh
      return "p";
    case 0x0686:  // tcheh
      return "tch";
    case 0x06A4:  // veh (Maghrebi v / g)
      return "v";
    case 0x06AF:  // gaf
    case 0x06AD:  // ng (Moroccan g)
    case 0x06A8:
      return "g";
    default:
      return nullptr;
  }
}

bool IsVowelLetter(char32_t c) { return c == U'ا' || c == U'و' || c == U'ي' || c == U'ى'; }

std::string RuleTransliterate(std::u32string w) {
  // Accept words that skipped NormalizeName: hamza carriers to their base letters.
  for (char32_t& c : w) {
    if (c == U'أ' || c == U'إ' || c == U'آ' || c == 0x0671) c = U'ا';
    if (c == U'ؤ') c = U'و';
    if (c == U'ئ') c = U'ي';
  }
  if (w == U"الله") return "allah";
  if (w == U"عبد") return "abd";
  if (w == U"ال") return "el";  // civil status writes the article El
  std::vector<Piece> pieces;
  const size_t n = w.size();
  for (size_t i = 0; i < n; ++i) {
    char32_t c = w[i];
    bool first = i == 0;
    bool last = i + 1 == n;
    char32_t prev = first ? 0 : w[i - 1];
    char32_t next = last ? 0 : w[i + 1];
    if (const char* latin = ConsonantLatin(c)) {
      pieces.push_back({latin, false});
      continue;
    }
    switch (c) {
      case U'ا':
        pieces.push_back({"a", true});
        break;
      case U'ع':
        pieces.push_back({"a", true});
        break;
      case U'ة':
      case U'ى':
        pieces.push_back({"a", true});
        break;
      case U'ه':
        if (last && !first && !IsVowelLetter(prev)) {
          pieces.push_back({"a", true});
        } else {
          pieces.push_back({"h", false});
        }
        break;
      case U'و': {
        // Initial و is the consonant w (written "ou" in French: Ouazzani); after a consonant it
        // is the long vowel u, after a vowel the consonant w again.
        bool after_vowel = !pieces.empty() && pieces.back().vowel;
        pieces.push_back({"ou", !(first || after_vowel)});
        break;
      }
      case U'ي': {
        // ي is y at the start and between vowels (Ayoub), else the vowel i (Zineb, Alaoui,
        // Cheraibi).
        bool after_vowel = !pieces.empty() && pieces.back().vowel;
        bool before_vowel = !last && (next == U'ا' || next == U'و' || next == U'ة' || next == U'ى');
        if (first || (after_vowel && before_vowel)) {
          pieces.push_back({"y", false});
        } else {
          pieces.push_back({"i", true});
        }
        break;
      }
      default:
        break;  // digits or stray letters from other scripts
    }
  }
  // French civil status writes a vowel between consonants Arabic leaves unwritten.
  std::string out;
  for (size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0 && !pieces[i].vowel && !pieces[i - 1].vowel) out.push_back('e');
    out += pieces[i].latin;
  }
  return out;
}

// The dictionary: one-word Arabic names of the embedded lists → their usual French spelling.
// Built with the rules only (the flag stops ArabicToLatin from consulting the dictionary it is
// building).
thread_local bool building_dictionary = false;

const std::unordered_map<std::u32string, std::string>& Dictionary() {
  static const auto* dict = [] {
    auto* d = new std::unordered_map<std::u32string, std::string>();
    building_dictionary = true;
    const internal::NameLists& lists = internal::DefaultNameLists();
    for (const auto* list : {&lists.male, &lists.female, &lists.family}) {
      for (const internal::NameEntry& e : *list) {
        Result<NormalizedName> ar = NormalizeName(e.arabic);
        Result<NormalizedName> la = NormalizeName(e.latin.front());
        if (!ar.ok() || !la.ok()) continue;
        const NameToken* ar_core = nullptr;
        const NameToken* la_core = nullptr;
        int ar_cores = 0, la_cores = 0;
        for (const NameToken& t : ar->tokens) {
          if (t.particle == Particle::kNone) ar_core = &t, ++ar_cores;
        }
        for (const NameToken& t : la->tokens) {
          if (t.particle == Particle::kNone) la_core = &t, ++la_cores;
        }
        // Only single-word names, with at most an article (العلوي = Alaoui = El Alaoui); a
        // Ben/Abd/Moulay name is left to the rules, token by token.
        bool articles_only = true;
        for (const auto* n : {&*ar, &*la}) {
          for (const NameToken& t : n->tokens) {
            articles_only = articles_only &&
                            (t.particle == Particle::kNone || t.particle == Particle::kArticle);
          }
        }
        if (ar_cores != 1 || la_cores != 1 || !articles_only) continue;
        d->emplace(Decode(ar_core->text), la_core->latin);
      }
    }
    building_dictionary = false;
    return d;
  }();
  return *dict;
}

}  // namespace

std::string ArabicToLatin(std::string_view arabic_word, bool use_dictionary) {
  std::u32string w = Decode(arabic_word);
  if (use_dictionary && !building_dictionary) {
    const auto& dict = Dictionary();
    auto it = dict.find(w);
    if (it != dict.end()) return it->second;
  }
  return RuleTransliterate(w);
}

std::string TifinaghToLatin(std::string_view tifinagh_word) {
  std::string out;
  for (char32_t c : Decode(tifinagh_word)) {
    switch (c) {
      case 0x2D30:  // ⴰ ya
        out += "a";
        break;
      case 0x2D31:  // ⴱ yab
        out += "b";
        break;
      case 0x2D33:  // ⴳ yag
      case 0x2D34:
        out += "g";
        break;
      case 0x2D37:  // ⴷ yad
      case 0x2D39:  // ⴹ yadd
        out += "d";
        break;
      case 0x2D3B:  // ⴻ yey
        out += "e";
        break;
      case 0x2D3C:  // ⴼ yaf
        out += "f";
        break;
      case 0x2D3D:  // ⴽ yak
        out += "k";
        break;
      case 0x2D40:  // ⵀ yah
      case 0x2D43:  // ⵃ yahh
        out += "h";
        break;
      case 0x2D44:  // ⵄ yaa (ع)
        out += "a";
        break;
      case 0x2D45:  // ⵅ yakh
        out += "kh";
        break;
      case 0x2D47:  // ⵇ yaq
        out += "k";
        break;
      case 0x2D49:  // ⵉ yi
        out += "i";
        break;
      case 0x2D4A:  // ⵊ yazh
        out += "j";
        break;
      case 0x2D4D:  // ⵍ yal
        out += "l";
        break;
      case 0x2D4E:  // ⵎ yam
        out += "m";
        break;
      case 0x2D4F:  // ⵏ yan
        out += "n";
        break;
      case 0x2D53:  // ⵓ yu
        out += "ou";
        break;
      case 0x2D54:  // ⵔ yar
      case 0x2D55:  // ⵕ yarr
        out += "r";
        break;
      case 0x2D56:  // ⵖ yagh
        out += "gh";
        break;
      case 0x2D59:  // ⵙ yas
      case 0x2D5A:  // ⵚ yass
        out += "s";
        break;
      case 0x2D5B:  // ⵛ yash
        out += "ch";
        break;
      case 0x2D5C:  // ⵜ yat
      case 0x2D5F:  // ⵟ yatt
        out += "t";
        break;
      case 0x2D61:  // ⵡ yaw
        out += "ou";
        break;
      case 0x2D62:  // ⵢ yay
        out += "y";
        break;
      case 0x2D63:  // ⵣ yaz
      case 0x2D65:  // ⵥ yazz
        out += "z";
        break;
      default:
        break;  // ⵯ labialisation mark and unassigned letters
    }
  }
  return out;
}

std::string LatinSkeleton(std::string_view s) {
  auto at = [&](size_t i) -> char { return i < s.size() ? s[i] : '\0'; };
  auto vowel = [](char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
  };
  auto front = [](char c) { return c == 'e' || c == 'i' || c == 'y'; };
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    char n1 = at(i + 1);
    char n2 = at(i + 2);
    if (c < 'a' || c > 'z') {
      ++i;
      continue;
    }
    if (c == 's' && n1 == 'c' && n2 == 'h') {
      out.push_back('c');
      i += 3;
    } else if ((c == 'c' || c == 's') && n1 == 'h') {
      out.push_back('c');
      i += 2;
    } else if (c == 'k' && n1 == 'h') {
      out.push_back('x');
      i += 2;
    } else if (c == 'g' && n1 == 'h') {
      out.push_back('g');
      i += 2;
    } else if (c == 'r' && n1 == 'h' &&
               (i == 0 || !(vowel(s[i - 1]) || s[i - 1] == 'r' || s[i - 1] == 'h'))) {
      // Rhali, Abdelrhani, Amrhar: French "rh" for غ.
      out.push_back('g');
      i += 2;
    } else if (c == 'd' && n1 == 'j') {
      out.push_back('j');
      i += 2;
    } else if (c == 'p' && n1 == 'h') {
      out.push_back('f');
      i += 2;
    } else if ((c == 't' || c == 'd') && n1 == 'h') {
      out.push_back(c);
      i += 2;
    } else if (c == 'c' && n1 == 'k') {
      out.push_back('k');
      i += 2;
    } else if (c == 'q' && n1 == 'u' && vowel(n2)) {
      out.push_back('k');
      i += 2;
    } else if (c == 'q') {
      out.push_back('k');
      ++i;
    } else if (c == 'g' && n1 == 'u' && front(n2)) {
      out.push_back('g');
      i += 2;
    } else if (c == 'g' && front(n1)) {
      out.push_back('j');
      ++i;
    } else if (c == 'c') {
      out.push_back(front(n1) ? 's' : 'k');
      ++i;
    } else if ((c == 'o' && (n1 == 'u' || n1 == 'o')) || (c == 'w')) {
      size_t len = c == 'w' ? 1 : 2;
      out.push_back(vowel(at(i + len)) ? 'w' : 'u');
      i += len;
    } else if (c == 'o') {
      out.push_back('u');
      ++i;
    } else if (c == 'y') {
      out.push_back(vowel(n1) ? 'y' : 'i');
      ++i;
    } else {
      out.push_back(c);
      ++i;
    }
  }
  // Collapse doubles; drop a final h after a vowel.
  std::string collapsed;
  collapsed.reserve(out.size());
  for (char c : out) {
    if (!collapsed.empty() && collapsed.back() == c) continue;
    collapsed.push_back(c);
  }
  if (collapsed.size() > 2 && collapsed.back() == 'h') {
    char p = collapsed[collapsed.size() - 2];
    if (p == 'a' || p == 'e' || p == 'i' || p == 'u') collapsed.pop_back();
  }
  // Abd- compounds: Abdel-, Abdal-, Abdul- and the assimilated Abder-/Abdes-/Abden- forms are
  // one prefix (Abderrahim = Abdelrahim = عبد الرحيم).
  if (collapsed.size() >= 6 && collapsed.compare(0, 3, "abd") == 0) {
    size_t v = 3;
    while (v < collapsed.size() && std::strchr("aeiu", collapsed[v]) != nullptr) ++v;
    if (v > 3 && v < collapsed.size()) {
      std::string rest = collapsed.substr(collapsed[v] == 'l' ? v + 1 : v);
      if (rest.size() >= 2) collapsed = "abdel" + rest;
    }
  }
  return collapsed;
}

}  // namespace sijil::names
