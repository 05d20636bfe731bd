// MOSIP's hybrid encryption envelope (key manager encrypt/decrypt), byte for byte.
//
// Current format (MOSIP 1.2.0+, "VER_R2"), before base64url:
//   "VER_R2" ‖ SHA-256(recipient certificate DER) (32) ‖ RSA-OAEP-SHA256(aesKey) (256 for
//   RSA-2048) ‖ "#KEY_SPLITTER#" ‖ AAD (32 random bytes; nonce = AAD[0..11]) ‖
//   AES-256-GCM(aesKey, nonce, AAD, plaintext) ‖ tag (16)
// Legacy format (read only): [thumbprint (32)] ‖ RSA-OAEP(aesKey) ‖ "#KEY_SPLITTER#" ‖
//   AES-256-GCM ciphertext ‖ tag (16) ‖ IV (16), with no AAD unless the caller supplied one.
//
// The recipient's private key is found through an EnvelopeKeyResolver, so keys held in an
// HSM or wrapped in the database can unwrap without leaving their home. Thread-safe.
#ifndef SIJIL_CRYPTO_ENVELOPE_H_
#define SIJIL_CRYPTO_ENVELOPE_H_

#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"

namespace sijil::crypto {

inline constexpr std::string_view kEnvelopeVersionR2 = "VER_R2";
inline constexpr std::string_view kKeySplitter = "#KEY_SPLITTER#";
inline constexpr size_t kEnvelopeThumbprintSize = 32;
inline constexpr size_t kEnvelopeAadSize = 32;
inline constexpr size_t kGcmNonceSize = 12;
inline constexpr size_t kGcmTagSize = 16;
inline constexpr size_t kLegacyIvSize = 16;

class EnvelopeKeyResolver {
 public:
  virtual ~EnvelopeKeyResolver() = default;
  // Unwraps the AES key `wrapped` (RSA-OAEP-SHA256) with the private key whose certificate
  // has SHA-256 `thumbprint`, or, for legacy envelopes without a thumbprint (empty span),
  // with the recipient's current key. SIJ-CRY-031 when no such key is known, SIJ-CRY-032
  // when it does not unwrap.
  virtual Result<Bytes> UnwrapKey(std::span<const uint8_t> thumbprint,
                                  std::span<const uint8_t> wrapped) = 0;
};

// A resolver over private keys held in memory, keyed by certificate thumbprint. The first
// key added answers legacy envelopes without a thumbprint. Not thread-safe while adding.
class PrivateKeyResolver final : public EnvelopeKeyResolver {
 public:
  void Add(std::span<const uint8_t> thumbprint, PrivateKey key);
  Result<Bytes> UnwrapKey(std::span<const uint8_t> thumbprint,
                          std::span<const uint8_t> wrapped) override;

 private:
  std::vector<std::pair<Bytes, PrivateKey>> keys_;
};

// Encrypts `plaintext` for the holder of `recipient`'s private key (an RSA certificate).
// Returns the raw VER_R2 bytes (MOSIP's API carries them base64url-encoded). Randomness (the
// AES key and the AAD) comes from `env`.
Result<Bytes> EnvelopeEncrypt(const Certificate& recipient, std::span<const uint8_t> plaintext,
                              Env& env);
// The same with an explicit public key and thumbprint (32 bytes).
Result<Bytes> EnvelopeEncrypt(const PublicKey& recipient, std::span<const uint8_t> thumbprint,
                              std::span<const uint8_t> plaintext, Env& env);

// Decrypts a VER_R2 or legacy envelope. `legacy_aad` is the caller-supplied AAD some legacy
// envelopes were made with (ignored for VER_R2). SIJ-CRY-030 when the bytes do not have
// either layout, SIJ-CRY-031/032 from the resolver, SIJ-CRY-032 when the GCM tag fails.
Result<Bytes> EnvelopeDecrypt(std::span<const uint8_t> envelope, EnvelopeKeyResolver& resolver,
                              std::span<const uint8_t> legacy_aad = {});

// AES-256-GCM with a 128-bit tag: returns ciphertext ‖ tag. `key` is 32 bytes.
Result<Bytes> AesGcmEncrypt(std::span<const uint8_t> key, std::span<const uint8_t> nonce,
                            std::span<const uint8_t> aad, std::span<const uint8_t> plaintext);
// Input is ciphertext ‖ tag. SIJ-CRY-032 when the tag does not verify.
Result<Bytes> AesGcmDecrypt(std::span<const uint8_t> key, std::span<const uint8_t> nonce,
                            std::span<const uint8_t> aad, std::span<const uint8_t> sealed);

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_ENVELOPE_H_
