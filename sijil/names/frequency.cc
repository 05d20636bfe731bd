#include "sijil/names/frequency.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

#include "sijil/names/internal/name_lists.h"
#include "sijil/names/name_match.h"
#include "sijil/names/phonetic.h"

namespace sijil::names {
namespace {

// Every key any spelling of the entry yields: a person holds the name whatever the spelling.
std::set<uint64_t> EntryKeys(const internal::NameEntry& e) {
  std::set<uint64_t> keys;
  auto add = [&](const std::string& text) {
    Result<CompiledName> c = CompileName(text);
    if (!c.ok()) return;
    for (const NameUnit& u : c->units) {
      for (int i = 0; i < u.num_keys; ++i) keys.insert(u.keys[i]);
    }
  };
  add(e.arabic);
  for (const std::string& l : e.latin) add(l);
  return keys;
}

}  // namespace

const NameFrequencyTable& NameFrequencyTable::Default() {
  static const NameFrequencyTable* table = [] {
    auto* t = new NameFrequencyTable();
    const internal::NameLists& lists = internal::DefaultNameLists();
    for (const auto* list : {&lists.male, &lists.female}) {
      for (const internal::NameEntry& e : *list) {
        for (uint64_t k : EntryKeys(e)) t->Add(NameRole::kGiven, k, e.weight);
      }
    }
    for (const internal::NameEntry& e : lists.family) {
      for (uint64_t k : EntryKeys(e)) t->Add(NameRole::kFamily, k, e.weight);
    }
    t->Finish();
    return t;
  }();
  return *table;
}

void NameFrequencyTable::Add(NameRole role, uint64_t key, double count) {
  if (key == 0 || !(count > 0) || role == NameRole::kAny) return;
  int r = static_cast<int>(role);
  counts_[r][key] += count;
}

void NameFrequencyTable::Finish() {
  for (int r = 0; r < 2; ++r) {
    // The population total is the sum over people, not keys: a name that yields two keys is
    // counted under both, so use the largest plausible total (sum of counts) as a bound.
    total_[r] = 0;
    for (const auto& [k, c] : counts_[r]) total_[r] += c;
    shares_[r].clear();
    double min_share = 1.0;
    for (const auto& [k, c] : counts_[r]) {
      double s = total_[r] > 0 ? c / total_[r] : 0;
      shares_[r][k] = s;
      min_share = std::min(min_share, s);
    }
    floor_[r] = counts_[r].empty() ? 1e-5 : std::max(min_share / 2, 1e-7);
  }
}

double NameFrequencyTable::Frequency(NameRole role, uint64_t key) const {
  if (role == NameRole::kAny) {
    return std::max(Frequency(NameRole::kGiven, key), Frequency(NameRole::kFamily, key));
  }
  int r = static_cast<int>(role);
  auto it = shares_[r].find(key);
  if (it == shares_[r].end()) return floor_[r];
  return std::max(it->second, floor_[r]);
}

double NameFrequencyTable::Information(NameRole role, uint64_t key) const {
  return -std::log2(Frequency(role, key));
}

Result<NameFrequencyTable> NameFrequencyTable::FromTsv(std::string_view tsv) {
  NameFrequencyTable t;
  size_t line_no = 0;
  size_t start = 0;
  while (start <= tsv.size()) {
    size_t end = tsv.find('\n', start);
    std::string_view line = tsv.substr(start, end == tsv.npos ? tsv.npos : end - start);
    start = end == tsv.npos ? tsv.size() + 1 : end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    auto bad = [&] {
      return Status::InvalidArgument("SIJ-NAM-010",
                                     "bad frequency line " + std::to_string(line_no));
    };
    size_t t1 = line.find('\t');
    size_t t2 = t1 == line.npos ? line.npos : line.find('\t', t1 + 1);
    if (t2 == line.npos) return bad();
    std::string_view role = line.substr(0, t1);
    std::string_view key = line.substr(t1 + 1, t2 - t1 - 1);
    std::string count_text(line.substr(t2 + 1));
    NameRole r;
    if (role == "given") {
      r = NameRole::kGiven;
    } else if (role == "family") {
      r = NameRole::kFamily;
    } else {
      return bad();
    }
    if (key.empty() || key.size() > kMaxKeyLength) return bad();
    for (char c : key) {
      if (c < 'a' || c > 'z') return bad();
    }
    char* endp = nullptr;
    double count = std::strtod(count_text.c_str(), &endp);
    if (endp == count_text.c_str() || *endp != '\0' || !(count >= 0) || std::isinf(count)) {
      return bad();
    }
    t.Add(r, PackKey(key), count);
  }
  t.Finish();
  return t;
}

std::string NameFrequencyTable::ToTsv() const {
  std::ostringstream out;
  out << "# role\tkey\tcount (per million)\n";
  for (int r = 0; r < 2; ++r) {
    std::vector<std::pair<uint64_t, double>> rows(shares_[r].begin(), shares_[r].end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& x, const auto& y) { return x.second > y.second; });
    for (const auto& [k, s] : rows) {
      out << (r == 0 ? "given" : "family") << '\t' << UnpackKey(k) << '\t' << s * 1e6 << '\n';
    }
  }
  return out.str();
}

}  // namespace sijil::names
