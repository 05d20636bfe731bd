#include "sijil/biometrics/bio_status.h"

#include <charconv>
#include <utility>

namespace sijil::biometrics {
namespace {

StatusKind DefaultKind(BioErrorCode code) {
  switch (code) {
    case BioErrorCode::kInvalidInput:
    case BioErrorCode::kMissingInput:
      return StatusKind::kInvalidArgument;
    case BioErrorCode::kQualityCheckFailed:
    case BioErrorCode::kPoorDataQuality:
      return StatusKind::kFailedPrecondition;
    case BioErrorCode::kBiometricsNotFound:
      return StatusKind::kNotFound;
    case BioErrorCode::kOk:
    case BioErrorCode::kMatchingFailed:
    case BioErrorCode::kUnknown:
      break;
  }
  return StatusKind::kInternal;
}

bool IsKnown(int n) {
  switch (n) {
    case 401:
    case 402:
    case 403:
    case 404:
    case 405:
    case 406:
    case 500:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string BioCodeString(BioErrorCode code) {
  return "BIO-" + std::to_string(static_cast<int>(code));
}

std::string_view BioErrorName(BioErrorCode code) {
  switch (code) {
    case BioErrorCode::kOk:
      return "ok";
    case BioErrorCode::kInvalidInput:
      return "invalid input";
    case BioErrorCode::kMissingInput:
      return "missing input";
    case BioErrorCode::kQualityCheckFailed:
      return "quality check failed";
    case BioErrorCode::kBiometricsNotFound:
      return "biometrics not found";
    case BioErrorCode::kMatchingFailed:
      return "matching failed";
    case BioErrorCode::kPoorDataQuality:
      return "poor data quality";
    case BioErrorCode::kUnknown:
      return "unknown error";
  }
  return "unknown error";
}

Status BioStatus(BioErrorCode code, std::string message) {
  return BioStatus(code, DefaultKind(code), std::move(message));
}

Status BioStatus(BioErrorCode code, StatusKind kind, std::string message) {
  if (code == BioErrorCode::kOk || kind == StatusKind::kOk) {
    // An OK code is not a failure; keep the invariant that a failed Status has a kind.
    return Status::Internal(BioCodeString(BioErrorCode::kUnknown), std::move(message));
  }
  return Status(kind, BioCodeString(code), std::move(message));
}

BioErrorCode BioErrorCodeOf(const Status& status) {
  if (status.ok()) return BioErrorCode::kOk;
  std::string_view code = status.code();
  if (code.size() == 7 && code.substr(0, 4) == "BIO-") {
    int n = 0;
    auto [ptr, ec] = std::from_chars(code.data() + 4, code.data() + code.size(), n);
    if (ec == std::errc() && ptr == code.data() + code.size() && IsKnown(n)) {
      return static_cast<BioErrorCode>(n);
    }
  }
  switch (status.kind()) {
    case StatusKind::kInvalidArgument:
      return BioErrorCode::kInvalidInput;
    case StatusKind::kNotFound:
      return BioErrorCode::kBiometricsNotFound;
    default:
      return BioErrorCode::kUnknown;
  }
}

}  // namespace sijil::biometrics
