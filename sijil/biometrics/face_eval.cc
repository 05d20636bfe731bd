#include "sijil/biometrics/face_eval.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <system_error>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {
namespace {

bool IsFaceFile(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".pgm" || ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".jp2" ||
         ext == ".j2k" || ext == ".iso";
}

// "s2" < "s10", "2.pgm" < "10.pgm": digit runs compare as numbers.
bool NaturalLess(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string_view da(a.data() + i, i2 - i), db(b.data() + j, j2 - j);
      while (da.size() > 1 && da.front() == '0') da.remove_prefix(1);
      while (db.size() > 1 && db.front() == '0') db.remove_prefix(1);
      if (da.size() != db.size()) return da.size() < db.size();
      if (da != db) return da < db;
      i = i2, j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i, ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

std::vector<std::filesystem::path> SortedEntries(const std::filesystem::path& dir, bool dirs) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (dirs ? e.is_directory(ec) : (e.is_regular_file(ec) && IsFaceFile(e.path()))) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return NaturalLess(x.filename().string(), y.filename().string());
  });
  return out;
}

}  // namespace

Result<FaceDatabase> LoadFaceDatabase(Env& env, FaceEngine& engine,
                                      const std::filesystem::path& dir,
                                      const FaceExtractOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound("SIJ-BIO-070", "face database folder not found: " + dir.string());
  }
  FaceDatabase db;
  double quality = 0;
  std::chrono::duration<double> extract_time{0};
  for (const auto& subject_dir : SortedEntries(dir, /*dirs=*/true)) {
    const std::string subject = subject_dir.filename().string();
    bool any = false;
    for (const auto& file : SortedEntries(subject_dir, /*dirs=*/false)) {
      ++db.images;
      any = true;
      SIJIL_ASSIGN_OR_RETURN(std::string raw, env.ReadFile(file));
      const bool record = file.extension() == ".iso";
      auto image = record ? FaceRecordImage(AsBytes(raw)) : DecodeFaceImageFile(AsBytes(raw));
      if (!image.ok()) return image.status().WithContext(file.string());
      auto t0 = env.MonotonicNow();
      auto t = engine.Extract(*image, options);
      extract_time += env.MonotonicNow() - t0;
      if (!t.ok()) {
        ++db.failed;
        continue;
      }
      (t->detected ? db.detected : db.fallback)++;
      quality += t->quality.score;
      db.samples.push_back({subject, file.filename().string(), std::move(*t)});
    }
    if (any) ++db.subjects;
  }
  if (db.images == 0) {
    return Status::NotFound(
        "SIJ-BIO-071",
        "no face images (pgm, png, jpg, jp2, iso) in the sub-folders of " + dir.string());
  }
  db.extract_seconds_per_image = extract_time.count() / static_cast<double>(db.images);
  if (!db.samples.empty()) db.mean_quality = quality / static_cast<double>(db.samples.size());
  return db;
}

ScoreStats ComputeScoreStats(const std::vector<double>& scores) {
  ScoreStats s;
  if (scores.empty()) return s;
  double sum = 0, sq = 0;
  s.min = scores.front(), s.max = scores.front();
  for (double v : scores) {
    sum += v, sq += v * v;
    s.min = std::min(s.min, v), s.max = std::max(s.max, v);
  }
  const double n = static_cast<double>(scores.size());
  s.mean = sum / n;
  s.sd = std::sqrt(std::max(0.0, sq / n - s.mean * s.mean));
  return s;
}

double ThresholdAtFmr(const ErrorRates& rates, double fmr) {
  for (const DetPoint& p : rates.det) {
    if (p.fmr <= fmr) return p.threshold;
  }
  return 1.0;
}

FaceEvaluation EvaluateFace(Env& env, const FaceDatabase& db) {
  FaceEvaluation out;
  const auto& s = db.samples;
  std::vector<std::pair<size_t, size_t>> genuine, impostor;
  for (size_t i = 0; i < s.size(); ++i) {
    for (size_t j = i + 1; j < s.size(); ++j) {
      (s[i].subject == s[j].subject ? genuine : impostor).emplace_back(i, j);
    }
  }
  out.genuine_scores.resize(genuine.size());
  out.impostor_scores.resize(impostor.size());
  // Cosine of 512 floats takes tens of nanoseconds: repeat the whole pass until the timing
  // covers at least a fifth of a second.
  const size_t total = genuine.size() + impostor.size();
  size_t passes = 0;
  auto m0 = env.MonotonicNow();
  const std::clock_t c0 = std::clock();
  std::chrono::duration<double> elapsed{0};
  do {
    for (size_t k = 0; k < genuine.size(); ++k) {
      out.genuine_scores[k] =
          FaceEngine::Compare(s[genuine[k].first].tmpl, s[genuine[k].second].tmpl);
    }
    for (size_t k = 0; k < impostor.size(); ++k) {
      out.impostor_scores[k] =
          FaceEngine::Compare(s[impostor[k].first].tmpl, s[impostor[k].second].tmpl);
    }
    ++passes;
    elapsed = env.MonotonicNow() - m0;
  } while (total > 0 && elapsed.count() < 0.2 && passes < 1000);
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  const double done = static_cast<double>(total * passes);
  out.comparisons_per_second = elapsed.count() > 0 ? done / elapsed.count() : 0;
  out.comparisons_per_cpu_second = cpu > 0 ? done / cpu : 0;
  out.rates = ComputeErrorRates(out.genuine_scores, out.impostor_scores);
  out.genuine = ComputeScoreStats(out.genuine_scores);
  out.impostor = ComputeScoreStats(out.impostor_scores);
  out.threshold_fmr1000 = ThresholdAtFmr(out.rates, 1e-3);
  out.threshold_fmr100 = ThresholdAtFmr(out.rates, 1e-2);
  std::vector<double> dg, di;
  for (size_t k = 0; k < genuine.size(); ++k) {
    if (s[genuine[k].first].tmpl.detected && s[genuine[k].second].tmpl.detected) {
      dg.push_back(out.genuine_scores[k]);
    }
  }
  for (size_t k = 0; k < impostor.size(); ++k) {
    if (s[impostor[k].first].tmpl.detected && s[impostor[k].second].tmpl.detected) {
      di.push_back(out.impostor_scores[k]);
    }
  }
  out.detected_only = ComputeErrorRates(dg, di);
  out.detected_only.det.clear();  // only the summary rates are reported
  out.detected_only_genuine = dg.size();
  out.detected_only_impostor = di.size();
  return out;
}

}  // namespace sijil::biometrics
