#include "sijil/names/internal/name_lists.h"

#include <cstdlib>
#include <string>

#include "sijil/names/internal/embedded_data.h"

namespace sijil::names::internal {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? s.npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

template <typename F>
void ForEachLine(std::string_view text, F&& f) {
  for (std::string_view line : Split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    f(Split(line, '\t'));
  }
}

double ParseWeight(std::string_view s) {
  std::string copy(s);
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  return (end == copy.c_str() || v < 0) ? -1 : v;
}

}  // namespace

NameLists ParseNameLists(std::string_view given_tsv, std::string_view family_tsv) {
  NameLists lists;
  // sex \t weight \t arabic \t latin|latin...
  ForEachLine(given_tsv, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 4 || f[0].size() != 1 || (f[0][0] != 'M' && f[0][0] != 'F')) return;
    NameEntry e;
    e.sex = f[0][0];
    e.weight = ParseWeight(f[1]);
    e.arabic = std::string(f[2]);
    for (std::string_view l : Split(f[3], '|')) {
      if (!l.empty()) e.latin.emplace_back(l);
    }
    if (e.weight <= 0 || e.arabic.empty() || e.latin.empty()) return;
    (e.sex == 'M' ? lists.male : lists.female).push_back(std::move(e));
  });
  // weight \t arabic \t latin|latin...
  ForEachLine(family_tsv, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 3) return;
    NameEntry e;
    e.weight = ParseWeight(f[0]);
    e.arabic = std::string(f[1]);
    for (std::string_view l : Split(f[2], '|')) {
      if (!l.empty()) e.latin.emplace_back(l);
    }
    if (e.weight <= 0 || e.arabic.empty() || e.latin.empty()) return;
    lists.family.push_back(std::move(e));
  });
  return lists;
}

Geography ParseGeography(std::string_view geography_tsv, std::string_view streets_tsv) {
  Geography g;
  // R \t code \t name_fr \t name_ar
  // P \t code \t region \t name_fr \t name_ar \t weight
  ForEachLine(geography_tsv, [&](const std::vector<std::string_view>& f) {
    if (f[0] == "R" && f.size() >= 4) {
      g.regions.push_back(Region{std::string(f[1]), std::string(f[2]), std::string(f[3])});
    } else if (f[0] == "P" && f.size() >= 6) {
      Province p{std::string(f[1]), std::string(f[2]), std::string(f[3]), std::string(f[4]),
                 ParseWeight(f[5])};
      if (p.weight > 0) g.provinces.push_back(std::move(p));
    }
  });
  // fr \t ar
  ForEachLine(streets_tsv, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 2) return;
    g.streets_fr.emplace_back(f[0]);
    g.streets_ar.emplace_back(f[1]);
  });
  return g;
}

const NameLists& DefaultNameLists() {
  static const NameLists* lists = new NameLists(
      ParseNameLists(EmbeddedDataFile("given_names.tsv"), EmbeddedDataFile("family_names.tsv")));
  return *lists;
}

const Geography& DefaultGeography() {
  static const Geography* g = new Geography(
      ParseGeography(EmbeddedDataFile("geography.tsv"), EmbeddedDataFile("streets.tsv")));
  return *g;
}

}  // namespace sijil::names::internal
