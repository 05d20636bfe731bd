// Digital signatures in JOSE form (RFC 7518 §3) and the Signer seam.
//
// A Signer hides where the private key lives: process memory (PrivateKeySigner, for base
// keys unwrapped from the database) or an HSM (KeyStoreSigner in key_store.h). Signatures
// are in JOSE form: RSA as usual, ECDSA as the 64-byte r||s, Ed25519 as 64 bytes.
// All functions and every Signer are thread-safe.
#ifndef SIJIL_CRYPTO_SIGNATURE_H_
#define SIJIL_CRYPTO_SIGNATURE_H_

#include <span>
#include <string_view>
#include <vector>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"

namespace sijil::crypto {

// RS256 = RSASSA-PKCS1-v1_5 SHA-256; PS256 = RSASSA-PSS SHA-256, MGF1-SHA-256, 32-byte
// salt; ES256 = ECDSA P-256 SHA-256; EdDSA = Ed25519 (pure).
enum class SignatureAlgorithm { kRs256, kPs256, kEs256, kEdDsa };

// "RS256", "PS256", "ES256", "EdDSA" (the JOSE "alg" values).
std::string_view JwsAlgorithmName(SignatureAlgorithm algorithm);
// Exact, case-sensitive match of the JOSE names; "none" and anything else fail with
// SIJ-CRY-021.
Result<SignatureAlgorithm> ParseJwsAlgorithm(std::string_view name);
// Whether a key of type `key` can make or check `algorithm` signatures.
bool AlgorithmFitsKey(SignatureAlgorithm algorithm, KeyAlgorithm key);
// The algorithm Sijil uses by default for a key type (RS256 for RSA, as MOSIP does).
SignatureAlgorithm DefaultAlgorithmFor(KeyAlgorithm key);

// Signs `data`. SIJ-CRY-022 if the key does not fit the algorithm.
Result<Bytes> SignWithKey(const PrivateKey& key, SignatureAlgorithm algorithm,
                          std::span<const uint8_t> data);
// OK if `signature` is valid; SIJ-CRY-023 if not, SIJ-CRY-022 on a key/algorithm mismatch.
Status VerifySignature(const PublicKey& key, SignatureAlgorithm algorithm,
                       std::span<const uint8_t> data, std::span<const uint8_t> signature);

class Signer {
 public:
  virtual ~Signer() = default;
  virtual SignatureAlgorithm algorithm() const = 0;
  // The signer's certificate chain, leaf first (may be empty). JWS puts it in "x5c".
  virtual const std::vector<Certificate>& chain() const = 0;
  virtual Result<Bytes> Sign(std::span<const uint8_t> data) const = 0;
};

// A Signer over a key in process memory.
class PrivateKeySigner final : public Signer {
 public:
  // SIJ-CRY-022 if `key` does not fit `algorithm`.
  static Result<PrivateKeySigner> Create(PrivateKey key, SignatureAlgorithm algorithm,
                                         std::vector<Certificate> chain = {});

  SignatureAlgorithm algorithm() const override { return algorithm_; }
  const std::vector<Certificate>& chain() const override { return chain_; }
  Result<Bytes> Sign(std::span<const uint8_t> data) const override;
  const PrivateKey& key() const { return key_; }

 private:
  PrivateKeySigner(PrivateKey key, SignatureAlgorithm algorithm, std::vector<Certificate> chain)
      : key_(std::move(key)), algorithm_(algorithm), chain_(std::move(chain)) {}
  PrivateKey key_;
  SignatureAlgorithm algorithm_;
  std::vector<Certificate> chain_;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_SIGNATURE_H_
