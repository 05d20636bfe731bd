// CBEFF biometric information records (BIRs) in XML, ISO/IEC 19785-3 patron format as MOSIP
// writes them: read and write.
//
// MOSIP's writers are not consistent, and the reader accepts all of what they produce:
//  - namespaces: the ISO ed-2 one (http://standards.iso.org/iso-iec/19785/-3/ed-2/) and the
//    OASIS BIAS one (http://docs.oasis-open.org/bias/ns/biaspatronformat-1.0/), or none;
//  - the BDB format as <Format><Organization/><Type/></Format> or as
//    <FormatOwner/><FormatType/> (same for Product); quality as
//    <Quality><Algorithm/><Score/></Quality> or as a bare integer;
//  - extra entries as <Others><Key/><Value/></Others> (repeated) or as
//    <others><entry key="..">value</entry></others>; element names compared
//    case-insensitively;
//  - BDB, SB and other binary fields in base64 or base64url, padded or not, wrapped or not;
//  - elements of other namespaces (e.g. MOSIP test markers) kept verbatim as extensions.
// BIRs nest (a root BIR holds one child per finger/iris/face).
//
// Value types and pure functions; thread-safe. The input is untrusted: its size, nesting
// depth and BIR count are bounded (CbeffLimits) and malformed XML gives BIO-401.
#ifndef SIJIL_BIOMETRICS_CBEFF_H_
#define SIJIL_BIOMETRICS_CBEFF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"

namespace sijil::biometrics {

inline constexpr std::string_view kCbeffIsoNamespace =
    "http://standards.iso.org/iso-iec/19785/-3/ed-2/";
inline constexpr std::string_view kCbeffOasisNamespace =
    "http://docs.oasis-open.org/bias/ns/biaspatronformat-1.0/";

// MOSIP's BDB format types (format organisation 257, "Mosip").
inline constexpr int kCbeffFormatFingerMinutiae = 2;
inline constexpr int kCbeffFormatFingerImage = 7;
inline constexpr int kCbeffFormatFaceImage = 8;
inline constexpr int kCbeffFormatIrisImage = 9;

struct CbeffVersion {
  uint32_t major = 1;
  uint32_t minor = 1;
  friend bool operator==(const CbeffVersion&, const CbeffVersion&) = default;
};

// An (organisation, type) pair from a registry: BDB format, product, algorithms.
struct RegistryId {
  std::string organization;
  std::string type;
  friend bool operator==(const RegistryId&, const RegistryId&) = default;
};

struct CbeffQuality {
  std::optional<RegistryId> algorithm;
  std::optional<int> score;  // 0..100 (legacy records also use -1, -2)
  std::optional<std::string> calculation_failed;
  friend bool operator==(const CbeffQuality&, const CbeffQuality&) = default;
};

struct BirInfo {
  std::optional<std::string> creator;
  std::optional<std::string> index;
  std::optional<Bytes> payload;
  std::optional<bool> integrity;
  std::optional<std::string> creation_date;
  std::optional<std::string> not_valid_before;
  std::optional<std::string> not_valid_after;
  friend bool operator==(const BirInfo&, const BirInfo&) = default;
};

struct BdbInfo {
  std::optional<Bytes> challenge_response;
  std::optional<std::string> index;
  std::optional<RegistryId> format;
  std::optional<bool> encryption;
  std::optional<std::string> creation_date;
  std::optional<std::string> not_valid_before;
  std::optional<std::string> not_valid_after;
  std::vector<std::string> type;                    // e.g. {"Finger"}
  std::optional<std::vector<std::string>> subtype;  // e.g. {"Left", "IndexFinger"}; {} = empty
  std::optional<std::string> level;                 // Raw, Intermediate, Processed
  std::optional<RegistryId> product;
  std::optional<RegistryId> capture_device;
  std::optional<RegistryId> feature_extraction_algorithm;
  std::optional<RegistryId> comparison_algorithm;
  std::optional<RegistryId> compression_algorithm;
  std::optional<std::string> purpose;  // Verify, Identify, Enroll, ...
  std::optional<CbeffQuality> quality;
  friend bool operator==(const BdbInfo&, const BdbInfo&) = default;
};

struct Bir {
  std::optional<CbeffVersion> version;
  std::optional<CbeffVersion> cbeff_version;
  BirInfo bir_info;
  std::optional<BdbInfo> bdb_info;
  std::optional<RegistryId> sb_format;  // SBInfo/Format
  std::vector<Bir> children;
  std::optional<Bytes> bdb;
  std::optional<Bytes> sb;
  std::vector<std::pair<std::string, std::string>> others;  // in document order
  std::vector<std::string> extensions;                      // foreign elements, serialised XML
  friend bool operator==(const Bir&, const Bir&) = default;

  // The value of the first `others` entry named `key`, if any.
  std::optional<std::string> Other(std::string_view key) const;
};

struct CbeffLimits {
  size_t max_bytes = 64u << 20;
  int max_depth = 8;
  size_t max_birs = 4096;
};

Result<Bir> ParseCbeffXml(std::string_view xml, const CbeffLimits& limits = {});

enum class CbeffFlavor {
  // ISO ed-2 namespace, Format/Quality elements, <others><entry key=".."> (MOSIP 1.2).
  kIso,
  // OASIS namespace, FormatOwner/FormatType, integer Quality, <Others><Key><Value> (MOSIP's
  // older writers).
  kOasis,
};
struct CbeffWriteOptions {
  CbeffFlavor flavor = CbeffFlavor::kIso;
  bool base64url = false;  // BDB/SB/payload in base64url (no padding) instead of base64
};
Result<std::string> WriteCbeffXml(const Bir& root, const CbeffWriteOptions& options = {});

// Every BIR in the tree that carries a BDB, depth first in document order.
std::vector<const Bir*> BirsWithBdb(const Bir& root);
// BIRs whose BDB type is `type` (case-insensitive, e.g. "Finger") and, when `subtype` is not
// empty, whose subtype words equal it ("Left IndexFinger"). Fails with BIO-404 when none.
Result<std::vector<const Bir*>> FindBirs(const Bir& root, std::string_view type,
                                         std::string_view subtype = "");

}  // namespace sijil::biometrics

#endif  // SIJIL_BIOMETRICS_CBEFF_H_
