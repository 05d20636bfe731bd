// JSON Web Signature (RFC 7515) in compact serialization, with detached payloads (RFC 7515
// Appendix F, "header..signature", which MOSIP's sign() returns) and unencoded payloads
// (RFC 7797, "b64": false), and the "x5c" certificate chain header.
//
// Parsing is strict, because tokens come from untrusted callers: exactly three segments,
// canonical unpadded base64url, a JSON object header without duplicate members, an "alg"
// among RS256/PS256/ES256/EdDSA (never "none", never HMAC), a key whose type fits the
// algorithm, "crit" listing only understood members. Every failure carries a SIJ-CRY-02x
// code (errors.h). All functions are thread-safe.
#ifndef SIJIL_CRYPTO_JWS_H_
#define SIJIL_CRYPTO_JWS_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"
#include "sijil/crypto/signature.h"

namespace sijil::crypto {

struct JwsSignOptions {
  // Omit the payload from the output ("header..signature"); the verifier supplies it.
  bool detached = false;
  // false: RFC 7797 unencoded payload ("b64": false, "crit": ["b64"]). An attached
  // unencoded payload must not contain '.'.
  bool b64 = true;
  // Put the signer's certificate chain in "x5c" (when it has one).
  bool include_x5c = true;
  // Optional header members; empty strings are left out.
  std::string kid;
  std::string typ;
  std::string cty;
};

// Returns the compact serialization. SIJ-CRY-020 for an attached unencoded payload with a
// '.', or the signer's error.
Result<std::string> SignJws(const Signer& signer, std::span<const uint8_t> payload,
                            const JwsSignOptions& options = {});

struct JwsHeader {
  SignatureAlgorithm alg = SignatureAlgorithm::kRs256;
  bool b64 = true;
  std::string kid;
  std::string typ;
  std::string cty;
  std::vector<Certificate> x5c;  // leaf first
  std::string json;              // the decoded header as sent
};

struct ParsedJws {
  JwsHeader header;
  Bytes payload;              // decoded (or the detached payload as given)
  std::string signing_input;  // what the signature covers
  Bytes signature;
  bool detached = false;  // the payload segment was empty and supplied separately
};

// Parses and checks the structure without checking the signature. Pass `detached_payload`
// for a detached JWS (then the payload segment must be empty).
Result<ParsedJws> ParseJws(std::string_view jws,
                           std::optional<std::span<const uint8_t>> detached_payload = {});

struct JwsVerifyOptions {
  // Algorithms the caller accepts; anything else fails with SIJ-CRY-021.
  std::vector<SignatureAlgorithm> allowed = {SignatureAlgorithm::kRs256, SignatureAlgorithm::kPs256,
                                             SignatureAlgorithm::kEs256,
                                             SignatureAlgorithm::kEdDsa};
};

// Parses `jws` and verifies it with `key`. Returns the parsed token (payload included) on
// success. SIJ-CRY-022 when the key type does not fit the header's alg, SIJ-CRY-023 when the
// signature is wrong.
Result<ParsedJws> VerifyJws(std::string_view jws, const PublicKey& key,
                            const JwsVerifyOptions& options = {},
                            std::optional<std::span<const uint8_t>> detached_payload = {});

// Verifies with the leaf of the token's "x5c" chain, after checking that each certificate
// is signed by the next and the last one is signed by (or equal to) one of `trusted`.
// SIJ-CRY-026 when the chain is missing or does not lead to a trusted certificate.
Result<ParsedJws> VerifyJwsWithX5c(std::string_view jws, std::span<const Certificate> trusted,
                                   const JwsVerifyOptions& options = {},
                                   std::optional<std::span<const uint8_t>> detached_payload = {});

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_JWS_H_
