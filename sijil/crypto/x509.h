// Issuing X.509 v3 certificates with a signer that may live in an HSM.
//
// OpenSSL can only sign certificates with a private key it holds, so this builds the
// TBSCertificate with OpenSSL, has any Signer (key_store.h, signature.h) sign it, and
// assembles the Certificate DER itself. Thread-safe.
#ifndef SIJIL_CRYPTO_X509_H_
#define SIJIL_CRYPTO_X509_H_

#include <chrono>
#include <string>

#include "sijil/base/env.h"
#include "sijil/base/result.h"
#include "sijil/crypto/keys.h"
#include "sijil/crypto/signature.h"

namespace sijil::crypto {

struct CertificateSpec {
  std::string common_name;
  std::string organization = "Sijil";
  std::string organizational_unit;
  std::string country;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  // A CA certificate (root or module key) may sign others; path_length < 0 means unlimited.
  bool is_ca = false;
  int path_length = -1;
};

// Issues a certificate for `subject_key` signed by `issuer_signer`. `issuer` is the
// issuer's certificate, or nullptr for a self-signed certificate (then `issuer_signer` must
// hold the private half of `subject_key`). The serial number is 16 random bytes from `env`.
// The signer's algorithm must be RS256, ES256 or EdDSA (SIJ-CRY-002 for PS256).
Result<Certificate> IssueCertificate(const CertificateSpec& spec, const PublicKey& subject_key,
                                     const Certificate* issuer, const Signer& issuer_signer,
                                     Env& env);

}  // namespace sijil::crypto

#endif  // SIJIL_CRYPTO_X509_H_
