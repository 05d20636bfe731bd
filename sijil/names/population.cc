#include "sijil/names/population.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "sijil/names/internal/name_lists.h"

namespace sijil::names {
namespace {

using internal::NameEntry;

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  double Uniform() { return std::uniform_real_distribution<double>(0, 1)(gen_); }
  bool Chance(double p) { return Uniform() < p; }
  // Uniform in [lo, hi].
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  uint64_t Bits() { return gen_(); }

 private:
  std::mt19937_64 gen_;
};

// Draws indices with probability proportional to weights (alias-free: cumulative + binary search).
class Weighted {
 public:
  explicit Weighted(const std::vector<double>& weights) {
    double sum = 0;
    for (double w : weights) cumulative_.push_back(sum += w);
  }
  size_t Draw(Rng& rng) const {
    double x = rng.Uniform() * cumulative_.back();
    return std::upper_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin();
  }

 private:
  std::vector<double> cumulative_;
};

std::vector<double> WeightsOf(const std::vector<NameEntry>& list) {
  std::vector<double> w;
  for (const NameEntry& e : list) w.push_back(e.weight);
  return w;
}

// A civil-status spelling: the list's first most of the time.
const std::string& Spelling(const NameEntry& e, Rng& rng) {
  if (e.latin.size() == 1 || rng.Chance(0.7)) return e.latin[0];
  return e.latin[rng.Int(1, static_cast<int>(e.latin.size()) - 1)];
}

// Another spelling than `current` when the list has one.
std::string OtherSpelling(const NameEntry& e, const std::string& current, Rng& rng) {
  std::vector<const std::string*> others;
  for (const std::string& l : e.latin) {
    if (l != current) others.push_back(&l);
  }
  if (others.empty()) return current;
  return *others[rng.Int(0, static_cast<int>(others.size()) - 1)];
}

// AZERTY neighbours, for substitution typos.
char Neighbour(char c, Rng& rng) {
  static const std::unordered_map<char, const char*> kNear = {
      {'a', "zqs"}, {'z', "aes"}, {'e', "zrd"}, {'r', "etf"}, {'t', "ryg"}, {'y', "tuh"},
      {'u', "yij"}, {'i', "uok"}, {'o', "ipl"}, {'p', "olm"}, {'q', "asw"}, {'s', "qdz"},
      {'d', "sfe"}, {'f', "dgr"}, {'g', "fht"}, {'h', "gjy"}, {'j', "hku"}, {'k', "jli"},
      {'l', "kmo"}, {'m', "lp"},  {'w', "xq"},  {'x', "wc"},  {'c', "xv"},  {'v', "cb"},
      {'b', "vn"},  {'n', "bm"}};
  bool upper = c >= 'A' && c <= 'Z';
  char lower = upper ? static_cast<char>(c - 'A' + 'a') : c;
  auto it = kNear.find(lower);
  if (it == kNear.end()) return c;
  const char* options = it->second;
  char out = options[rng.Int(0, static_cast<int>(std::char_traits<char>::length(options)) - 1)];
  return upper ? static_cast<char>(out - 'a' + 'A') : out;
}

// One keyboard slip on an ASCII letter: substitution, deletion, insertion or transposition.
std::string Typo(const std::string& s, Rng& rng) {
  std::vector<size_t> letters;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) letters.push_back(i);
  }
  if (letters.size() < 3) return s;
  // Not the first letter: people rarely mistype it.
  size_t pos = letters[rng.Int(1, static_cast<int>(letters.size()) - 1)];
  std::string out = s;
  switch (rng.Int(0, 3)) {
    case 0:
      out[pos] = Neighbour(out[pos], rng);
      break;
    case 1:
      out.erase(pos, 1);
      break;
    case 2:
      out.insert(out.begin() + pos, Neighbour(out[pos], rng));
      break;
    default:
      if (pos + 1 < out.size() && out[pos + 1] >= 'a' && out[pos + 1] <= 'z') {
        std::swap(out[pos], out[pos + 1]);
      } else {
        out.erase(pos, 1);
      }
  }
  return out;
}

bool StartsWith(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

// Drops a leading particle written apart ("El Alaoui" → "Alaoui") or adds one; glues or splits
// Ben-/El- forms ("Ben Jelloun" ↔ "Benjelloun").
std::string VaryParticle(const std::string& s, Rng& rng) {
  for (const char* p :
       {"El ", "Al ", "Ben ", "Ait ", "Aït ", "Ou ", "Bou ", "Es-", "Et-", "En-", "Er-"}) {
    if (StartsWith(s, p)) {
      std::string rest = s.substr(std::char_traits<char>::length(p));
      if (rng.Chance(0.5)) return rest;  // dropped
      std::string glued(p);
      glued.pop_back();  // "Ben" + "jelloun"
      if (!rest.empty() && rest[0] >= 'A' && rest[0] <= 'Z') rest[0] = rest[0] - 'A' + 'a';
      return glued + rest;
    }
  }
  for (const char* p : {"Ben", "El"}) {
    size_t n = std::char_traits<char>::length(p);
    if (StartsWith(s, p) && s.size() > n + 3 && s[n] >= 'a' && s[n] <= 'z') {
      std::string rest = s.substr(n);
      rest[0] = rest[0] - 'a' + 'A';
      return std::string(p) + " " + rest;  // split
    }
  }
  return (rng.Chance(0.5) ? "El " : "Ben ") + s;  // added
}

std::string VaryArabicParticle(const std::string& s, Rng& rng) {
  const std::string kAl = "ال";
  const std::string kBen = "بن ";
  if (StartsWith(s, kAl.c_str())) return s.substr(kAl.size());
  if (StartsWith(s, kBen.c_str())) return s.substr(kBen.size());
  return rng.Chance(0.5) ? kAl + s : kBen + s;
}

// Arabic slips: a letter dropped, or a confusable letter (ه/ة, ي/ى, ا/أ/إ, س/ص, ت/ط, د/ض).
std::string ArabicTypo(const std::string& s, Rng& rng) {
  static const std::vector<std::pair<std::string, std::string>> kSwaps = {
      {"ة", "ه"}, {"ى", "ي"}, {"ا", "أ"}, {"إ", "ا"}, {"س", "ص"},
      {"ت", "ط"}, {"د", "ض"}, {"ق", "ك"}, {"ه", "ح"}};
  std::vector<std::pair<size_t, const std::pair<std::string, std::string>*>> hits;
  for (const auto& sw : kSwaps) {
    for (size_t pos = s.find(sw.first); pos != std::string::npos; pos = s.find(sw.first, pos + 1)) {
      hits.push_back({pos, &sw});
    }
  }
  if (hits.empty()) return s;
  auto [pos, sw] = hits[rng.Int(0, static_cast<int>(hits.size()) - 1)];
  std::string out = s;
  out.replace(pos, sw->first.size(), sw->second);
  return out;
}

struct Person {
  PersonRecord r;
  const NameEntry* given = nullptr;
  const NameEntry* family = nullptr;
};

std::string Digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng.Int(0, 9)));
  return s;
}

class Generator {
 public:
  Generator(const PopulationOptions& o)
      : o_(o),
        rng_(o.seed),
        lists_(internal::DefaultNameLists()),
        geo_(internal::DefaultGeography()),
        male_(WeightsOf(lists_.male)),
        female_(WeightsOf(lists_.female)),
        family_(WeightsOf(lists_.family)),
        province_(ProvinceWeights()) {}

  Population Run() {
    size_t duplicates = static_cast<size_t>(o_.count * o_.duplicate_rate + 0.5);
    size_t originals = o_.count - duplicates;
    std::vector<Person> people;
    people.reserve(o_.count);
    while (people.size() < originals) Household(people, originals);
    // Plant duplicates of distinct originals.
    std::vector<uint32_t> order(originals);
    for (uint32_t i = 0; i < originals; ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), std::mt19937_64(rng_.Bits()));
    std::vector<std::pair<uint32_t, std::string>> planted;  // source, variations
    for (size_t d = 0; d < duplicates; ++d) {
      uint32_t src = order[d % originals];
      Person copy = people[src];
      std::string variations = Vary(copy);
      people.push_back(std::move(copy));
      planted.emplace_back(src, variations);
    }
    // Shuffle records so duplicates are not at the end, then number them.
    std::vector<uint32_t> perm(people.size());
    for (uint32_t i = 0; i < perm.size(); ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), std::mt19937_64(rng_.Bits()));
    std::vector<uint32_t> position(people.size());
    for (uint32_t i = 0; i < perm.size(); ++i) position[perm[i]] = i;
    Population pop;
    pop.records.resize(people.size());
    pop.person.resize(people.size());
    pop.duplicate_of.resize(people.size());
    pop.variations.resize(people.size());
    char id[24];
    for (uint32_t i = 0; i < people.size(); ++i) {
      uint32_t pos = position[i];
      pop.records[pos] = std::move(people[i].r);
      std::snprintf(id, sizeof id, "P%08u", pos + 1);
      pop.records[pos].id = id;
      pop.person[pos] = i < originals ? i : planted[i - originals].first;
    }
    for (size_t d = 0; d < planted.size(); ++d) {
      uint32_t pos = position[originals + d];
      pop.duplicate_of[pos] = pop.records[position[planted[d].first]].id;
      pop.variations[pos] = planted[d].second;
    }
    return pop;
  }

 private:
  std::vector<double> ProvinceWeights() const {
    std::vector<double> w;
    for (const auto& p : geo_.provinces) w.push_back(p.weight);
    return w;
  }

  const NameEntry& DrawGiven(Sex sex) {
    return sex == Sex::kMale ? lists_.male[male_.Draw(rng_)] : lists_.female[female_.Draw(rng_)];
  }

  BirthDate DrawDate(int year) {
    BirthDate d;
    d.year = year;
    // Older civil status often holds only the year ("né en 1950").
    if (year < 1965 && rng_.Chance(0.15)) return d;
    d.month = rng_.Int(1, 12);
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    d.day = rng_.Int(1, kDays[d.month - 1]);
    return d;
  }

  std::string Phone() {
    while (true) {
      std::string p = (rng_.Chance(0.6) ? "06" : "07") + Digits(rng_, 8);
      if (phones_.insert(p).second) return p;
    }
  }

  std::string Cnie() {
    static const char* kPrefixes[] = {"A", "AB", "B",  "BE", "BH", "BJ", "BK", "C", "CB",
                                      "D", "E",  "EE", "F",  "G",  "H",  "I",  "J", "JC",
                                      "K", "L",  "LA", "M",  "N",  "P",  "Q",  "R", "S",
                                      "T", "U",  "UA", "V",  "W",  "X",  "Y",  "Z"};
    while (true) {
      std::string c = std::string(kPrefixes[rng_.Int(0, 34)]) + Digits(rng_, 6);
      if (cnies_.insert(c).second) return c;
    }
  }

  struct Home {
    const internal::Province* province;
    int commune;
    std::string address_fr, address_ar;
  };

  Home DrawHome() {
    Home h;
    h.province = &geo_.provinces[province_.Draw(rng_)];
    h.commune = rng_.Int(1, 20);
    size_t s1 = rng_.Int(0, static_cast<int>(geo_.streets_fr.size()) - 1);
    size_t s2 = rng_.Int(0, static_cast<int>(geo_.streets_fr.size()) - 1);
    int number = rng_.Int(1, 250);
    static const char* kWaysFr[] = {"Rue", "Avenue", "Derb", "Zenkat"};
    static const char* kWaysAr[] = {"زنقة", "شارع", "درب", "زنقة"};
    int way = rng_.Int(0, 3);
    h.address_fr = "N° " + std::to_string(number) + " " + kWaysFr[way] + " " + geo_.streets_fr[s1] +
                   ", Hay " + geo_.streets_fr[s2] + ", " + h.province->name_fr;
    h.address_ar = "رقم " + std::to_string(number) + " " + kWaysAr[way] + " " +
                   geo_.streets_ar[s1] + "، حي " + geo_.streets_ar[s2] + "، " + h.province->name_ar;
    return h;
  }

  Person MakePerson(Sex sex, const NameEntry& family, int year, const Home& home,
                    const NameEntry* father, const Person* mother,
                    const std::vector<const NameEntry*>& avoid) {
    Person p;
    p.r.sex = sex;
    const NameEntry* given = &DrawGiven(sex);
    for (int tries = 0; tries < 5 && std::find(avoid.begin(), avoid.end(), given) != avoid.end();
         ++tries) {
      given = &DrawGiven(sex);
    }
    p.given = given;
    p.family = &family;
    p.r.given_name_ar = given->arabic;
    p.r.given_name_lat = Spelling(*given, rng_);
    p.r.family_name_ar = family.arabic;
    p.r.family_name_lat = Spelling(family, rng_);
    const NameEntry& f = father != nullptr ? *father : DrawGiven(Sex::kMale);
    p.r.father_name_ar = f.arabic;
    p.r.father_name_lat = Spelling(f, rng_);
    if (mother != nullptr) {
      p.r.mother_name_ar = mother->r.given_name_ar + " " + mother->r.family_name_ar;
      p.r.mother_name_lat = mother->r.given_name_lat + " " + mother->r.family_name_lat;
    } else {
      const NameEntry& mg = DrawGiven(Sex::kFemale);
      const NameEntry& mf = lists_.family[family_.Draw(rng_)];
      p.r.mother_name_ar = mg.arabic + " " + mf.arabic;
      p.r.mother_name_lat = Spelling(mg, rng_) + " " + Spelling(mf, rng_);
    }
    p.r.birth_date = DrawDate(year);
    p.r.birth_province =
        rng_.Chance(0.7) ? home.province->code : geo_.provinces[province_.Draw(rng_)].code;
    p.r.region = home.province->region_code;
    p.r.province = home.province->code;
    char commune[8];
    std::snprintf(commune, sizeof commune, "%02d", home.commune);
    p.r.commune = home.province->code + commune;
    p.r.address = rng_.Chance(0.5) ? home.address_fr : home.address_ar;
    int age = o_.reference_year - year;
    if (age >= 18 && rng_.Chance(0.85)) p.r.phone = Phone();
    if (age >= 18 && rng_.Chance(0.9)) p.r.document_number = Cnie();
    return p;
  }

  void Household(std::vector<Person>& people, size_t limit) {
    Home home = DrawHome();
    const NameEntry& family = lists_.family[family_.Draw(rng_)];
    double shape = rng_.Uniform();
    int father_year = rng_.Int(o_.reference_year - 85, o_.reference_year - 20);
    auto room = [&] { return people.size() < limit; };
    if (shape < 0.12) {  // one adult alone
      Sex sex = rng_.Chance(0.5) ? Sex::kMale : Sex::kFemale;
      people.push_back(MakePerson(sex, family, father_year, home, nullptr, nullptr, {}));
      return;
    }
    Person father = MakePerson(Sex::kMale, family, father_year, home, nullptr, nullptr, {});
    int mother_year = std::min(father_year + rng_.Int(0, 10), o_.reference_year - 18);
    const NameEntry& mother_family = lists_.family[family_.Draw(rng_)];
    Person mother =
        MakePerson(Sex::kFemale, mother_family, mother_year, home, nullptr, nullptr, {});
    const NameEntry* father_given = father.given;
    Person mother_copy = mother;
    people.push_back(std::move(father));
    if (room()) people.push_back(std::move(mother));
    if (shape < 0.25) return;  // a couple
    int children = rng_.Int(1, 6);
    int first = mother_year + 18;
    int last = std::min(mother_year + 44, o_.reference_year);
    std::vector<const NameEntry*> used = {father_given};
    for (int c = 0; c < children && room() && first <= last; ++c) {
      int year = rng_.Int(first, last);
      Sex sex = rng_.Chance(0.5) ? Sex::kMale : Sex::kFemale;
      Person child = MakePerson(sex, family, year, home, father_given, &mother_copy, used);
      used.push_back(child.given);
      bool twins = rng_.Chance(0.015);
      BirthDate date = child.r.birth_date;
      people.push_back(std::move(child));
      if (twins && room()) {
        Sex sex2 = rng_.Chance(0.5) ? Sex::kMale : Sex::kFemale;
        Person twin = MakePerson(sex2, family, year, home, father_given, &mother_copy, used);
        twin.r.birth_date = date;
        used.push_back(twin.given);
        people.push_back(std::move(twin));
      }
    }
  }

  // Applies the variations of a record registered by another database; returns their names.
  std::string Vary(Person& p) {
    PersonRecord& r = p.r;
    std::vector<std::string> applied;
    auto mark = [&](const char* v) { applied.emplace_back(v); };
    for (int round = 0; round < 3 && applied.empty(); ++round) {
      if (rng_.Chance(0.5)) {
        r.given_name_lat = OtherSpelling(*p.given, r.given_name_lat, rng_);
        mark("given_transliteration");
      }
      if (rng_.Chance(0.4)) {
        r.family_name_lat = OtherSpelling(*p.family, r.family_name_lat, rng_);
        mark("family_transliteration");
      }
      if (rng_.Chance(0.15)) {
        if (rng_.Chance(0.7)) {
          r.family_name_lat = VaryParticle(r.family_name_lat, rng_);
        } else {
          r.family_name_ar = VaryArabicParticle(r.family_name_ar, rng_);
        }
        mark("particle");
      }
      if (rng_.Chance(0.2)) {
        if (rng_.Chance(0.5)) {
          r.given_name_lat = Typo(r.given_name_lat, rng_);
        } else {
          r.family_name_lat = Typo(r.family_name_lat, rng_);
        }
        mark("typo");
      }
      if (rng_.Chance(0.05)) {
        r.family_name_ar = ArabicTypo(r.family_name_ar, rng_);
        mark("arabic_typo");
      }
      if (rng_.Chance(0.08)) {
        std::swap(r.given_name_lat, r.family_name_lat);
        std::swap(r.given_name_ar, r.family_name_ar);
        mark("swapped_names");
      }
      if (rng_.Chance(0.05)) {
        static const char* kMale[] = {"Si ", "Hajj ", "Mr "};
        static const char* kFemale[] = {"Lalla ", "Hajja ", "Mme "};
        r.given_name_lat =
            std::string(r.sex == Sex::kFemale ? kFemale[rng_.Int(0, 2)] : kMale[rng_.Int(0, 2)]) +
            r.given_name_lat;
        mark("title");
      }
      BirthDate& d = r.birth_date;
      if (d.full() && d.day <= 12 && d.day != d.month && rng_.Chance(0.05)) {
        std::swap(d.day, d.month);
        mark("day_month_swap");
      }
      if (d.known() && rng_.Chance(0.07)) {
        d.year += rng_.Chance(0.5) ? 1 : -1;
        if (d.full() && d.month == 2 && d.day == 29) d.day = 28;
        mark("year_off_by_one");
      }
      if (d.full() && rng_.Chance(0.03)) {
        d.day = d.day == 28 ? 27 : d.day + 1;
        mark("day_typo");
      }
      if (d.full() && rng_.Chance(0.05)) {
        d.month = d.day = 0;
        mark("year_only");
      }
      if (rng_.Chance(0.10)) {
        r.given_name_lat.clear();
        r.family_name_lat.clear();
        mark("latin_missing");
      } else if (rng_.Chance(0.15)) {
        r.given_name_ar.clear();
        r.family_name_ar.clear();
        mark("arabic_missing");
      }
      if (rng_.Chance(0.25)) {
        r.father_name_ar.clear();
        r.father_name_lat.clear();
        mark("father_missing");
      }
      if (rng_.Chance(0.3)) {
        r.mother_name_ar.clear();
        r.mother_name_lat.clear();
        mark("mother_missing");
      }
      if (rng_.Chance(0.3)) {
        Home home = DrawHome();
        r.region = home.province->region_code;
        r.province = home.province->code;
        char commune[8];
        std::snprintf(commune, sizeof commune, "%02d", home.commune);
        r.commune = home.province->code + commune;
        r.address = rng_.Chance(0.5) ? home.address_fr : home.address_ar;
        mark("moved");
      }
      if (!r.phone.empty() && rng_.Chance(0.7)) {
        r.phone = rng_.Chance(0.5) ? std::string() : Phone();
        mark("phone_changed");
      }
      if (!r.document_number.empty() && rng_.Chance(0.5)) {
        r.document_number.clear();
        mark("cnie_missing");
      }
      if (rng_.Chance(0.2)) {
        r.birth_province.clear();
        mark("birth_place_missing");
      }
      if (rng_.Chance(0.03)) {
        r.sex = Sex::kUnknown;
        mark("sex_missing");
      }
    }
    std::string out;
    for (const std::string& v : applied) out += (out.empty() ? "" : ",") + v;
    return out;
  }

  PopulationOptions o_;
  Rng rng_;
  const internal::NameLists& lists_;
  const internal::Geography& geo_;
  Weighted male_, female_, family_, province_;
  std::unordered_set<std::string> phones_, cnies_;
};

}  // namespace

size_t Population::TruePairs() const {
  std::unordered_map<uint32_t, size_t> sizes;
  for (uint32_t p : person) sizes[p]++;
  size_t pairs = 0;
  for (const auto& [p, n] : sizes) pairs += n * (n - 1) / 2;
  return pairs;
}

Result<Population> GeneratePopulation(const PopulationOptions& options) {
  if (options.count < 1 || options.count > 10'000'000) {
    return Status::InvalidArgument("SIJ-NAM-040", "count must be between 1 and 10000000");
  }
  if (!(options.duplicate_rate >= 0 && options.duplicate_rate <= 0.5)) {
    return Status::InvalidArgument("SIJ-NAM-040", "duplicates must be between 0% and 50%");
  }
  if (options.reference_year < 1950 || options.reference_year > 2200) {
    return Status::InvalidArgument("SIJ-NAM-040", "reference year out of range");
  }
  if (options.count - static_cast<size_t>(options.count * options.duplicate_rate + 0.5) == 0) {
    return Status::InvalidArgument("SIJ-NAM-040", "a population needs at least one original");
  }
  return Generator(options).Run();
}

std::string RecordToJson(const PersonRecord& r) {
  nlohmann::json j = {{"id", r.id},
                      {"givenNameAr", r.given_name_ar},
                      {"familyNameAr", r.family_name_ar},
                      {"givenName", r.given_name_lat},
                      {"familyName", r.family_name_lat},
                      {"fatherNameAr", r.father_name_ar},
                      {"fatherName", r.father_name_lat},
                      {"motherNameAr", r.mother_name_ar},
                      {"motherName", r.mother_name_lat},
                      {"gender", std::string(SexCode(r.sex))},
                      {"dateOfBirth", r.birth_date.ToString()},
                      {"birthProvince", r.birth_province},
                      {"region", r.region},
                      {"province", r.province},
                      {"commune", r.commune},
                      {"address", r.address},
                      {"phone", r.phone},
                      {"cnie", r.document_number}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sijil::names
