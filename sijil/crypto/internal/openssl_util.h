// Small RAII and error helpers around OpenSSL, private to the crypto module.
#ifndef SIJIL_CRYPTO_INTERNAL_OPENSSL_UTIL_H_
#define SIJIL_CRYPTO_INTERNAL_OPENSSL_UTIL_H_

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "sijil/base/encoding.h"
#include "sijil/base/result.h"
#include "sijil/base/status.h"

namespace sijil::crypto::internal {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Drains OpenSSL's thread-local error queue (so a stale error never leaks into a later
// call) and returns SIJ-CRY-003 with `what` as the message. The OpenSSL detail is not put in
// the message: it can be noisy and is not for clients.
Status OpenSslError(std::string_view what);
// Drains the error queue without building a Status.
void ClearOpenSslErrors();

// Shared-ownership wrappers used by the public handle classes.
std::shared_ptr<EVP_PKEY> SharePkey(EVP_PKEY* pkey);
std::shared_ptr<X509> ShareX509(X509* x509);

// JOSE ECDSA signatures are r||s (32 bytes each for P-256); OpenSSL speaks DER.
Result<Bytes> EcdsaDerToRaw(std::span<const uint8_t> der, size_t half);
Result<Bytes> EcdsaRawToDer(std::span<const uint8_t> raw);

// Strict RFC 4648 §5 base64url without padding: only [A-Za-z0-9_-], no '=', no
// whitespace, no impossible length, and unused trailing bits must be zero (so every value
// has exactly one encoding). Fails with `code`.
Result<Bytes> StrictBase64UrlDecode(std::string_view text, const char* code);

// Cached algorithm objects (fetched once per process; fetching per call is slow in 3.0).
const EVP_MD* Sha256Md();
const EVP_CIPHER* Aes256Gcm();

}  // namespace sijil::crypto::internal

#endif  // SIJIL_CRYPTO_INTERNAL_OPENSSL_UTIL_H_
