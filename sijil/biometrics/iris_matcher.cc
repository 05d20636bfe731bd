#include "sijil/biometrics/iris_matcher.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sijil/biometrics/bio_status.h"

namespace sijil::biometrics {
namespace {

// Continued fraction of the regularised incomplete beta function (modified Lentz), valid
// and fast for x < (a + 1) / (a + b + 2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEps = 1e-14;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 400; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < kEps) break;
  }
  return h;
}

// log of I_x(a, b), the regularised incomplete beta function, for 0 < x < 1, a, b > 0.
double LogIncompleteBeta(double a, double b, double x) {
  const double log_front =
      a * std::log(x) + b * std::log1p(-x) + std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b);
  if (x < (a + 1.0) / (a + b + 2.0)) {
    return log_front + std::log(BetaContinuedFraction(a, b, x) / a);
  }
  const double upper = std::exp(log_front) * BetaContinuedFraction(b, a, 1.0 - x) / b;
  return std::log(std::max(1.0 - upper, std::numeric_limits<double>::min()));
}

// log P(X <= k) for X ~ Binomial(n, 1/2), k real: I_{1/2}(n - k, k + 1).
double LogBinomialCdf(double k, double n) {
  if (k >= n) return 0.0;
  if (k < 0) k = 0;
  return LogIncompleteBeta(n - k, k + 1.0, 0.5);
}

// log FMR of the best of `m` independent impostor draws.
double LogFmr(double normalized_hd, const IrisMatcherOptions& options) {
  const double n = options.degrees_of_freedom;
  const double log_f = LogBinomialCdf(normalized_hd * n, n);
  const double m = 2.0 * options.max_shift + 1.0;
  if (log_f < -30) return std::log(m) + log_f;  // 1 - (1 - F)^m ~ m F, exactly enough here
  const double f = std::exp(log_f);
  const double fmr = f >= 1.0 ? 1.0 : -std::expm1(m * std::log1p(-f));
  return std::log(std::max(fmr, std::numeric_limits<double>::min()));
}

// IrisScoreForDistance sampled on a fine grid, so that scoring a comparison costs a table
// lookup rather than an incomplete beta function (matters at millions of comparisons/s).
class ScoreTable {
 public:
  static constexpr int kSteps = 4096;
  explicit ScoreTable(const IrisMatcherOptions& options) : score_(kSteps + 1) {
    for (int i = 0; i <= kSteps; ++i) {
      score_[i] = IrisScoreForDistance(static_cast<double>(i) / kSteps, options);
    }
  }
  double operator()(double hd) const {
    const double x = std::clamp(hd, 0.0, 1.0) * kSteps;
    const int i = std::min(static_cast<int>(x), kSteps - 1);
    const double t = x - i;
    return score_[i] + t * (score_[i + 1] - score_[i]);
  }

 private:
  std::vector<double> score_;
};

class IrisGallery final : public GalleryTemplate {
 public:
  explicit IrisGallery(const IrisCode& code) : code_(code) {}
  Modality modality() const override { return Modality::kIris; }
  size_t ByteSize() const override { return sizeof(IrisCode); }
  const IrisCode& code() const { return code_; }

 private:
  IrisCode code_;
};

class IrisProbe final : public Probe {
 public:
  IrisProbe(PreparedIrisProbe prepared, std::shared_ptr<const ScoreTable> table)
      : prepared_(std::move(prepared)), table_(std::move(table)) {}
  Modality modality() const override { return Modality::kIris; }
  Result<MatchScore> Compare(const GalleryTemplate& gallery) const override {
    if (gallery.modality() != Modality::kIris) {
      return InvalidBioInput("iris probe compared with a " +
                             std::string(ModalityName(gallery.modality())) + " template");
    }
    auto c = CompareIris(prepared_, static_cast<const IrisGallery&>(gallery).code());
    if (!c.ok()) return BioStatus(BioErrorCode::kMatchingFailed, c.status().message());
    return MatchScore{(*table_)(c->normalized_hd), c->normalized_hd};
  }

 private:
  PreparedIrisProbe prepared_;
  std::shared_ptr<const ScoreTable> table_;
};

class IrisMatcher final : public Matcher {
 public:
  explicit IrisMatcher(const IrisMatcherOptions& options)
      : options_(options), table_(std::make_shared<ScoreTable>(options)) {}
  Modality modality() const override { return Modality::kIris; }
  Result<std::unique_ptr<GalleryTemplate>> PrepareGallery(
      std::span<const uint8_t> stored) const override {
    SIJIL_ASSIGN_OR_RETURN(IrisCode code, ParseIrisCode(stored));
    return MakeIrisGalleryTemplate(code);
  }
  Result<std::unique_ptr<Probe>> PrepareProbe(std::span<const uint8_t> stored) const override {
    SIJIL_ASSIGN_OR_RETURN(IrisCode code, ParseIrisCode(stored));
    SIJIL_ASSIGN_OR_RETURN(PreparedIrisProbe prepared,
                           PreparedIrisProbe::Create(code, options_.max_shift));
    return std::unique_ptr<Probe>(std::make_unique<IrisProbe>(std::move(prepared), table_));
  }
  double Calibrate(double raw_score) const override { return (*table_)(raw_score); }

 private:
  IrisMatcherOptions options_;
  std::shared_ptr<const ScoreTable> table_;
};

}  // namespace

double IrisFmrForDistance(double normalized_hd, const IrisMatcherOptions& options) {
  return std::exp(LogFmr(normalized_hd, options));
}

double IrisScoreForDistance(double normalized_hd, const IrisMatcherOptions& options) {
  const double score = -10.0 * LogFmr(normalized_hd, options) / std::log(10.0);
  return std::clamp(score, 0.0, kMaxScore);
}

Result<std::unique_ptr<Matcher>> NewIrisMatcher(const IrisMatcherOptions& options) {
  if (options.max_shift < 0 || options.max_shift > kIrisMaxShift) {
    return Status::InvalidArgument(
        "SIJ-BIO-040", "iris max_shift must be in [0, " + std::to_string(kIrisMaxShift) + "]");
  }
  if (!(options.degrees_of_freedom >= 1)) {
    return Status::InvalidArgument("SIJ-BIO-042", "iris degrees_of_freedom must be >= 1");
  }
  return std::unique_ptr<Matcher>(std::make_unique<IrisMatcher>(options));
}

std::unique_ptr<GalleryTemplate> MakeIrisGalleryTemplate(const IrisCode& code) {
  return std::make_unique<IrisGallery>(code);
}

Result<std::unique_ptr<Probe>> MakeIrisProbe(const IrisCode& code,
                                             const IrisMatcherOptions& options) {
  SIJIL_ASSIGN_OR_RETURN(PreparedIrisProbe prepared,
                         PreparedIrisProbe::Create(code, options.max_shift));
  return std::unique_ptr<Probe>(
      std::make_unique<IrisProbe>(std::move(prepared), std::make_shared<ScoreTable>(options)));
}

}  // namespace sijil::biometrics
