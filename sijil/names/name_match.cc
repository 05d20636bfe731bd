#include "sijil/names/name_match.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sijil/names/phonetic.h"
#include "sijil/names/transliterate.h"

namespace sijil::names {
namespace {

bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.compare(0, p.size(), p) == 0;
}

// The core of a word written with its particle attached (Essaidi, Benjelloun, Elalami,
// Boutaleb), or empty when it has none. At least four letters must remain, so Alami or Bennani
// keep their own key.
std::string AttachedCore(std::string_view w) {
  constexpr size_t kMinRest = 4;
  for (std::string_view p : {"el", "ben", "bin", "bou", "ait", "ould"}) {
    if (StartsWith(w, p) && w.size() >= p.size() + kMinRest) return std::string(w.substr(p.size()));
  }
  // Assimilated article: e + doubled sun letter (Essaidi, Ettazi, Ezzahraoui, Ennaciri).
  if (w.size() >= 2 + kMinRest && w[0] == 'e' && w[1] == w[2] &&
      std::strchr("stdzrnl", w[1]) != nullptr) {
    return std::string(w.substr(2));
  }
  if (StartsWith(w, "ech") && w.size() >= 3 + kMinRest) return std::string(w.substr(3));
  // Darija's article l- (Lahmadi, Lalami, Lhaddad, Larbi): before a + consonant or h only, so
  // Leila or Loubna do not sprout a second key.
  if (w.size() >= 1 + kMinRest && w[0] == 'l' &&
      (w[1] == 'h' || (w[1] == 'a' && std::strchr("aeiouy", w[2]) == nullptr))) {
    return std::string(w.substr(1));
  }
  return {};
}

void AddKey(NameUnit& u, const std::string& latin) {
  if (latin.empty()) return;
  uint64_t k = PackKey(PhoneticKey(latin));
  if (k == 0) return;
  for (int i = 0; i < u.num_keys; ++i) {
    if (u.keys[i] == k) return;
  }
  if (u.num_keys < kMaxUnitKeys) u.keys[u.num_keys++] = k;
}

NameUnit MakeUnit(const std::vector<const NameToken*>& particles, const NameToken* core) {
  NameUnit u;
  std::string compact;
  bool servant = false;
  for (const NameToken* p : particles) {
    compact += p->latin;
    servant = servant || p->particle == Particle::kServant;
  }
  u.has_particle = !particles.empty();
  if (core != nullptr) compact += core->latin;
  u.skeleton = LatinSkeleton(compact);
  AddKey(u, compact);
  if (core != nullptr && !servant) {
    std::string core_latin = u.has_particle ? core->latin : AttachedCore(core->latin);
    int before = u.num_keys;
    AddKey(u, core_latin);
    if (u.num_keys > before) u.core_skeleton = LatinSkeleton(core_latin);
  }
  return u;
}

}  // namespace

bool NameUnit::KeysIntersect(const NameUnit& other) const {
  for (int i = 0; i < num_keys; ++i) {
    for (int j = 0; j < other.num_keys; ++j) {
      if (keys[i] == other.keys[j]) return true;
    }
  }
  return false;
}

double NameUnit::SkeletonSimilarity(const NameUnit& other) const {
  double best = JaroWinkler(skeleton, other.skeleton);
  if (!core_skeleton.empty()) best = std::max(best, JaroWinkler(core_skeleton, other.skeleton));
  if (!other.core_skeleton.empty()) {
    best = std::max(best, JaroWinkler(skeleton, other.core_skeleton));
    if (!core_skeleton.empty()) {
      best = std::max(best, JaroWinkler(core_skeleton, other.core_skeleton));
    }
  }
  return best;
}

void AnnotateInformation(CompiledName& name, const NameFrequencyTable& frequencies, NameRole role) {
  auto annotate = [&](NameUnit& u) {
    for (int i = 0; i < u.num_keys; ++i) {
      u.info[i] = static_cast<float>(frequencies.Information(role, u.keys[i]));
    }
  };
  for (NameUnit& u : name.units) annotate(u);
  annotate(name.whole);
}

std::string NameUnit::KeysDisplay() const {
  std::string out;
  for (int i = 0; i < num_keys; ++i) {
    if (i > 0) out.push_back('/');
    out += UnpackKey(keys[i]);
  }
  return out;
}

CompiledName CompileName(const NormalizedName& name) {
  CompiledName c;
  c.normalized = name.Text();
  c.latin = name.Latin();
  std::vector<const NameToken*> pending;
  for (const NameToken& t : name.tokens) {
    c.exact_tokens.push_back(ExactForm(t));
    c.latin_tokens.push_back(t.latin);
    if (t.particle != Particle::kNone) {
      pending.push_back(&t);
      continue;
    }
    NameUnit u = MakeUnit(pending, &t);
    pending.clear();
    if (u.num_keys > 0) c.units.push_back(std::move(u));
  }
  if (!pending.empty()) {
    NameUnit u = MakeUnit(pending, nullptr);
    if (u.num_keys > 0) c.units.push_back(std::move(u));
  }
  std::string compact;
  for (const std::string& l : c.latin_tokens) compact += l;
  c.whole.skeleton = LatinSkeleton(compact);
  AddKey(c.whole, compact);
  return c;
}

Result<CompiledName> CompileName(std::string_view utf8) {
  SIJIL_ASSIGN_OR_RETURN(NormalizedName n, NormalizeName(utf8));
  return CompileName(n);
}

int ExactScore(const CompiledName& request, const CompiledName& stored) {
  const auto& req = request.exact_tokens;
  const auto& ent = stored.exact_tokens;
  if (req.size() != ent.size() || req.empty()) return 0;
  for (const std::string& e : ent) {
    if (std::find(req.begin(), req.end(), e) == req.end()) return 0;
  }
  return 100;
}

int PartialScore(const CompiledName& request, const CompiledName& stored) {
  const auto& ref = request.exact_tokens;
  if (stored.exact_tokens.empty()) return 0;
  std::vector<std::string> entity = stored.exact_tokens;
  size_t matched = 0;
  std::vector<std::string> unmatched;
  for (const std::string& r : ref) {
    auto it = std::find(entity.begin(), entity.end(), r);
    if (it != entity.end()) {
      ++matched;
      entity.erase(it);
    } else {
      unmatched.push_back(r);
    }
  }
  // Initials: a one-letter request word consumes a remaining stored word that starts with it.
  size_t unmatched_count = unmatched.size();
  for (const std::string& u : unmatched) {
    if (u.size() != 1) continue;
    auto it = std::find_if(entity.begin(), entity.end(),
                           [&](const std::string& e) { return StartsWith(e, u); });
    if (it != entity.end()) {
      entity.erase(it);
      --unmatched_count;
    }
  }
  return static_cast<int>(matched * 100 / (stored.exact_tokens.size() + unmatched_count));
}

int PhoneticScore(const CompiledName& request, const CompiledName& stored) {
  const auto& a = request.units;
  const auto& b = stored.units;
  if (a.empty() || b.empty()) return 0;
  if (request.whole.KeysIntersect(stored.whole)) return 100;
  std::vector<bool> used(b.size(), false);
  size_t matched = 0;
  for (const NameUnit& u : a) {
    for (size_t j = 0; j < b.size(); ++j) {
      if (!used[j] && u.KeysIntersect(b[j])) {
        used[j] = true;
        ++matched;
        break;
      }
    }
  }
  return static_cast<int>(20 + 80 * matched / std::max(a.size(), b.size()));
}

double JaroWinkler(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() && b.empty() ? 1.0 : 0.0;
  if (a == b) return 1.0;
  // Names are short: the matched positions fit in 64-bit masks (longer inputs are cut).
  constexpr size_t kMax = 64;
  const size_t la = std::min(a.size(), kMax);
  const size_t lb = std::min(b.size(), kMax);
  const size_t window = std::max<size_t>(std::max(la, lb) / 2, 1) - 1;
  uint64_t a_match = 0, b_match = 0;
  size_t matches = 0;
  for (size_t i = 0; i < la; ++i) {
    size_t lo = i > window ? i - window : 0;
    size_t hi = std::min(i + window + 1, lb);
    for (size_t j = lo; j < hi; ++j) {
      if ((b_match >> j & 1) == 0 && a[i] == b[j]) {
        a_match |= uint64_t{1} << i;
        b_match |= uint64_t{1} << j;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  size_t transpositions = 0;
  uint64_t am = a_match, bm = b_match;
  while (am != 0) {
    int i = __builtin_ctzll(am);
    int j = __builtin_ctzll(bm);
    if (a[i] != b[j]) ++transpositions;
    am &= am - 1;
    bm &= bm - 1;
  }
  double m = static_cast<double>(matches);
  double jaro = (m / la + m / lb + (m - transpositions / 2.0) / m) / 3.0;
  size_t prefix = 0;
  while (prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix]) ++prefix;
  return jaro + prefix * 0.1 * (1.0 - jaro);
}

double NameSimilarity(const CompiledName& a, const CompiledName& b,
                      const NameFrequencyTable& frequencies, NameRole role) {
  if (a.units.empty() || b.units.empty()) return 0.0;
  auto weight = [&](const NameUnit& u) {
    double info = 64;
    for (int i = 0; i < u.num_keys; ++i) {
      info = std::min(info, frequencies.Information(role, u.keys[i]));
    }
    return std::clamp(info, 1.0, 16.0);
  };
  auto unit_sim = [](const NameUnit& x, const NameUnit& y) {
    double jw = JaroWinkler(x.skeleton, y.skeleton);
    return x.KeysIntersect(y) ? 0.9 + 0.1 * jw : 0.9 * jw;
  };
  double num = 0, den = 0;
  for (const auto* pair : {&a, &b}) {
    const CompiledName& self = *pair;
    const CompiledName& other = pair == &a ? b : a;
    for (const NameUnit& u : self.units) {
      double best = 0;
      for (const NameUnit& v : other.units) best = std::max(best, unit_sim(u, v));
      double w = weight(u);
      num += w * best;
      den += w;
    }
  }
  return den > 0 ? num / den : 0.0;
}

}  // namespace sijil::names
