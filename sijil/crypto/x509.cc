#include "sijil/crypto/x509.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"

namespace sijil::crypto {
namespace {

using internal::X509Ptr;

void AppendDerLength(Bytes& out, size_t len) {
  if (len < 0x80) {
    out.push_back(static_cast<uint8_t>(len));
    return;
  }
  uint8_t buf[sizeof(size_t)];
  int n = 0;
  for (size_t v = len; v != 0; v >>= 8) buf[n++] = static_cast<uint8_t>(v & 0xff);
  out.push_back(static_cast<uint8_t>(0x80 | n));
  while (n > 0) out.push_back(buf[--n]);
}

Status AddName(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return Status::Ok();
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return Status::InvalidArgument(kErrBadCertificate,
                                   std::string("invalid certificate name field ") + field);
  }
  return Status::Ok();
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  if (ext == nullptr) return internal::OpenSslError("cannot build certificate extension");
  int rc = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (rc != 1) return internal::OpenSslError("cannot add certificate extension");
  return Status::Ok();
}

Result<int> SignatureNid(SignatureAlgorithm algorithm) {
  switch (algorithm) {
    case SignatureAlgorithm::kRs256:
      return NID_sha256WithRSAEncryption;
    case SignatureAlgorithm::kEs256:
      return NID_ecdsa_with_SHA256;
    case SignatureAlgorithm::kEdDsa:
      return NID_ED25519;
    case SignatureAlgorithm::kPs256:
      break;
  }
  return Status::InvalidArgument(kErrUnsupported, "certificates are not signed with PS256 here");
}

}  // namespace

Result<Certificate> IssueCertificate(const CertificateSpec& spec, const PublicKey& subject_key,
                                     const Certificate* issuer, const Signer& issuer_signer,
                                     Env& env) {
  SIJIL_ASSIGN_OR_RETURN(int sig_nid, SignatureNid(issuer_signer.algorithm()));
  if (spec.common_name.empty()) {
    return Status::InvalidArgument(kErrBadCertificate, "certificate needs a common name");
  }
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
    return internal::OpenSslError("cannot create certificate");
  }
  // A positive 128-bit serial (RFC 5280 allows up to 20 octets).
  uint8_t serial[16];
  env.RandomBytes(serial);
  serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x01);
  internal::BnPtr bn(BN_bin2bn(serial, sizeof(serial), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return internal::OpenSslError("cannot set serial number");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  SIJIL_RETURN_IF_ERROR(AddName(subject, "C", spec.country));
  SIJIL_RETURN_IF_ERROR(AddName(subject, "O", spec.organization));
  SIJIL_RETURN_IF_ERROR(AddName(subject, "OU", spec.organizational_unit));
  SIJIL_RETURN_IF_ERROR(AddName(subject, "CN", spec.common_name));
  if (X509_set_issuer_name(
          cert.get(), issuer != nullptr ? X509_get_subject_name(issuer->get()) : subject) != 1) {
    return internal::OpenSslError("cannot set issuer name");
  }
  time_t nb = std::chrono::system_clock::to_time_t(spec.not_before);
  time_t na = std::chrono::system_clock::to_time_t(spec.not_after);
  if (na <= nb) {
    return Status::InvalidArgument(kErrBadCertificate, "certificate validity period is empty");
  }
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), nb) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), na) == nullptr ||
      X509_set_pubkey(cert.get(), subject_key.get()) != 1) {
    return internal::OpenSslError("cannot set certificate fields");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer != nullptr ? issuer->get() : cert.get(), cert.get(), nullptr, nullptr,
                 0);
  std::string basic = spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
  if (spec.is_ca && spec.path_length >= 0) basic += ",pathlen:" + std::to_string(spec.path_length);
  SIJIL_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_basic_constraints, basic));
  std::string usage = spec.is_ca ? "critical,keyCertSign,cRLSign,digitalSignature"
                      : subject_key.IsRsa()
                          ? "critical,digitalSignature,keyEncipherment,dataEncipherment"
                          : "critical,digitalSignature";
  SIJIL_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, usage));
  SIJIL_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  SIJIL_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));

  // The signature algorithm inside the TBSCertificate. OpenSSL exposes it const only; it
  // is a plain member of the certificate we own, and i2d_re_X509_tbs re-encodes it.
  X509_ALGOR* tbs_alg = const_cast<X509_ALGOR*>(X509_get0_tbs_sigalg(cert.get()));
  bool rsa = sig_nid == NID_sha256WithRSAEncryption;
  if (X509_ALGOR_set0(tbs_alg, OBJ_nid2obj(sig_nid), rsa ? V_ASN1_NULL : V_ASN1_UNDEF, nullptr) !=
      1) {
    return internal::OpenSslError("cannot set signature algorithm");
  }
  unsigned char* tbs = nullptr;
  int tbs_len = i2d_re_X509_tbs(cert.get(), &tbs);
  if (tbs_len <= 0) return internal::OpenSslError("cannot encode TBSCertificate");
  Bytes tbs_der(tbs, tbs + tbs_len);
  OPENSSL_free(tbs);
  unsigned char* alg = nullptr;
  int alg_len = i2d_X509_ALGOR(tbs_alg, &alg);
  if (alg_len <= 0) return internal::OpenSslError("cannot encode signature algorithm");
  Bytes alg_der(alg, alg + alg_len);
  OPENSSL_free(alg);

  SIJIL_ASSIGN_OR_RETURN(Bytes signature, issuer_signer.Sign(tbs_der));
  if (issuer_signer.algorithm() == SignatureAlgorithm::kEs256) {
    SIJIL_ASSIGN_OR_RETURN(signature, internal::EcdsaRawToDer(signature));
  }
  // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
  Bytes bit_string = {0x03};
  AppendDerLength(bit_string, signature.size() + 1);
  bit_string.push_back(0x00);  // no unused bits
  bit_string.insert(bit_string.end(), signature.begin(), signature.end());
  Bytes der = {0x30};
  AppendDerLength(der, tbs_der.size() + alg_der.size() + bit_string.size());
  der.insert(der.end(), tbs_der.begin(), tbs_der.end());
  der.insert(der.end(), alg_der.begin(), alg_der.end());
  der.insert(der.end(), bit_string.begin(), bit_string.end());
  SIJIL_ASSIGN_OR_RETURN(Certificate out, Certificate::FromDer(der));
  const PublicKey& verifier = issuer != nullptr ? issuer->public_key() : subject_key;
  SIJIL_RETURN_IF_ERROR(out.VerifySignedBy(verifier).WithContext("issued certificate"));
  return out;
}

}  // namespace sijil::crypto
