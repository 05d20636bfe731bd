#include "sijil/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"

namespace sijil::crypto {

using internal::BioPtr;
using internal::OpenSslError;
using internal::PkeyCtxPtr;

namespace {

// Classifies an OpenSSL key; only the types Sijil supports pass.
Result<KeyAlgorithm> Classify(EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(pkey) < 2048) {
        return Status::InvalidArgument(kErrUnsupported, "RSA keys shorter than 2048 bits");
      }
      return KeyAlgorithm::kRsa2048;
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                         &len) != 1 ||
          std::string_view(group, len) != "prime256v1") {
        internal::ClearOpenSslErrors();
        return Status::InvalidArgument(kErrUnsupported, "only the P-256 EC curve is supported");
      }
      return KeyAlgorithm::kEcP256;
    }
    case EVP_PKEY_ED25519:
      return KeyAlgorithm::kEd25519;
    default:
      return Status::InvalidArgument(kErrUnsupported, "unsupported key type");
  }
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::chrono::system_clock::time_point AsnTimeToPoint(const ASN1_TIME* t) {
  struct tm tm = {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace

std::string_view KeyAlgorithmName(KeyAlgorithm algorithm) {
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      return "RSA_2048";
    case KeyAlgorithm::kEcP256:
      return "EC_P256";
    case KeyAlgorithm::kEd25519:
      return "ED25519";
  }
  return "UNKNOWN";
}

Result<KeyAlgorithm> ParseKeyAlgorithm(std::string_view name) {
  for (KeyAlgorithm a : {KeyAlgorithm::kRsa2048, KeyAlgorithm::kEcP256, KeyAlgorithm::kEd25519}) {
    if (KeyAlgorithmName(a) == name) return a;
  }
  return Status::InvalidArgument(kErrUnsupported,
                                 "unknown key algorithm (RSA_2048, EC_P256 or ED25519)");
}

Bytes Sha256(std::span<const uint8_t> data) {
  Bytes out(32);
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, internal::Sha256Md(), nullptr);
  return out;
}

// ---- PublicKey

Result<PublicKey> PublicKey::Adopt(EVP_PKEY* pkey) {
  auto shared = internal::SharePkey(pkey);
  SIJIL_ASSIGN_OR_RETURN(KeyAlgorithm algorithm, Classify(pkey));
  return PublicKey(std::move(shared), algorithm);
}

Result<PublicKey> PublicKey::FromSpkiDer(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  EVP_PKEY* pkey = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (pkey == nullptr || p != der.data() + der.size()) {
    EVP_PKEY_free(pkey);
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrBadKey, "public key is not SubjectPublicKeyInfo DER");
  }
  return Adopt(pkey);
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrBadKey, "public key is not PEM");
  }
  return Adopt(pkey);
}

int PublicKey::RsaSizeBytes() const { return IsRsa() ? EVP_PKEY_get_size(pkey_.get()) : 0; }

Bytes PublicKey::SpkiDer() const {
  unsigned char* out = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &out);
  if (len <= 0) return {};
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

std::string PublicKey::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), pkey_.get());
  return BioToString(bio.get());
}

// ---- PrivateKey

Result<PrivateKey> PrivateKey::Generate(KeyAlgorithm algorithm) {
  EVP_PKEY* pkey = nullptr;
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
      break;
    case KeyAlgorithm::kEcP256:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case KeyAlgorithm::kEd25519:
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  if (pkey == nullptr) return OpenSslError("key generation failed");
  return PrivateKey(internal::SharePkey(pkey), algorithm);
}

Result<PrivateKey> PrivateKey::FromPkcs8Der(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  EVP_PKEY* pkey = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  if (pkey == nullptr || p != der.data() + der.size()) {
    EVP_PKEY_free(pkey);
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrBadKey, "private key is not PKCS#8 DER");
  }
  auto shared = internal::SharePkey(pkey);
  SIJIL_ASSIGN_OR_RETURN(KeyAlgorithm algorithm, Classify(pkey));
  return PrivateKey(std::move(shared), algorithm);
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrBadKey, "private key is not PEM");
  }
  auto shared = internal::SharePkey(pkey);
  SIJIL_ASSIGN_OR_RETURN(KeyAlgorithm algorithm, Classify(pkey));
  return PrivateKey(std::move(shared), algorithm);
}

PublicKey PrivateKey::public_key() const {
  // Re-encoding through SPKI gives a public-only EVP_PKEY that cannot be mistaken for the
  // private one.
  unsigned char* out = nullptr;
  int len = i2d_PUBKEY(pkey_.get(), &out);
  const unsigned char* p = out;
  EVP_PKEY* pub = d2i_PUBKEY(nullptr, &p, len);
  OPENSSL_free(out);
  return PublicKey(internal::SharePkey(pub), algorithm_);
}

Bytes PrivateKey::Pkcs8Der() const {
  unsigned char* out = nullptr;
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(pkey_.get());
  int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &out);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (len <= 0) return {};
  Bytes der(out, out + len);
  OPENSSL_clear_free(out, static_cast<size_t>(len));
  return der;
}

std::string PrivateKey::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return BioToString(bio.get());
}

// ---- Certificate

Result<Certificate> Certificate::FromDer(std::span<const uint8_t> der) {
  const unsigned char* p = der.data();
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr || p != der.data() + der.size()) {
    X509_free(x);
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrBadCertificate, "certificate is not X.509 DER");
  }
  Certificate cert;
  cert.x509_ = internal::ShareX509(x);
  EVP_PKEY* pkey = X509_get_pubkey(x);
  if (pkey == nullptr) {
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrBadCertificate, "certificate public key unreadable");
  }
  SIJIL_ASSIGN_OR_RETURN(PublicKey pub, PublicKey::Adopt(pkey));
  cert.public_key_ = std::make_shared<const PublicKey>(std::move(pub));
  cert.der_ = std::make_shared<const Bytes>(der.begin(), der.end());
  cert.thumbprint_ = std::make_shared<const Bytes>(Sha256(der));
  cert.not_before_ = AsnTimeToPoint(X509_get0_notBefore(x));
  cert.not_after_ = AsnTimeToPoint(X509_get0_notAfter(x));
  return cert;
}

Result<Certificate> Certificate::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  if (x == nullptr) {
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrBadCertificate, "certificate is not PEM");
  }
  unsigned char* out = nullptr;
  int len = i2d_X509(x, &out);
  X509_free(x);
  if (len <= 0) return OpenSslError("cannot encode certificate");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return FromDer(der);
}

std::string Certificate::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), x509_.get());
  return BioToString(bio.get());
}

namespace {
std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  return BioToString(bio.get());
}
}  // namespace

std::string Certificate::Subject() const { return NameToString(X509_get_subject_name(get())); }
std::string Certificate::Issuer() const { return NameToString(X509_get_issuer_name(get())); }

std::string Certificate::SerialHex() const {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(get()), nullptr);
  char* hex = BN_bn2hex(bn);
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

Status Certificate::VerifySignedBy(const PublicKey& issuer) const {
  if (X509_verify(get(), issuer.get()) != 1) {
    internal::ClearOpenSslErrors();
    return Status::InvalidArgument(kErrBadCertificate,
                                   "certificate signature does not verify under the issuer key");
  }
  return Status::Ok();
}

}  // namespace sijil::crypto
