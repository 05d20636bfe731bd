#include "sijil/crypto/jws.h"

#include <gtest/gtest.h>

#include <map>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/crypto/test_keys.h"

namespace sijil::crypto {
namespace {

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

std::string Segment(std::string_view json) { return Base64UrlEncode(AsBytes(json)); }

// RSA key generation takes a large part of a second: each test binary makes each key once.
const PrivateKey& TestKey(KeyAlgorithm key, int index) {
  static std::map<std::pair<KeyAlgorithm, int>, PrivateKey>* keys =
      new std::map<std::pair<KeyAlgorithm, int>, PrivateKey>();
  auto it = keys->find({key, index});
  if (it == keys->end()) {
    static TestKeyPool* pool = new TestKeyPool();
    auto pk = pool->Next(key);
    EXPECT_TRUE(pk.ok());
    it = keys->emplace(std::make_pair(key, index), *pk).first;
  }
  return it->second;
}

PrivateKeySigner MakeSigner(KeyAlgorithm key, SignatureAlgorithm alg, int index = 0) {
  auto signer = PrivateKeySigner::Create(TestKey(key, index), alg);
  EXPECT_TRUE(signer.ok());
  return *std::move(signer);
}

struct AlgCase {
  KeyAlgorithm key;
  SignatureAlgorithm alg;
};

class JwsAlgTest : public ::testing::TestWithParam<AlgCase> {};

TEST_P(JwsAlgTest, AttachedRoundTripAndTamperDetection) {
  PrivateKeySigner signer = MakeSigner(GetParam().key, GetParam().alg);
  const Bytes payload = B(R"({"sub":"operator-7","roles":["REGISTRATION_ADMIN"]})");
  auto jws = SignJws(signer, payload, {.typ = "JWT"});
  ASSERT_TRUE(jws.ok()) << jws.status();
  auto parsed = VerifyJws(*jws, signer.key().public_key());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->payload, payload);
  EXPECT_EQ(parsed->header.alg, GetParam().alg);
  EXPECT_EQ(parsed->header.typ, "JWT");

  // Flip one payload character: the signature must no longer verify.
  std::string tampered = *jws;
  size_t dot = tampered.find('.');
  tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyJws(tampered, signer.key().public_key()).status().code(), kErrJwsSignature);

  // Another key of the same type does not verify it either.
  PrivateKeySigner other = MakeSigner(GetParam().key, GetParam().alg, 1);
  EXPECT_EQ(VerifyJws(*jws, other.key().public_key()).status().code(), kErrJwsSignature);
}

TEST_P(JwsAlgTest, DetachedEncodedAndUnencodedPayloads) {
  PrivateKeySigner signer = MakeSigner(GetParam().key, GetParam().alg);
  const Bytes payload = B("packet hash sequence. with dots. and bytes \x01\x02");
  for (bool b64 : {true, false}) {
    SCOPED_TRACE(b64);
    auto jws = SignJws(signer, payload, {.detached = true, .b64 = b64});
    ASSERT_TRUE(jws.ok()) << jws.status();
    EXPECT_NE(jws->find(".."), std::string::npos);  // header..signature
    auto parsed = VerifyJws(*jws, signer.key().public_key(), {}, std::span(payload));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(parsed->detached);
    EXPECT_EQ(parsed->header.b64, b64);
    Bytes other = payload;
    other.back() ^= 1;
    EXPECT_EQ(VerifyJws(*jws, signer.key().public_key(), {}, std::span(other)).status().code(),
              kErrJwsSignature);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Algorithms, JwsAlgTest,
    ::testing::Values(AlgCase{KeyAlgorithm::kRsa2048, SignatureAlgorithm::kRs256},
                      AlgCase{KeyAlgorithm::kRsa2048, SignatureAlgorithm::kPs256},
                      AlgCase{KeyAlgorithm::kEcP256, SignatureAlgorithm::kEs256},
                      AlgCase{KeyAlgorithm::kEd25519, SignatureAlgorithm::kEdDsa}),
    [](const auto& info) { return std::string(JwsAlgorithmName(info.param.alg)); });

// RFC 8037 Appendix A.4: Ed25519 signatures are deterministic, so our output must equal the
// RFC's token byte for byte.
TEST(JwsTest, Rfc8037Ed25519Vector) {
  auto d = internal::StrictBase64UrlDecode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", "x");
  ASSERT_TRUE(d.ok());
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, d->data(), d->size());
  ASSERT_NE(raw, nullptr);
  unsigned char* der = nullptr;
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(raw);
  int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  EVP_PKEY_free(raw);
  auto key = PrivateKey::FromPkcs8Der(std::span(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  ASSERT_TRUE(key.ok()) << key.status();
  auto signer = PrivateKeySigner::Create(*key, SignatureAlgorithm::kEdDsa);
  ASSERT_TRUE(signer.ok());
  auto jws = SignJws(*signer, B("Example of Ed25519 signing"));
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(
      *jws,
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
}

TEST(JwsTest, SignsThroughAKeyStore) {
  InMemoryKeyStore store;
  auto key = store.GenerateKeyPair("audit", KeyAlgorithm::kEd25519);
  ASSERT_TRUE(key.ok());
  KeyStoreSigner signer(store, "audit", SignatureAlgorithm::kEdDsa);
  auto jws = SignJws(signer, B("checkpoint 42"), {.kid = "audit-1"});
  ASSERT_TRUE(jws.ok()) << jws.status();
  auto parsed = VerifyJws(*jws, key->public_key);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->header.kid, "audit-1");
}

class JwsRejectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rsa_ = MakeSigner(KeyAlgorithm::kRsa2048, SignatureAlgorithm::kRs256);
    auto jws = SignJws(*rsa_, B("{}"));
    ASSERT_TRUE(jws.ok());
    good_ = *jws;
    signature_ = good_.substr(good_.rfind('.') + 1);
  }
  // A token with `header_json` over payload "{}" and the good token's signature.
  std::string WithHeader(std::string_view header_json) {
    return Segment(header_json) + "." + Segment("{}") + "." + signature_;
  }
  std::string Code(std::string_view jws) {
    return VerifyJws(jws, rsa_->key().public_key()).status().code();
  }

  std::optional<PrivateKeySigner> rsa_;
  std::string good_;
  std::string signature_;
};

TEST_F(JwsRejectTest, GoodTokenVerifies) { EXPECT_EQ(Code(good_), ""); }

TEST_F(JwsRejectTest, AlgNoneAndUnknownAlgorithms) {
  EXPECT_EQ(Code(Segment(R"({"alg":"none"})") + "." + Segment("{}") + "."), kErrJwsMalformed);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"none"})")), kErrJwsAlgorithm);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"HS256"})")), kErrJwsAlgorithm);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"rs256"})")), kErrJwsAlgorithm);
  EXPECT_EQ(Code(WithHeader(R"({"typ":"JWT"})")), kErrJwsAlgorithm);
  EXPECT_EQ(Code(WithHeader(R"({"alg":256})")), kErrJwsAlgorithm);
}

TEST_F(JwsRejectTest, AlgorithmConfusion) {
  // The header claims a family the verification key does not belong to.
  EXPECT_EQ(Code(WithHeader(R"({"alg":"ES256"})")), kErrJwsKeyMismatch);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"EdDSA"})")), kErrJwsKeyMismatch);
  // Same family, other padding: the signature does not verify.
  EXPECT_EQ(Code(WithHeader(R"({"alg":"PS256"})")), kErrJwsSignature);
  // A caller may narrow the accepted algorithms.
  JwsVerifyOptions only_ps{.allowed = {SignatureAlgorithm::kPs256}};
  EXPECT_EQ(VerifyJws(good_, rsa_->key().public_key(), only_ps).status().code(), kErrJwsAlgorithm);
  // An EC key given for an RS256 token.
  PrivateKeySigner ec = MakeSigner(KeyAlgorithm::kEcP256, SignatureAlgorithm::kEs256);
  EXPECT_EQ(VerifyJws(good_, ec.key().public_key()).status().code(), kErrJwsKeyMismatch);
}

TEST_F(JwsRejectTest, MalformedStructure) {
  EXPECT_EQ(Code(""), kErrJwsMalformed);
  EXPECT_EQ(Code("abc"), kErrJwsMalformed);
  EXPECT_EQ(Code("abc.def"), kErrJwsMalformed);
  EXPECT_EQ(Code(good_ + ".x"), kErrJwsMalformed);
  EXPECT_EQ(Code("." + Segment("{}") + "." + signature_), kErrJwsMalformed);
  size_t first = good_.find('.');
  std::string header = good_.substr(0, first);
  EXPECT_EQ(Code(header + "." + Segment("{}") + "." + signature_ + "="), kErrJwsBase64);
  EXPECT_EQ(Code(header + "=." + Segment("{}") + "." + signature_), kErrJwsBase64);
  EXPECT_EQ(Code(header + "." + Segment("{}") + "+." + signature_), kErrJwsBase64);
  EXPECT_EQ(Code(header + "." + Segment("{}") + "." + signature_.substr(1) + " "), kErrJwsBase64);
  EXPECT_EQ(Code(header + "." + "e30" + "." + "A"), kErrJwsBase64);  // impossible length
  // "e31" decodes like "e30" but has non-zero unused bits: not canonical.
  EXPECT_EQ(Code(header + ".e31." + signature_), kErrJwsBase64);
  // A truncated RSA signature.
  EXPECT_EQ(Code(header + ".e30." + signature_.substr(4)), kErrJwsSignature);
}

TEST_F(JwsRejectTest, StrictHeader) {
  EXPECT_EQ(Code(WithHeader(R"(["alg","RS256"])")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256")")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","alg":"none"})")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","x":{"a":1,"a":2}})")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","crit":["exp"],"exp":1})")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","crit":[]})")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","b64":false})")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","b64":"no","crit":["b64"]})")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","kid":7})")), kErrJwsHeader);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","x5c":["not base64!"]})")), kErrJwsCertificate);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","x5c":["AAAA"]})")), kErrJwsCertificate);
  EXPECT_EQ(Code(WithHeader(R"({"alg":"RS256","x5c":[]})")), kErrJwsCertificate);
  EXPECT_EQ(Code(WithHeader(std::string(70000, ' ') + R"({"alg":"RS256"})")), kErrJwsHeader);
}

TEST_F(JwsRejectTest, DetachedPayloadRules) {
  // A payload both attached and supplied is ambiguous.
  const Bytes payload = B("{}");
  EXPECT_EQ(VerifyJws(good_, rsa_->key().public_key(), {}, std::span(payload)).status().code(),
            kErrJwsMalformed);
  // An attached unencoded payload with a '.' cannot be serialized.
  EXPECT_EQ(SignJws(*rsa_, B("a.b"), {.b64 = false}).status().code(), kErrJwsMalformed);
  // ...but one without is fine.
  auto jws = SignJws(*rsa_, B("ab"), {.b64 = false});
  ASSERT_TRUE(jws.ok());
  auto parsed = VerifyJws(*jws, rsa_->key().public_key());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->payload, B("ab"));
}

}  // namespace
}  // namespace sijil::crypto
