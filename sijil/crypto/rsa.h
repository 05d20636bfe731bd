// RSA-OAEP with SHA-256 and MGF1-SHA-256 (MOSIP's RSA/ECB/OAEPWITHSHA-256ANDMGF1PADDING),
// over keys in process memory. Thread-safe.
#ifndef SIJIL_CRYPTO_RSA_H_
#define SIJIL_CRYPTO_RSA_H_

#include <span>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"

namespace sijil::crypto {

// SIJ-CRY-022 for a non-RSA key; SIJ-CRY-003 if `plaintext` is too long for the key.
Result<Bytes> RsaOaepSha256Encrypt(const PublicKey& key, std::span<const uint8_t> plaintext);
// SIJ-CRY-032 when the ciphertext does not decrypt under `key`.
Result<Bytes> RsaOaepSha256Decrypt(const PrivateKey& key, std::span<const uint8_t> ciphertext);

// Removes OAEP (SHA-256/MGF1-SHA-256) padding from a raw RSA decryption result `block`
// (k bytes for a k-byte modulus; shorter input is left-padded). Used with HSMs that only
// offer raw RSA, as MOSIP does. Constant-time in the padding check. SIJ-CRY-032 on failure.
Result<Bytes> RsaOaepSha256Unpad(std::span<const uint8_t> block, size_t modulus_bytes);

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_RSA_H_
