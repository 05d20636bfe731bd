#include "sijil/names/demographic_matcher.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <span>

#include "sijil/names/phonetic.h"
#include "sijil/names/transliterate.h"

namespace sijil::names {
namespace {

// ---- weights (bits). m and u are written out so the reasoning stays visible. ----
double Bits(double m, double u) { return std::log2(m / u); }

// Birth dates spread over about 70 years of living adults and children.
constexpr double kYears = 70;
constexpr double kDays = 365.25 * kYears;

enum class NameLevel { kMissing, kDisagree, kFuzzy, kPartial, kPhonetic, kExact };

struct NameComparison {
  NameLevel level = NameLevel::kMissing;
  double info = 0;  // bits carried by the agreeing keys (term frequency)
};

struct NameFieldModel {
  double m_agree;
  double m_partial;
  double m_fuzzy;
  double u_fuzzy;
  double m_disagree;
};

constexpr NameFieldModel kGivenModel{0.90, 0.05, 0.04, 0.003, 0.02};
constexpr NameFieldModel kFamilyModel{0.88, 0.05, 0.04, 0.003, 0.01};
constexpr NameFieldModel kFatherModel{0.85, 0.05, 0.03, 0.003, 0.08};
constexpr NameFieldModel kMotherModel{0.80, 0.10, 0.04, 0.003, 0.08};
constexpr double kMaxNameInfo = 20;
constexpr double kSwapPenalty = 3;
// Keys agree but the spellings are far apart (Amina/Imane both key "amn"): not the same name.
constexpr double kMinKeyedSimilarity = 0.695;
// Jaro–Winkler on skeletons from which two names count as a typo apart.
constexpr double kFuzzySimilarity = 0.88;

// Level weights in bits, computed once.
struct NameWeights {
  explicit NameWeights(const NameFieldModel& m)
      : agree(std::log2(m.m_agree)),
        partial(std::log2(m.m_partial)),
        fuzzy(Bits(m.m_fuzzy, m.u_fuzzy)),
        disagree(std::log2(m.m_disagree)) {}
  double Of(const NameComparison& c) const {
    switch (c.level) {
      case NameLevel::kMissing:
        return 0;
      case NameLevel::kExact:
        return agree + c.info + 0.5;
      case NameLevel::kPhonetic:
        return agree + c.info;
      case NameLevel::kPartial:
        return partial + c.info;
      case NameLevel::kFuzzy:
        return fuzzy;
      case NameLevel::kDisagree:
        return disagree;
    }
    return 0;
  }
  double agree, partial, fuzzy, disagree;
};

// The information of the key two units share (the rarer one if several), or -1 if none.
double SharedInfo(const NameUnit& a, const NameUnit& b) {
  double best = -1;
  for (int i = 0; i < a.num_keys; ++i) {
    for (int j = 0; j < b.num_keys; ++j) {
      if (a.keys[i] == b.keys[j]) best = std::max(best, static_cast<double>(a.info[i]));
    }
  }
  return best < 0 ? -1 : std::clamp(best, 0.5, 17.0);
}

// Jaro–Winkler of two skeletons without the Abd-/Ben-/article prefix they share (Abdelaziz and
// Abdeljalil are not alike for sharing Abdel-), or 0 when lengths alone rule out `floor`.
double FuzzySimilarity(std::string_view a, std::string_view b, double floor) {
  for (std::string_view p : {"abdel", "ben", "bu", "el", "al"}) {
    if (a.size() > p.size() + 2 && b.size() > p.size() + 2 && a.substr(0, p.size()) == p &&
        b.substr(0, p.size()) == p) {
      a.remove_prefix(p.size());
      b.remove_prefix(p.size());
      break;
    }
  }
  if (a.empty() || b.empty()) return 0;
  double shorter = static_cast<double>(std::min(a.size(), b.size()));
  double jaro_max = (shorter / a.size() + shorter / b.size() + 1) / 3;
  if (jaro_max + 0.4 * (1 - jaro_max) < floor) return 0;
  return JaroWinkler(a, b);
}

NameComparison CompareNames(const CompiledName& a, const CompiledName& b, bool fuzzy) {
  NameComparison c;
  if (a.units.empty() || b.units.empty()) return c;
  if (a.whole.skeleton == b.whole.skeleton) {
    c.level = NameLevel::kExact;
    for (const NameUnit& u : a.units) c.info += std::clamp<double>(u.info[0], 0.5, 17.0);
    c.info = std::min(c.info, kMaxNameInfo);
    return c;
  }
  // Pair units one to one by shared keys and close spellings (names have a handful of units).
  const auto& sa = a.units;
  const auto& sb = b.units;
  uint32_t used = 0;
  size_t matched = 0;
  double info = 0;
  for (const NameUnit& u : sa) {
    for (size_t j = 0; j < sb.size() && j < 32; ++j) {
      if ((used & (1u << j)) != 0) continue;
      double shared = SharedInfo(u, sb[j]);
      if (shared < 0 || u.SkeletonSimilarity(sb[j]) < kMinKeyedSimilarity) continue;
      used |= 1u << j;
      ++matched;
      info += shared;
      break;
    }
  }
  if (sa.size() == sb.size() && matched == sa.size()) {
    c.level = NameLevel::kPhonetic;
    c.info = std::min(info, kMaxNameInfo);
    return c;
  }
  // Written as one word or as several (Nour Eddine / Noureddine).
  double whole_info = SharedInfo(a.whole, b.whole);
  if (whole_info >= 0 && JaroWinkler(a.whole.skeleton, b.whole.skeleton) >= kMinKeyedSimilarity) {
    c.level = NameLevel::kPhonetic;
    c.info = std::min(std::max(info, whole_info), kMaxNameInfo);
    return c;
  }
  if (matched > 0) {
    c.level = NameLevel::kPartial;
    c.info = std::min(info, kMaxNameInfo);
    return c;
  }
  c.level = fuzzy && FuzzySimilarity(a.whole.skeleton, b.whole.skeleton, kFuzzySimilarity) >=
                         kFuzzySimilarity
                ? NameLevel::kFuzzy
                : NameLevel::kDisagree;
  return c;
}

// Parents' names skip the fuzzy level: a typo there costs a little, and scoring stays fast.
NameComparison CompareFields(const CompiledField& a, const CompiledField& b, bool fuzzy = true) {
  NameComparison best;
  for (int s = 0; s < 2; ++s) {
    if (a.text_hashes[s] != 0 && a.text_hashes[s] == b.text_hashes[s] && a.count > 0) {
      best.level = NameLevel::kExact;
      for (const NameUnit& u : a.variants[0].units) {
        best.info += std::clamp<double>(u.info[0], 0.5, 17.0);
      }
      best.info = std::min(best.info, kMaxNameInfo);
      return best;
    }
  }
  for (int i = 0; i < a.count; ++i) {
    for (int j = 0; j < b.count; ++j) {
      NameComparison c = CompareNames(a.variants[i], b.variants[j], fuzzy);
      if (c.level > best.level || (c.level == best.level && c.info > best.info)) best = c;
      if (best.level == NameLevel::kExact) return best;
    }
  }
  return best;
}

// ---- birth dates ----
// Birth-date levels; the weights are computed once.
struct DateWeights {
  double partial_same = Bits(0.90, 1 / kYears);
  double partial_near = Bits(0.06, 2 / kYears);
  double partial_far = Bits(0.04, 1);
  double exact = Bits(0.88, 1 / kDays);
  double swapped = Bits(0.03, 1 / kDays);
  double year_off = Bits(0.03, 2 / kDays);
  double day_off = Bits(0.03, 1 / (kYears * 12));
  double month_off = Bits(0.01, 1 / (kYears * 30));
  double same_year = Bits(0.01, 1 / kYears);
  double near_year = Bits(0.005, 2 / kYears);
  double disagree = Bits(0.01, 1);
};
const DateWeights& Dates() {
  static const DateWeights w;
  return w;
}

// Below this, two birth dates disagree too much for an automatic match: siblings born a year
// apart share everything else. Every single planted date error (swap, ±1 year, day typo,
// year-only) stays above it; two at once go to review.
constexpr double kMinAutoMatchDateWeight = 0;

double BirthDateWeight(const BirthDate& a, const BirthDate& b) {
  if (!a.known() || !b.known()) return 0;
  const DateWeights& w = Dates();
  int dy = std::abs(a.year - b.year);
  if (!a.full() || !b.full()) {
    // One side holds only the year (or year and month): agree as far as both know.
    bool months_agree = a.month == 0 || b.month == 0 || a.month == b.month;
    if (dy == 0 && months_agree) return w.partial_same;
    if (dy == 1) return w.partial_near;
    return w.partial_far;
  }
  if (dy == 0 && a.month == b.month && a.day == b.day) return w.exact;
  if (dy == 0 && a.month == b.day && a.day == b.month) return w.swapped;
  if (dy == 1 && a.month == b.month && a.day == b.day) return w.year_off;
  if (dy == 0 && a.month == b.month) return w.day_off;
  if (dy == 0 && a.day == b.day) return w.month_off;
  if (dy == 0) return w.same_year;
  if (dy == 1) return w.near_year;
  return w.disagree;
}

double SexWeight(Sex a, Sex b) {
  static const double agree = Bits(0.98, 0.5), disagree = Bits(0.02, 0.5);
  if (a == Sex::kUnknown || b == Sex::kUnknown) return 0;
  return a == b ? agree : disagree;
}

double AddressWeight(const CompiledRecord& a, const CompiledRecord& b) {
  static const double commune = Bits(0.55, 1.0 / 1500), province = Bits(0.15, 1.0 / 40),
                      region = Bits(0.10, 1.0 / 10), elsewhere = Bits(0.20, 0.9),
                      province_only = Bits(0.7, 1.0 / 40), other_province = Bits(0.3, 0.97);
  if (a.commune != 0 && b.commune != 0) {
    if (a.commune == b.commune) return commune;
    if (a.province == b.province && a.province != 0) return province;
    if (a.region == b.region && a.region != 0) return region;
    return elsewhere;
  }
  if (a.province != 0 && b.province != 0) {
    return a.province == b.province ? province_only : other_province;
  }
  // Free text only: share of common words.
  if (a.address_words.empty() || b.address_words.empty()) return 0;
  size_t common = 0;
  for (size_t i = 0, j = 0; i < a.address_words.size() && j < b.address_words.size();) {
    if (a.address_words[i] == b.address_words[j]) {
      ++common, ++i, ++j;
    } else if (a.address_words[i] < b.address_words[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  double jaccard =
      static_cast<double>(common) / (a.address_words.size() + b.address_words.size() - common);
  return jaccard >= 0.6 ? Bits(0.5, 0.002) : Bits(0.5, 0.998);
}

// ---- keys ----
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
uint64_t Key(uint64_t pass, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  return Mix(Mix(Mix(pass * 0x100000001B3ull ^ a) ^ b) ^ c);
}
constexpr uint64_t kPassNameYear = 1;
constexpr uint64_t kPassNamePair = 2;
constexpr uint64_t kPassDatePlace = 3;
constexpr uint64_t kPassDocument = 4;
constexpr uint64_t kPassPhone = 5;

uint64_t Fnv(std::string_view s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001B3ull;
  }
  return h;
}

uint32_t CodeValue(std::string_view code) {
  if (code.empty() || code.size() > 9) return 0;
  uint32_t v = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  return v + 1;  // 0 stays "unknown" even for code "0"
}

bool SameKeys(const CompiledName& a, const CompiledName& b) {
  if (a.units.size() != b.units.size()) return false;
  for (size_t i = 0; i < a.units.size(); ++i) {
    const NameUnit& u = a.units[i];
    const NameUnit& v = b.units[i];
    if (u.num_keys != v.num_keys) return false;
    for (int k = 0; k < u.num_keys; ++k) {
      if (u.keys[k] != v.keys[k]) return false;
    }
  }
  return true;
}

Result<CompiledField> CompileField(std::string_view latin, std::string_view arabic,
                                   const char* field, const NameFrequencyTable& freq,
                                   NameRole role) {
  CompiledField f;
  int script = -1;
  for (std::string_view text : {latin, arabic}) {
    ++script;
    if (text.empty()) continue;
    Result<CompiledName> c = CompileName(text);
    if (!c.ok()) return c.status().WithContext(field);
    if (c->units.empty()) continue;
    std::string joined;
    for (const std::string& t : c->exact_tokens) joined += t + " ";
    f.text_hashes[script] = Fnv(joined) | 1;
    AnnotateInformation(*c, freq, role);
    if (f.count == 1 && SameKeys(f.variants[0], *c)) {
      // The Arabic spelling says nothing the Latin one does not (محمد / Mohamed): comparing it
      // too would only cost time. Keep its skeleton words for exact comparison anyway.
      continue;
    }
    f.variants[f.count++] = std::move(c).value();
  }
  return f;
}

// Whether any word of `a` shares a phonetic key with any word of `b` (a cheap pre-check).
bool AnyKeyShared(const CompiledField& a, const CompiledField& b) {
  for (int i = 0; i < a.count; ++i) {
    for (int j = 0; j < b.count; ++j) {
      for (const NameUnit& u : a.variants[i].units) {
        for (const NameUnit& v : b.variants[j].units) {
          if (u.KeysIntersect(v)) return true;
        }
      }
    }
  }
  return false;
}

void CollectKeys(const CompiledField& field, std::vector<uint64_t>& out) {
  for (int v = 0; v < field.count; ++v) {
    for (const NameUnit& u : field.variants[v].units) {
      for (int k = 0; k < u.num_keys; ++k) out.push_back(u.keys[k]);
    }
  }
}

void SortUnique(std::vector<uint64_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

int NameStrategyScore(const CompiledName& req, const CompiledName& stored, MatchStrategy s) {
  switch (s) {
    case MatchStrategy::kExact:
      return ExactScore(req, stored);
    case MatchStrategy::kPartial:
      return PartialScore(req, stored);
    case MatchStrategy::kPhonetic:
      return PhoneticScore(req, stored);
  }
  return 0;
}

class FellegiSunterMatcher final : public DemographicMatcher {
 public:
  explicit FellegiSunterMatcher(MatcherSettings settings)
      : settings_(settings),
        freq_(settings.frequencies != nullptr ? *settings.frequencies
                                              : NameFrequencyTable::Default()) {}

  Result<CompiledRecord> Compile(const PersonRecord& r) const override {
    CompiledRecord c;
    c.id = r.id;
    SIJIL_ASSIGN_OR_RETURN(c.given, CompileField(r.given_name_lat, r.given_name_ar, "given name",
                                                 freq_, NameRole::kGiven));
    SIJIL_ASSIGN_OR_RETURN(c.family, CompileField(r.family_name_lat, r.family_name_ar,
                                                  "family name", freq_, NameRole::kFamily));
    SIJIL_ASSIGN_OR_RETURN(c.father, CompileField(r.father_name_lat, r.father_name_ar,
                                                  "father's name", freq_, NameRole::kGiven));
    SIJIL_ASSIGN_OR_RETURN(c.mother, CompileField(r.mother_name_lat, r.mother_name_ar,
                                                  "mother's name", freq_, NameRole::kAny));
    c.sex = r.sex;
    c.birth_date = r.birth_date;
    c.birth_province = CodeValue(r.birth_province);
    c.region = CodeValue(r.region);
    c.province = CodeValue(r.province);
    c.commune = CodeValue(r.commune);
    // The free text only counts when the codes are missing; normalising it is not free.
    if (!r.address.empty() && c.commune == 0 && c.province == 0) {
      std::string_view text = r.address;
      if (text.size() > kMaxNameBytes) {
        size_t cut = text.rfind(' ', kMaxNameBytes);
        text = text.substr(0, cut == text.npos ? 0 : cut);
      }
      Result<NormalizedName> n = NormalizeName(text);
      if (n.ok()) {
        for (const NameToken& t : n->tokens) {
          if (!t.latin.empty()) c.address_words.push_back(Fnv(LatinSkeleton(t.latin)));
        }
        SortUnique(c.address_words);
      }
    }
    std::string digits;
    for (char ch : r.phone) {
      if (ch >= '0' && ch <= '9') digits.push_back(ch);
    }
    if (digits.size() >= 9) c.phone = std::stoull(digits.substr(digits.size() - 9)) + 1;
    std::string doc;
    for (char ch : r.document_number) {
      if (std::isalnum(static_cast<unsigned char>(ch))) {
        doc.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
      }
    }
    if (doc.size() >= 4) c.document = Fnv(doc) | 1;
    return c;
  }

  void IndexKeys(const CompiledRecord& r, std::vector<uint64_t>& out) const override {
    Keys(r, /*query=*/false, out);
  }
  void QueryKeys(const CompiledRecord& r, std::vector<uint64_t>& out) const override {
    Keys(r, /*query=*/true, out);
  }

  RecordScore Score(const CompiledRecord& a, const CompiledRecord& b) const override {
    static const NameWeights given_w(kGivenModel), family_w(kFamilyModel), father_w(kFatherModel),
        mother_w(kMotherModel);
    static const double place_agree = Bits(0.85, 1.0 / 40), place_disagree = Bits(0.15, 0.975);
    static const double phone_agree = Bits(0.35, 1e-6), phone_disagree = Bits(0.45, 1);
    static const double doc_agree = Bits(0.9, 1e-7), doc_disagree = Bits(0.03, 1);
    RecordScore s;
    FieldWeights& w = s.fields;
    NameComparison given = CompareFields(a.given, b.given);
    NameComparison family = CompareFields(a.family, b.family);
    w.given = given_w.Of(given);
    w.family = family_w.Of(family);
    NameLevel given_level = given.level;
    NameLevel family_level = family.level;
    if ((given.level < NameLevel::kPhonetic || family.level < NameLevel::kPhonetic) &&
        (AnyKeyShared(a.given, b.family) || AnyKeyShared(a.family, b.given))) {
      // Registers swap given and family names: try them crosswise.
      NameComparison g2 = CompareFields(a.given, b.family);
      NameComparison f2 = CompareFields(a.family, b.given);
      if (g2.level >= NameLevel::kFuzzy && f2.level >= NameLevel::kFuzzy &&
          std::max(g2.level, f2.level) >= NameLevel::kPhonetic) {
        double crossed = given_w.Of(g2) + family_w.Of(f2) - kSwapPenalty;
        if (crossed > w.given + w.family) {
          w.given = given_w.Of(g2) - kSwapPenalty;
          w.family = family_w.Of(f2);
          s.names_swapped = true;
          given_level = g2.level;
          family_level = f2.level;
        }
      }
    }
    w.father = father_w.Of(CompareFields(a.father, b.father, /*fuzzy=*/false));
    w.mother = mother_w.Of(CompareFields(a.mother, b.mother, /*fuzzy=*/false));
    w.birth_date = BirthDateWeight(a.birth_date, b.birth_date);
    w.sex = SexWeight(a.sex, b.sex);
    if (a.birth_province != 0 && b.birth_province != 0) {
      w.birth_place = a.birth_province == b.birth_province ? place_agree : place_disagree;
    }
    w.address = AddressWeight(a, b);
    if (a.phone != 0 && b.phone != 0) w.phone = a.phone == b.phone ? phone_agree : phone_disagree;
    if (a.document != 0 && b.document != 0) {
      w.document = a.document == b.document ? doc_agree : doc_disagree;
    }
    s.weight = w.given + w.family + w.father + w.mother + w.birth_date + w.sex + w.birth_place +
               w.address + w.phone + w.document;
    // Siblings share the family name, the parents and the address: those alone must not make an
    // automatic match. The person's own given name and birth date must not disagree.
    // A given name only a typo apart needs the birth date to agree too (sisters Samira and
    // Saida are a typo apart).
    bool given_agrees = given_level == NameLevel::kMissing || given_level >= NameLevel::kPhonetic ||
                        (given_level == NameLevel::kFuzzy && w.birth_date > 4);
    bool person_fields_agree = given_agrees && family_level != NameLevel::kDisagree &&
                               w.birth_date >= kMinAutoMatchDateWeight && w.sex >= 0;
    if (s.weight >= settings_.match_threshold && person_fields_agree) {
      s.decision = MatchDecision::kMatch;
    } else if (s.weight >= settings_.possible_match_threshold) {
      s.decision = MatchDecision::kPossibleMatch;
    }
    return s;
  }

  Result<NameScores> MatchName(std::string_view request, std::string_view stored) const override {
    SIJIL_ASSIGN_OR_RETURN(CompiledName a, CompileName(request));
    SIJIL_ASSIGN_OR_RETURN(CompiledName b, CompileName(stored));
    NameScores s;
    s.exact = ExactScore(a, b);
    s.partial = PartialScore(a, b);
    s.phonetic = PhoneticScore(a, b);
    s.similarity = static_cast<int>(std::lround(100 * NameSimilarity(a, b, freq_, NameRole::kAny)));
    s.match = s.similarity >= settings_.name_match_threshold;
    return s;
  }

  Result<int> MatchName(std::string_view request, std::string_view stored,
                        MatchStrategy strategy) const override {
    SIJIL_ASSIGN_OR_RETURN(CompiledName a, CompileName(request));
    SIJIL_ASSIGN_OR_RETURN(CompiledName b, CompileName(stored));
    return NameStrategyScore(a, b, strategy);
  }

  Result<std::vector<AttributeMatch>> MatchDemographics(const PersonRecord& req,
                                                        const PersonRecord& stored,
                                                        MatchStrategy strategy) const override {
    std::vector<AttributeMatch> out;
    auto add = [&](const char* attribute, int score) {
      out.push_back({attribute, score, score >= settings_.auth_match_value});
    };
    auto join = [](const std::string& a, const std::string& b) {
      return a.empty() ? b : b.empty() ? a : a + " " + b;
    };
    // A name attribute is compared in the request's script when the identity has it there (as
    // MOSIP does per language), else across scripts.
    auto name_score = [&](std::string req_lat, std::string req_ar, std::string st_lat,
                          std::string st_ar) -> Result<int> {
      int best = 0;
      const std::string* reqs[] = {&req_lat, &req_ar};
      const std::string* sts[] = {&st_lat, &st_ar};
      for (int i = 0; i < 2; ++i) {
        if (reqs[i]->empty()) continue;
        const std::string& same = *sts[i];
        const std::string& other = *sts[1 - i];
        const std::string& target = same.empty() ? other : same;
        if (target.empty()) continue;
        SIJIL_ASSIGN_OR_RETURN(int s, MatchName(*reqs[i], target, strategy));
        best = std::max(best, s);
      }
      return best;
    };
    std::string req_lat = join(req.given_name_lat, req.family_name_lat);
    std::string req_ar = join(req.given_name_ar, req.family_name_ar);
    if (!req_lat.empty() || !req_ar.empty()) {
      SIJIL_ASSIGN_OR_RETURN(
          int s, name_score(req_lat, req_ar, join(stored.given_name_lat, stored.family_name_lat),
                            join(stored.given_name_ar, stored.family_name_ar)));
      add("name", s);
    }
    if (!req.father_name_lat.empty() || !req.father_name_ar.empty()) {
      SIJIL_ASSIGN_OR_RETURN(int s, name_score(req.father_name_lat, req.father_name_ar,
                                               stored.father_name_lat, stored.father_name_ar));
      add("fatherName", s);
    }
    if (!req.mother_name_lat.empty() || !req.mother_name_ar.empty()) {
      SIJIL_ASSIGN_OR_RETURN(int s, name_score(req.mother_name_lat, req.mother_name_ar,
                                               stored.mother_name_lat, stored.mother_name_ar));
      add("motherName", s);
    }
    if (req.birth_date.known()) add("dob", req.birth_date == stored.birth_date ? 100 : 0);
    if (req.sex != Sex::kUnknown) add("gender", req.sex == stored.sex ? 100 : 0);
    if (!req.phone.empty()) {
      SIJIL_ASSIGN_OR_RETURN(CompiledRecord a, Compile(req));
      SIJIL_ASSIGN_OR_RETURN(CompiledRecord b, Compile(stored));
      add("phoneNumber", a.phone != 0 && a.phone == b.phone ? 100 : 0);
    }
    if (!req.address.empty()) {
      SIJIL_ASSIGN_OR_RETURN(int s, MatchName(req.address, stored.address, strategy));
      add("address", s);
    }
    return out;
  }

  const MatcherSettings& settings() const override { return settings_; }

 private:
  void Keys(const CompiledRecord& r, bool query, std::vector<uint64_t>& out) const {
    std::vector<uint64_t> given, family;
    CollectKeys(r.given, given);
    CollectKeys(r.family, family);
    SortUnique(given);
    SortUnique(family);
    // Pass 1: any name key + birth year (±1 when querying) + sex. Given and family keys share
    // the pass, so swapped names still meet. Very common keys are left out when a rarer one
    // exists.
    if (r.birth_date.known()) {
      std::vector<uint64_t> names = given;
      names.insert(names.end(), family.begin(), family.end());
      SortUnique(names);
      bool has_rare = false;
      for (uint64_t k : names) {
        has_rare =
            has_rare || freq_.Frequency(NameRole::kAny, k) <= settings_.blocking_max_key_frequency;
      }
      const int sexes_known[] = {static_cast<int>(r.sex)};
      const int sexes_all[] = {static_cast<int>(Sex::kMale), static_cast<int>(Sex::kFemale)};
      std::span<const int> sexes = r.sex == Sex::kUnknown ? std::span<const int>(sexes_all)
                                                          : std::span<const int>(sexes_known);
      for (uint64_t k : names) {
        if (has_rare && freq_.Frequency(NameRole::kAny, k) > settings_.blocking_max_key_frequency) {
          continue;
        }
        for (int sex : sexes) {
          for (int dy = query ? -1 : 0; dy <= (query ? 1 : 0); ++dy) {
            out.push_back(Key(kPassNameYear, k, r.birth_date.year + dy, sex));
          }
        }
      }
    }
    // Pass 2: given key × family key, unordered (no date: catches wrong or missing dates).
    for (uint64_t g : given) {
      for (uint64_t f : family) {
        out.push_back(Key(kPassNamePair, std::min(g, f), std::max(g, f)));
      }
    }
    // Pass 3: full birth date (day and month unordered) + birth province, or commune.
    if (r.birth_date.full()) {
      uint64_t place = r.birth_province != 0 ? r.birth_province : r.commune;
      if (place != 0) {
        int lo = std::min(r.birth_date.month, r.birth_date.day);
        int hi = std::max(r.birth_date.month, r.birth_date.day);
        out.push_back(Key(kPassDatePlace, r.birth_date.year * 10000 + lo * 100 + hi, place));
      }
    }
    // Pass 4: identifiers.
    if (r.document != 0) out.push_back(Key(kPassDocument, r.document));
    if (r.phone != 0) out.push_back(Key(kPassPhone, r.phone));
  }

  MatcherSettings settings_;
  const NameFrequencyTable& freq_;
};

}  // namespace

std::string_view MatchDecisionName(MatchDecision decision) {
  switch (decision) {
    case MatchDecision::kMatch:
      return "match";
    case MatchDecision::kPossibleMatch:
      return "possible_match";
    case MatchDecision::kNonMatch:
      break;
  }
  return "non_match";
}

Result<MatchStrategy> ParseMatchStrategy(std::string_view text) {
  std::string s;
  for (char c : text) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (s == "e" || s == "exact") return MatchStrategy::kExact;
  if (s == "p" || s == "partial") return MatchStrategy::kPartial;
  if (s == "ph" || s == "phonetic" || s == "phonetics") return MatchStrategy::kPhonetic;
  return Status::InvalidArgument("SIJ-NAM-030", "match strategy must be E, P or PH");
}

std::unique_ptr<DemographicMatcher> NewDemographicMatcher(MatcherSettings settings) {
  return std::make_unique<FellegiSunterMatcher>(settings);
}

void DemographicIndex::Add(CompiledRecord record) {
  std::vector<uint64_t> keys;
  matcher_.IndexKeys(record, keys);
  SortUnique(keys);
  std::unique_lock lock(mu_);
  uint32_t position = static_cast<uint32_t>(records_.size());
  records_.push_back(std::move(record));
  for (uint64_t k : keys) blocks_[k].push_back(position);
}

std::vector<uint32_t> DemographicIndex::CandidatePositions(const CompiledRecord& record) const {
  std::vector<uint64_t> keys;
  matcher_.QueryKeys(record, keys);
  SortUnique(keys);
  std::vector<uint32_t> out;
  std::shared_lock lock(mu_);
  for (uint64_t k : keys) {
    auto it = blocks_.find(k);
    if (it == blocks_.end()) continue;
    out.insert(out.end(), it->second.begin(), it->second.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<DemographicIndex::Candidate> DemographicIndex::FindCandidates(
    const CompiledRecord& record, bool only_possible) const {
  std::vector<uint32_t> positions = CandidatePositions(record);
  std::vector<Candidate> out;
  std::shared_lock lock(mu_);
  for (uint32_t p : positions) {
    RecordScore s = matcher_.Score(record, records_[p]);
    if (only_possible && s.decision == MatchDecision::kNonMatch) continue;
    out.push_back(Candidate{p, records_[p].id, s});
  }
  std::sort(out.begin(), out.end(),
            [](const Candidate& x, const Candidate& y) { return x.score.weight > y.score.weight; });
  return out;
}

size_t DemographicIndex::size() const {
  std::shared_lock lock(mu_);
  return records_.size();
}

}  // namespace sijil::names
