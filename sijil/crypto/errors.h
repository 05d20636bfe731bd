// Stable error codes of the crypto module (key manager, HSM, envelopes, JWS, hashes).
//
// The codes are part of the API: callers map them to HTTP responses and operators search
// logs for them. Messages that accompany them never carry key material or personal data.
#ifndef SIJIL_CRYPTO_ERRORS_H_
#define SIJIL_CRYPTO_ERRORS_H_

namespace sijil::crypto {

// Keys and OpenSSL.
inline constexpr char kErrBadKey[] = "SIJ-CRY-001";          // malformed key or certificate
inline constexpr char kErrUnsupported[] = "SIJ-CRY-002";     // algorithm not supported
inline constexpr char kErrOpenSsl[] = "SIJ-CRY-003";         // unexpected OpenSSL failure
inline constexpr char kErrBadCertificate[] = "SIJ-CRY-004";  // certificate chain invalid

// HSM (PKCS#11).
inline constexpr char kErrHsmModule[] = "SIJ-CRY-010";       // module missing / not PKCS#11
inline constexpr char kErrHsmToken[] = "SIJ-CRY-011";        // token not found / not created
inline constexpr char kErrHsmLogin[] = "SIJ-CRY-012";        // wrong PIN
inline constexpr char kErrHsmPinLocked[] = "SIJ-CRY-013";    // PIN locked after failures
inline constexpr char kErrHsm[] = "SIJ-CRY-014";             // other PKCS#11 failure
inline constexpr char kErrHsmKeyNotFound[] = "SIJ-CRY-015";  // no key with that label
inline constexpr char kErrHsmKeyExists[] = "SIJ-CRY-016";    // label already used
inline constexpr char kErrHsmConfig[] = "SIJ-CRY-017";       // bad settings (empty PIN...)

// JWS.
inline constexpr char kErrJwsMalformed[] = "SIJ-CRY-020";    // not header.payload.signature
inline constexpr char kErrJwsAlgorithm[] = "SIJ-CRY-021";    // alg none / unknown / not allowed
inline constexpr char kErrJwsKeyMismatch[] = "SIJ-CRY-022";  // key type does not fit alg
inline constexpr char kErrJwsSignature[] = "SIJ-CRY-023";    // signature does not verify
inline constexpr char kErrJwsBase64[] = "SIJ-CRY-024";       // malformed base64url segment
inline constexpr char kErrJwsHeader[] = "SIJ-CRY-025";       // header not a JSON object, crit...
inline constexpr char kErrJwsCertificate[] = "SIJ-CRY-026";  // x5c malformed or untrusted

// Envelope (MOSIP hybrid encryption).
inline constexpr char kErrEnvelopeMalformed[] = "SIJ-CRY-030";  // layout does not parse
inline constexpr char kErrEnvelopeNoKey[] = "SIJ-CRY-031";      // no private key for thumbprint
inline constexpr char kErrEnvelopeDecrypt[] = "SIJ-CRY-032";    // unwrap or GCM tag failed

// Key hierarchy.
inline constexpr char kErrKeyNotFound[] = "SIJ-CRY-040";     // no key for (app, ref)
inline constexpr char kErrBadApplication[] = "SIJ-CRY-041";  // unknown application id / ref
inline constexpr char kErrKeyStorage[] = "SIJ-CRY-042";      // key tables corrupt
inline constexpr char kErrKeyExpired[] = "SIJ-CRY-043";      // no valid key at this time

// Hashes and tokens.
inline constexpr char kErrBadIdentifier[] = "SIJ-CRY-050";  // id unusable for salting
inline constexpr char kErrSaltMissing[] = "SIJ-CRY-051";    // salt table incomplete

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_ERRORS_H_
