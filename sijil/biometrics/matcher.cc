#include "sijil/biometrics/matcher.h"

#include <string>

#include "sijil/biometrics/bio_status.h"
#include "sijil/biometrics/finger_minutiae_record.h"

namespace sijil::biometrics {

std::string_view ModalityName(Modality modality) {
  switch (modality) {
    case Modality::kFinger:
      return "finger";
    case Modality::kIris:
      return "iris";
    case Modality::kFace:
      return "face";
  }
  return "unknown";
}

Result<Modality> ParseModality(std::string_view name) {
  if (name == "finger" || name == "fingerprint") return Modality::kFinger;
  if (name == "iris") return Modality::kIris;
  if (name == "face") return Modality::kFace;
  return InvalidBioInput("unknown modality \"" + std::string(name) +
                         "\" (expected finger, iris or face)");
}

Result<MatchScore> Matcher::CompareStored(std::span<const uint8_t> probe,
                                          std::span<const uint8_t> gallery) const {
  SIJIL_ASSIGN_OR_RETURN(std::unique_ptr<Probe> p, PrepareProbe(probe));
  SIJIL_ASSIGN_OR_RETURN(std::unique_ptr<GalleryTemplate> g, PrepareGallery(gallery));
  return p->Compare(*g);
}

double FmrOfScore(double score) { return FmrForScore(score); }
double ScoreForFmr(double fmr) { return ThresholdForFmr(fmr); }

namespace {

class FingerGallery final : public GalleryTemplate {
 public:
  explicit FingerGallery(const FingerTemplate& tmpl) : prepared_(tmpl) {}
  Modality modality() const override { return Modality::kFinger; }
  size_t ByteSize() const override { return prepared_.ByteSize(); }
  const PreparedFingerprint& prepared() const { return prepared_; }

 private:
  PreparedFingerprint prepared_;
};

class FingerProbe final : public Probe {
 public:
  explicit FingerProbe(const FingerTemplate& tmpl) : matcher_(tmpl) {}
  Modality modality() const override { return Modality::kFinger; }
  Result<MatchScore> Compare(const GalleryTemplate& gallery) const override {
    if (gallery.modality() != Modality::kFinger) {
      return InvalidBioInput("finger probe compared with a " +
                             std::string(ModalityName(gallery.modality())) + " template");
    }
    const MatchDetails d =
        matcher_.MatchWithDetails(static_cast<const FingerGallery&>(gallery).prepared());
    return MatchScore{d.score, d.raw_score};
  }

 private:
  FingerMatcher matcher_;
};

class FingerMatcherAdapter final : public Matcher {
 public:
  Modality modality() const override { return Modality::kFinger; }
  Result<std::unique_ptr<GalleryTemplate>> PrepareGallery(
      std::span<const uint8_t> stored) const override {
    SIJIL_ASSIGN_OR_RETURN(FingerTemplate t, ParseFingerTemplate(stored));
    return std::unique_ptr<GalleryTemplate>(std::make_unique<FingerGallery>(t));
  }
  Result<std::unique_ptr<Probe>> PrepareProbe(std::span<const uint8_t> stored) const override {
    SIJIL_ASSIGN_OR_RETURN(FingerTemplate t, ParseFingerTemplate(stored));
    return std::unique_ptr<Probe>(std::make_unique<FingerProbe>(t));
  }
  double Calibrate(double raw_score) const override { return CalibrateRawScore(raw_score); }
};

}  // namespace

std::unique_ptr<Matcher> NewFingerMatcher() { return std::make_unique<FingerMatcherAdapter>(); }

}  // namespace sijil::biometrics
