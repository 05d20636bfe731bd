// Byte encodings shared by every module: hex, base64 (RFC 4648 §4) and base64url (§5).
// Pure functions; thread-safe.
#ifndef SIJIL_BASE_ENCODING_H_
#define SIJIL_BASE_ENCODING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/result.h"

namespace sijil {

using Bytes = std::vector<uint8_t>;

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(std::span<const uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Upper-case hex (MOSIP's hashes and thumbprints are upper-case).
std::string HexEncode(std::span<const uint8_t> data, bool upper = true);
// Accepts either case; fails with SIJ-ENC-001 on odd length or a non-hex character.
Result<Bytes> HexDecode(std::string_view hex);

// Standard alphabet with '=' padding.
std::string Base64Encode(std::span<const uint8_t> data);
// URL-safe alphabet; padding omitted unless `pad`.
std::string Base64UrlEncode(std::span<const uint8_t> data, bool pad = false);
// Decodes either alphabet, padded or not, ignoring ASCII whitespace (XML payloads wrap
// lines). Fails with SIJ-ENC-002 on any other character or an impossible length.
Result<Bytes> Base64Decode(std::string_view text);

}  // namespace sijil

#endif  // SIJIL_BASE_ENCODING_H_
