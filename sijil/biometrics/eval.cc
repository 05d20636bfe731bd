#include "sijil/biometrics/eval.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <numbers>
#include <opencv2/imgcodecs.hpp>
#include <optional>
#include <regex>
#include <thread>

#include "sijil/biometrics/finger_matcher.h"
#include "sijil/biometrics/finger_minutiae_record.h"

namespace sijil::biometrics {
namespace {

bool ParseName(const std::string& stem, int* finger, int* impression) {
  static const std::regex kName(R"(^(\d+)_(\d+)$)");
  std::smatch m;
  if (!std::regex_match(stem, m, kName)) return false;
  *finger = std::stoi(m[1].str());
  *impression = std::stoi(m[2].str());
  return true;
}

Status ListSamples(const std::filesystem::path& dir, const std::string& extension,
                   std::vector<std::pair<std::filesystem::path, FvcSample>>* out) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return Status::NotFound("SIJ-BIO-020", "cannot read database folder " + dir.string());
  }
  for (const auto& entry : it) {
    if (!entry.is_regular_file() || entry.path().extension() != extension) continue;
    FvcSample s;
    if (!ParseName(entry.path().stem().string(), &s.finger, &s.impression)) continue;
    s.name = entry.path().filename().string();
    out->emplace_back(entry.path(), std::move(s));
  }
  if (out->empty()) {
    return Status::NotFound("SIJ-BIO-021",
                            "no <finger>_<impression>" + extension + " files in " + dir.string());
  }
  std::sort(out->begin(), out->end(), [](const auto& a, const auto& b) {
    return std::pair(a.second.finger, a.second.impression) <
           std::pair(b.second.finger, b.second.impression);
  });
  return Status::Ok();
}

}  // namespace

void RescaleTemplate(FingerTemplate& tmpl, int width, int height) {
  if (tmpl.width == 0 || tmpl.height == 0 || width <= 0 || height <= 0) return;
  if (tmpl.width == width && tmpl.height == height) return;
  const double sx = static_cast<double>(width) / tmpl.width;
  const double sy = static_cast<double>(height) / tmpl.height;
  for (Minutia& m : tmpl.minutiae) {
    m.x = static_cast<uint16_t>(std::clamp(std::lround(m.x * sx), 0L, 65535L));
    m.y = static_cast<uint16_t>(std::clamp(std::lround(m.y * sy), 0L, 65535L));
    double a = std::atan2(std::sin(m.angle) * sy, std::cos(m.angle) * sx);
    if (a < 0) a += 2 * std::numbers::pi;
    m.angle = static_cast<float>(a);
  }
  tmpl.width = static_cast<uint16_t>(width);
  tmpl.height = static_cast<uint16_t>(height);
}

Result<FvcDatabase> LoadFvcTemplates(Env& env, const std::filesystem::path& dir,
                                     const std::string& image_extension) {
  std::vector<std::pair<std::filesystem::path, FvcSample>> files;
  SIJIL_RETURN_IF_ERROR(ListSamples(dir, ".iso", &files));
  FvcDatabase db;
  for (auto& [path, sample] : files) {
    SIJIL_ASSIGN_OR_RETURN(std::string raw, env.ReadFile(path));
    auto t = ParseFingerTemplate(AsBytes(raw));
    if (!t.ok()) return t.status().WithContext(sample.name);
    if (!image_extension.empty()) {
      std::filesystem::path image = path;
      image.replace_extension(image_extension);
      if (env.FileExists(image)) {
        try {
          cv::Mat img = cv::imread(image.string(), cv::IMREAD_GRAYSCALE);
          if (!img.empty()) RescaleTemplate(*t, img.cols, img.rows);
        } catch (const cv::Exception&) {
          // An unreadable image leaves the template in its declared frame.
        }
      }
    }
    sample.tmpl = std::move(*t);
    db.samples.push_back(std::move(sample));
  }
  return db;
}

Result<FvcDatabase> LoadFvcWithExtractor(const std::filesystem::path& dir,
                                         const std::string& extension,
                                         const TemplateExtractor& extract, int threads) {
  std::vector<std::pair<std::filesystem::path, FvcSample>> files;
  SIJIL_RETURN_IF_ERROR(ListSamples(dir, extension, &files));
  // Each worker takes the next unclaimed file; results land in the file's own slot, so the
  // order (and the first error reported) does not depend on scheduling.
  std::vector<std::optional<Result<FingerTemplate>>> results(files.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < files.size(); i = next++)
      results[i].emplace(extract(files[i].first));
  };
  const int n = std::clamp(threads, 1, static_cast<int>(std::max<size_t>(files.size(), 1)));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  FvcDatabase db;
  for (size_t i = 0; i < files.size(); ++i) {
    Result<FingerTemplate>& t = *results[i];
    if (!t.ok()) return t.status().WithContext(files[i].second.name);
    files[i].second.tmpl = std::move(*t);
    db.samples.push_back(std::move(files[i].second));
  }
  return db;
}

FvcEvaluation EvaluateFvc(Env& env, const FvcDatabase& db, ImpostorSet impostors) {
  FvcEvaluation out;
  const auto& s = db.samples;
  out.samples = s.size();
  // Build the pair lists: (gallery index, probe index), probe the later sample.
  std::vector<std::pair<size_t, size_t>> genuine, impostor;
  std::vector<int> first_of_finger;
  for (size_t i = 0; i < s.size(); ++i) {
    for (size_t j = i + 1; j < s.size(); ++j) {
      if (s[i].finger == s[j].finger) {
        genuine.emplace_back(i, j);
      } else if (impostors == ImpostorSet::kAll) {
        impostor.emplace_back(i, j);
      }
    }
  }
  if (impostors == ImpostorSet::kFvc) {
    // The first (lowest-numbered) impression of each finger.
    std::vector<size_t> firsts;
    for (size_t i = 0; i < s.size(); ++i) {
      if (i == 0 || s[i].finger != s[i - 1].finger) firsts.push_back(i);
    }
    for (size_t a = 0; a < firsts.size(); ++a) {
      for (size_t b = a + 1; b < firsts.size(); ++b) impostor.emplace_back(firsts[a], firsts[b]);
    }
  }
  {
    std::vector<int> fingers;
    for (const auto& x : s) fingers.push_back(x.finger);
    std::sort(fingers.begin(), fingers.end());
    out.fingers =
        static_cast<size_t>(std::unique(fingers.begin(), fingers.end()) - fingers.begin());
  }

  // Prepare every template once (gallery side) and every probe once.
  auto t0 = env.MonotonicNow();
  std::vector<PreparedFingerprint> prepared;
  prepared.reserve(s.size());
  for (const auto& x : s) prepared.emplace_back(x.tmpl);
  std::vector<std::unique_ptr<FingerMatcher>> probes;
  probes.reserve(s.size());
  for (const auto& p : prepared) probes.push_back(std::make_unique<FingerMatcher>(p));
  auto t1 = env.MonotonicNow();
  double bytes = 0, minutiae = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    bytes += static_cast<double>(prepared[i].ByteSize());
    minutiae += static_cast<double>(s[i].tmpl.minutiae.size());
  }
  if (!s.empty()) {
    out.prepare_seconds_per_template =
        std::chrono::duration<double>(t1 - t0).count() / static_cast<double>(s.size());
    out.mean_template_bytes = bytes / static_cast<double>(s.size());
    out.mean_minutiae = minutiae / static_cast<double>(s.size());
  }

  out.genuine_scores.reserve(genuine.size());
  out.impostor_scores.reserve(impostor.size());
  auto m0 = env.MonotonicNow();
  const std::clock_t c0 = std::clock();
  for (auto [g, p] : genuine) out.genuine_scores.push_back(probes[p]->Match(prepared[g]));
  for (auto [g, p] : impostor) out.impostor_scores.push_back(probes[p]->Match(prepared[g]));
  auto m1 = env.MonotonicNow();
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  double secs = std::chrono::duration<double>(m1 - m0).count();
  size_t total = genuine.size() + impostor.size();
  out.comparisons_per_second = secs > 0 ? static_cast<double>(total) / secs : 0;
  out.comparisons_per_cpu_second = cpu > 0 ? static_cast<double>(total) / cpu : 0;
  out.rates = ComputeErrorRates(out.genuine_scores, out.impostor_scores);
  return out;
}

}  // namespace sijil::biometrics
