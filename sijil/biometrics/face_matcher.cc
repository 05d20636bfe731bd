#include "sijil/biometrics/face_matcher.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/face_engine.h"

namespace sijil::biometrics {
namespace {

constexpr char kMagic[4] = {'S', 'F', 'E', '\0'};
constexpr size_t kMaxLength = 4096;

class FaceGallery final : public GalleryTemplate {
 public:
  explicit FaceGallery(std::vector<float> v) : v_(std::move(v)) {}
  Modality modality() const override { return Modality::kFace; }
  size_t ByteSize() const override { return v_.size() * sizeof(float); }
  const std::vector<float>& embedding() const { return v_; }

 private:
  std::vector<float> v_;
};

class FaceProbe final : public Probe {
 public:
  FaceProbe(std::vector<float> v, FaceMatcherOptions options)
      : v_(std::move(v)), options_(options) {}
  Modality modality() const override { return Modality::kFace; }
  Result<MatchScore> Compare(const GalleryTemplate& gallery) const override {
    if (gallery.modality() != Modality::kFace) {
      return InvalidBioInput("face probe compared with a " +
                             std::string(ModalityName(gallery.modality())) + " template");
    }
    const auto& g = static_cast<const FaceGallery&>(gallery).embedding();
    if (g.size() != v_.size()) {
      return BioStatus(BioErrorCode::kMatchingFailed,
                       "face embeddings of different lengths (different models)");
    }
    const double cosine = FaceCosine(v_, g);
    return MatchScore{FaceScoreForCosine(cosine, options_), cosine};
  }

 private:
  std::vector<float> v_;
  FaceMatcherOptions options_;
};

class FaceMatcherImpl final : public Matcher {
 public:
  explicit FaceMatcherImpl(FaceMatcherOptions options) : options_(options) {}
  Modality modality() const override { return Modality::kFace; }
  Result<std::unique_ptr<GalleryTemplate>> PrepareGallery(
      std::span<const uint8_t> stored) const override {
    SIJIL_ASSIGN_OR_RETURN(std::vector<float> v, ParseFaceEmbedding(stored));
    return std::unique_ptr<GalleryTemplate>(std::make_unique<FaceGallery>(std::move(v)));
  }
  Result<std::unique_ptr<Probe>> PrepareProbe(std::span<const uint8_t> stored) const override {
    SIJIL_ASSIGN_OR_RETURN(std::vector<float> v, ParseFaceEmbedding(stored));
    return std::unique_ptr<Probe>(std::make_unique<FaceProbe>(std::move(v), options_));
  }
  double Calibrate(double raw_score) const override {
    return FaceScoreForCosine(raw_score, options_);
  }

 private:
  FaceMatcherOptions options_;
};

}  // namespace

Bytes SerializeFaceEmbedding(std::span<const float> embedding) {
  Bytes out(kMagic, kMagic + 4);
  const size_t n = std::min(embedding.size(), kMaxLength);
  out.push_back(static_cast<uint8_t>(n >> 8));
  out.push_back(static_cast<uint8_t>(n));
  for (size_t i = 0; i < n; ++i) {
    const uint32_t bits = std::bit_cast<uint32_t>(embedding[i]);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(bits >> shift));
  }
  return out;
}

Result<std::vector<float>> ParseFaceEmbedding(std::span<const uint8_t> stored) {
  if (stored.empty()) return MissingBioInput("face template is empty");
  if (stored.size() < 6 || std::memcmp(stored.data(), kMagic, 4) != 0) {
    return InvalidBioInput("not a face template (magic SFE)");
  }
  const size_t n = (size_t{stored[4]} << 8) | stored[5];
  if (n == 0 || n > kMaxLength) return InvalidBioInput("face template length out of range");
  if (stored.size() != 6 + 4 * n) {
    return InvalidBioInput("face template size does not match its length");
  }
  std::vector<float> v(n);
  double norm = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = stored.data() + 6 + 4 * i;
    const uint32_t bits =
        (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    v[i] = std::bit_cast<float>(bits);
    if (!std::isfinite(v[i])) return InvalidBioInput("face template holds a non-finite value");
    norm += double{v[i]} * v[i];
  }
  if (std::abs(std::sqrt(norm) - 1.0) > 1e-3) {
    return InvalidBioInput("face template is not a unit vector");
  }
  return v;
}

double FaceScoreForCosine(double cosine, const FaceMatcherOptions& options) {
  const double sd = options.impostor_sd > 1e-9 ? options.impostor_sd : 1e-9;
  const double z = (cosine - options.impostor_mean) / sd;
  const double fmr = 0.5 * std::erfc(z / std::sqrt(2.0));
  if (!(fmr > 0)) return kMaxScore;  // far beyond the tail: erfc underflowed
  return std::clamp(-10.0 * std::log10(fmr), 0.0, kMaxScore);
}

std::unique_ptr<Matcher> NewFaceMatcher(const FaceMatcherOptions& options) {
  return std::make_unique<FaceMatcherImpl>(options);
}

}  // namespace sijil::biometrics
