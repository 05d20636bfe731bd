// Asymmetric keys and X.509 certificates held in process memory, over OpenSSL 3 EVP.
//
// PublicKey, PrivateKey and Certificate are cheap-to-copy handles (shared ownership of an
// immutable OpenSSL object). OpenSSL 3 allows concurrent read-only use of one EVP_PKEY/X509
// from many threads, so these values are thread-safe for every const operation. Keys that
// must never leave the HSM are not represented here: see key_store.h.
#ifndef SIJIL_CRYPTO_KEYS_H_
#define SIJIL_CRYPTO_KEYS_H_

#include <openssl/types.h>

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/base/status.h"

namespace sijil::crypto {

// The key types Sijil generates and accepts. RSA keys of other sizes (>= 2048 bits) are
// accepted from partners and reported as kRsa2048's family via IsRsa().
enum class KeyAlgorithm { kRsa2048, kEcP256, kEd25519 };

// "RSA_2048", "EC_P256", "ED25519" (stable: stored in the key tables and shown by the CLI).
std::string_view KeyAlgorithmName(KeyAlgorithm algorithm);
Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name);

// SHA-256 of `data`.
Bytes Sha256(std::span<const uint8_t> data);

class PublicKey {
 public:
  // SubjectPublicKeyInfo DER or PEM ("-----BEGIN PUBLIC KEY-----"). Fails with SIJ-CRY-001
  // on malformed input and SIJ-CRY-002 on a key type other than RSA (>= 2048 bits), P-256
  // or Ed25519.
  static Result<PublicKey> FromSpkiDer(std::span<const uint8_t> der);
  static Result<PublicKey> FromPem(std::string_view pem);
  // Takes ownership of `pkey` (which must be non-null) after checking its type.
  static Result<PublicKey> Adopt(EVP_PKEY* pkey);

  KeyAlgorithm algorithm() const { return algorithm_; }
  bool IsRsa() const { return algorithm_ == KeyAlgorithm::kRsa2048; }
  // RSA modulus length in bytes (256 for RSA-2048); 0 for other keys.
  int RsaSizeBytes() const;
  Bytes SpkiDer() const;
  std::string Pem() const;
  // Borrowed; valid while any copy of this PublicKey lives. Use only for read-only calls.
  EVP_PKEY* get() const { return pkey_.get(); }

 private:
  friend class PrivateKey;
  PublicKey(std::shared_ptr<EVP_PKEY> pkey, KeyAlgorithm algorithm)
      : pkey_(std::move(pkey)), algorithm_(algorithm) {}
  std::shared_ptr<EVP_PKEY> pkey_;
  KeyAlgorithm algorithm_;
};

class PrivateKey {
 public:
  // A fresh key from OpenSSL's CSPRNG.
  static Result<PrivateKey> Generate(KeyAlgorithm algorithm);
  // Unencrypted PKCS#8 DER or PEM ("-----BEGIN PRIVATE KEY-----"); same errors as PublicKey.
  static Result<PrivateKey> FromPkcs8Der(std::span<const uint8_t> der);
  static Result<PrivateKey> FromPem(std::string_view pem);

  KeyAlgorithm algorithm() const { return algorithm_; }
  PublicKey public_key() const;
  // Unencrypted PKCS#8. Callers must wrap it before it touches storage.
  Bytes Pkcs8Der() const;
  std::string Pem() const;
  EVP_PKEY* get() const { return pkey_.get(); }

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> pkey, KeyAlgorithm algorithm)
      : pkey_(std::move(pkey)), algorithm_(algorithm) {}
  std::shared_ptr<EVP_PKEY> pkey_;
  KeyAlgorithm algorithm_;
};

class Certificate {
 public:
  // DER or PEM ("-----BEGIN CERTIFICATE-----"). Fails with SIJ-CRY-004 on malformed input.
  static Result<Certificate> FromDer(std::span<const uint8_t> der);
  static Result<Certificate> FromPem(std::string_view pem);

  const Bytes& der() const { return *der_; }
  std::string Pem() const;
  // SHA-256 of the DER encoding: MOSIP's certificate thumbprint (envelope key identifier).
  const Bytes& thumbprint() const { return *thumbprint_; }
  const PublicKey& public_key() const { return *public_key_; }
  // RFC 2253 distinguished names, e.g. "CN=ID_REPO,O=Sijil".
  std::string Subject() const;
  std::string Issuer() const;
  // Upper-case hex of the serial number.
  std::string SerialHex() const;
  std::chrono::system_clock::time_point not_before() const { return not_before_; }
  std::chrono::system_clock::time_point not_after() const { return not_after_; }
  // OK when this certificate's signature verifies under `issuer`'s key (validity dates and
  // extensions are not checked here); SIJ-CRY-004 otherwise.
  Status VerifySignedBy(const PublicKey& issuer) const;
  X509* get() const { return x509_.get(); }

 private:
  Certificate() = default;
  std::shared_ptr<X509> x509_;
  std::shared_ptr<const Bytes> der_;
  std::shared_ptr<const Bytes> thumbprint_;
  std::shared_ptr<const PublicKey> public_key_;
  std::chrono::system_clock::time_point not_before_;
  std::chrono::system_clock::time_point not_after_;
};

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_KEYS_H_
