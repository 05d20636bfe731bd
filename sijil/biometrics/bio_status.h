// Bio-SDK status codes and their mapping to Sijil's Status.
//
// MOSIP's Bio-SDK interface answers every call with an integer status: 200 OK, 401 invalid
// input, 402 missing input, 403 quality check failed, 404 biometrics not found (in the
// CBEFF), 405 matching failed, 406 poor data quality, 500 unknown error. Every biometric
// parser and engine in this module reports failures as a Status whose code is
// "BIO-<number>" (e.g. "BIO-401"), so the Bio-SDK facade can answer with the integer and the
// HTTP layer can still choose a status from the kind. Pure functions; thread-safe.
#ifndef SIJIL_BIOMETRICS_BIO_STATUS_H_
#define SIJIL_BIOMETRICS_BIO_STATUS_H_

#include <string>
#include <string_view>

#include "sijil/base/status.h"

namespace sijil::biometrics {

enum class BioErrorCode : int {
  kOk = 200,
  kInvalidInput = 401,
  kMissingInput = 402,
  kQualityCheckFailed = 403,
  kBiometricsNotFound = 404,
  kMatchingFailed = 405,
  kPoorDataQuality = 406,
  kUnknown = 500,
};

// The Status for `code` with the default kind for it (401/402 invalid argument, 403/406
// failed precondition, 404 not found, 405/500 internal). `message` must be safe to show a
// client (no biometric data, no personal data).
Status BioStatus(BioErrorCode code, std::string message);
// Same, with an explicit kind, e.g. 401 with kUnimplemented for a valid but unsupported
// record variant, or 401 with kResourceExhausted for a record over a size limit.
Status BioStatus(BioErrorCode code, StatusKind kind, std::string message);

// Shorthands for the cases parsers meet most.
inline Status InvalidBioInput(std::string message) {
  return BioStatus(BioErrorCode::kInvalidInput, std::move(message));
}
inline Status MissingBioInput(std::string message) {
  return BioStatus(BioErrorCode::kMissingInput, std::move(message));
}

// The Bio-SDK code a Status stands for: 200 for OK, the number in a "BIO-<n>" code, else a
// mapping from the kind (invalid argument 401, not found 404, anything else 500).
BioErrorCode BioErrorCodeOf(const Status& status);

// "BIO-401" etc.
std::string BioCodeString(BioErrorCode code);
// Short English name of the code ("invalid input").
std::string_view BioErrorName(BioErrorCode code);

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_BIO_STATUS_H_
