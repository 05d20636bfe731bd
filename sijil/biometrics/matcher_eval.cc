#include "sijil/biometrics/matcher_eval.h"

#include <chrono>
#include <ctime>
#include <memory>
#include <set>
#include <utility>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {

Result<MatcherEvaluation> EvaluateMatcher(Env& env, const Matcher& matcher,
                                          std::span<const LabeledTemplate> samples,
                                          const MatcherEvalOptions& options) {
  MatcherEvaluation out;
  out.samples = samples.size();
  std::set<std::string> ids;
  for (const auto& s : samples) ids.insert(s.identity);
  out.identities = ids.size();

  // Pairs (gallery, probe): the probe is the later sample.
  std::vector<std::pair<size_t, size_t>> genuine, impostor;
  size_t cross = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    for (size_t j = i + 1; j < samples.size(); ++j) {
      if (samples[i].identity == samples[j].identity) {
        genuine.emplace_back(i, j);
      } else {
        ++cross;
      }
    }
  }
  if (genuine.empty() || cross == 0) {
    return MissingBioInput("evaluation needs at least one genuine and one impostor pair (" +
                           std::to_string(samples.size()) + " samples of " +
                           std::to_string(ids.size()) + " identities)");
  }
  // An evenly spread subset of the impostor pairs when capped: every k-th in pair order.
  const size_t want =
      options.max_impostors > 0 && options.max_impostors < cross ? options.max_impostors : cross;
  impostor.reserve(want);
  {
    size_t k = 0;
    for (size_t i = 0; i < samples.size() && impostor.size() < want; ++i) {
      for (size_t j = i + 1; j < samples.size() && impostor.size() < want; ++j) {
        if (samples[i].identity == samples[j].identity) continue;
        // Pair number k is taken when it crosses the next multiple of cross / want.
        if ((k * want) / cross != ((k + 1) * want) / cross) impostor.emplace_back(i, j);
        ++k;
      }
    }
  }

  const auto t0 = env.MonotonicNow();
  std::vector<std::unique_ptr<GalleryTemplate>> gallery;
  std::vector<std::unique_ptr<Probe>> probes;
  gallery.reserve(samples.size());
  probes.reserve(samples.size());
  double bytes = 0;
  for (const auto& s : samples) {
    auto g = matcher.PrepareGallery(s.stored);
    if (!g.ok()) return g.status().WithContext(s.name);
    auto p = matcher.PrepareProbe(s.stored);
    if (!p.ok()) return p.status().WithContext(s.name);
    bytes += static_cast<double>((*g)->ByteSize());
    gallery.push_back(std::move(*g));
    probes.push_back(std::move(*p));
  }
  const auto t1 = env.MonotonicNow();
  out.prepare_seconds_per_template =
      std::chrono::duration<double>(t1 - t0).count() / static_cast<double>(samples.size());
  out.mean_template_bytes = bytes / static_cast<double>(samples.size());

  auto run = [&](const std::vector<std::pair<size_t, size_t>>& pairs, std::vector<double>& scores,
                 std::vector<double>& raws) {
    scores.reserve(pairs.size());
    raws.reserve(pairs.size());
    for (auto [g, p] : pairs) {
      auto r = probes[p]->Compare(*gallery[g]);
      if (r.ok()) {
        scores.push_back(r->score);
        raws.push_back(r->raw_score);
      } else {
        ++out.failed;
        scores.push_back(0);
        raws.push_back(0);
      }
    }
  };
  const auto m0 = env.MonotonicNow();
  const std::clock_t c0 = std::clock();
  run(genuine, out.genuine_scores, out.genuine_raw);
  run(impostor, out.impostor_scores, out.impostor_raw);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  const double secs = std::chrono::duration<double>(env.MonotonicNow() - m0).count();
  const double total = static_cast<double>(genuine.size() + impostor.size());
  out.comparisons_per_second = secs > 0 ? total / secs : 0;
  out.comparisons_per_cpu_second = cpu > 0 ? total / cpu : 0;
  out.rates = ComputeErrorRates(out.genuine_scores, out.impostor_scores);
  return out;
}

}  // namespace sijil::biometrics
