#include "sijil/crypto/key_manager.h"

#include <algorithm>

#include "sijil/crypto/envelope.h"
#include "sijil/crypto/errors.h"
#include "sijil/crypto/rsa.h"
#include "sijil/crypto/x509.h"

namespace sijil::crypto {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using Days = std::chrono::duration<int64_t, std::ratio<86400>>;

constexpr char kRootApp[] = "ROOT";

Status ValidateIds(std::string_view app, std::string_view ref) {
  if (app.empty() || app.size() > 64 || !std::all_of(app.begin(), app.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return Status::InvalidArgument(kErrBadApplication,
                                   "application id must be 1-64 characters of A-Z, 0-9, _");
  }
  if (ref.size() > 128 || !std::all_of(ref.begin(), ref.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
      })) {
    return Status::InvalidArgument(kErrBadApplication,
                                   "reference id must be 0-128 characters of A-Z, a-z, 0-9, _ . -");
  }
  if (app == kRootApp && !ref.empty()) {
    return Status::InvalidArgument(kErrBadApplication, "the ROOT key has no reference ids");
  }
  return Status::Ok();
}

KeyTier TierOf(std::string_view app, std::string_view ref) {
  if (app == kRootApp) return KeyTier::kRoot;
  return ref.empty() ? KeyTier::kModule : KeyTier::kBase;
}

// The key in force at `now`: valid then, and the most recently started.
const KeyRecord* Choose(const std::vector<KeyRecord>& records, system_clock::time_point now) {
  const KeyRecord* best = nullptr;
  for (const KeyRecord& r : records) {
    if (r.not_before <= now && now < r.not_after &&
        (best == nullptr || r.not_before > best->not_before)) {
      best = &r;
    }
  }
  return best;
}

}  // namespace

// Unwraps envelope keys for KeyManager::Decrypt, limited to one (application, reference).
class KeyManager::Resolver final : public EnvelopeKeyResolver {
 public:
  Resolver(KeyManager& km, std::string_view app, std::string_view ref)
      : km_(km), app_(app), ref_(ref) {}

  Result<Bytes> UnwrapKey(std::span<const uint8_t> thumbprint,
                          std::span<const uint8_t> wrapped) override {
    std::optional<KeyRecord> record;
    if (thumbprint.empty()) {
      SIJIL_ASSIGN_OR_RETURN(KeyRecord current, km_.Current(app_, ref_));
      record = std::move(current);
    } else {
      std::string hex = HexEncode(thumbprint);
      SIJIL_ASSIGN_OR_RETURN(auto records, km_.Records(app_, ref_, /*reload=*/false));
      for (const KeyRecord& r : records) {
        if (r.thumbprint_hex == hex) record = r;
      }
      if (!record.has_value()) {
        // Another process may have rotated since we cached the list.
        SIJIL_ASSIGN_OR_RETURN(records, km_.Records(app_, ref_, /*reload=*/true));
        for (const KeyRecord& r : records) {
          if (r.thumbprint_hex == hex) record = r;
        }
      }
    }
    if (!record.has_value()) {
      return Status::NotFound(kErrEnvelopeNoKey, "no key of " + app_ +
                                                     (ref_.empty() ? "" : "/" + ref_) +
                                                     " matches the envelope's thumbprint");
    }
    return km_.UnwrapWith(*record, wrapped);
  }

 private:
  KeyManager& km_;
  std::string app_;
  std::string ref_;
};

KeyManager::KeyManager(KeyManagerSettings settings, KeyStore& key_store, KeyRepository& repository,
                       Env& env)
    : settings_(std::move(settings)), key_store_(key_store), repository_(repository), env_(env) {}

KeyManager::~KeyManager() = default;

Result<std::unique_ptr<KeyManager>> KeyManager::Create(KeyManagerSettings settings,
                                                       KeyStore& key_store,
                                                       KeyRepository& repository, Env& env) {
  for (const KeyPolicy* p : {&settings.root, &settings.module, &settings.base}) {
    if (p->validity_days <= 0 || p->pre_expire_days < 0 || p->pre_expire_days >= p->validity_days) {
      return Status::InvalidArgument(kErrBadApplication,
                                     "key validity must exceed its pre-expiry period");
    }
  }
  std::unique_ptr<KeyManager> km(new KeyManager(std::move(settings), key_store, repository, env));
  SIJIL_RETURN_IF_ERROR(km->Current(kRootApp, "").status());
  return km;
}

system_clock::time_point KeyManager::Now() {
  // Certificates carry whole seconds; so do the tables.
  return std::chrono::floor<seconds>(env_.Now());
}

KeyPolicy KeyManager::PolicyFor(KeyTier tier, std::string_view app) const {
  switch (tier) {
    case KeyTier::kRoot:
      return settings_.root;
    case KeyTier::kModule: {
      auto it = settings_.module_overrides.find(std::string(app));
      return it != settings_.module_overrides.end() ? it->second : settings_.module;
    }
    case KeyTier::kBase:
      return settings_.base;
  }
  return settings_.base;
}

KeyAlgorithm KeyManager::BaseAlgorithmFor(std::string_view app, std::string_view ref) const {
  auto it = settings_.base_algorithms.find(std::string(app) + "/" + std::string(ref));
  if (it != settings_.base_algorithms.end()) return it->second;
  it = settings_.base_algorithms.find(std::string(app));
  if (it != settings_.base_algorithms.end()) return it->second;
  return KeyAlgorithm::kRsa2048;
}

Result<std::vector<KeyRecord>> KeyManager::Records(std::string_view app, std::string_view ref,
                                                   bool reload) {
  auto key = std::make_pair(std::string(app), std::string(ref));
  if (!reload) {
    std::shared_lock lock(mu_);
    auto it = records_.find(key);
    if (it != records_.end()) return it->second;
  }
  SIJIL_ASSIGN_OR_RETURN(std::vector<KeyRecord> records, repository_.FindByApplication(app, ref));
  std::unique_lock lock(mu_);
  records_[key] = records;
  return records;
}

Result<KeyRecord> KeyManager::Current(std::string_view app, std::string_view ref) {
  SIJIL_RETURN_IF_ERROR(ValidateIds(app, ref));
  const system_clock::time_point now = Now();
  const Days pre_expire(PolicyFor(TierOf(app, ref), app).pre_expire_days);
  auto usable = [&](const std::vector<KeyRecord>& records) -> const KeyRecord* {
    const KeyRecord* r = Choose(records, now);
    return r != nullptr && r->not_after - now > pre_expire ? r : nullptr;
  };
  {
    SIJIL_ASSIGN_OR_RETURN(auto records, Records(app, ref, /*reload=*/false));
    if (const KeyRecord* r = usable(records)) return *r;
  }
  std::lock_guard create(create_mu_);
  // Another thread, or another process sharing the tables, may have created it meanwhile.
  SIJIL_ASSIGN_OR_RETURN(auto records, Records(app, ref, /*reload=*/true));
  if (const KeyRecord* r = usable(records)) return *r;
  return CreateKey(std::string(app), std::string(ref), now);
}

Result<KeyRecord> KeyManager::CreateKey(const std::string& app, const std::string& ref,
                                        system_clock::time_point now) {
  const KeyTier tier = TierOf(app, ref);
  const KeyPolicy policy = PolicyFor(tier, app);
  uint8_t alias_bytes[16];
  env_.RandomBytes(alias_bytes);

  KeyRecord record;
  record.alias = HexEncode(alias_bytes, /*upper=*/false);
  record.application_id = app;
  record.reference_id = ref;
  record.tier = tier;
  record.not_before = now;
  record.not_after = now + Days(policy.validity_days);
  record.created_at = now;

  CertificateSpec spec;
  spec.organization = settings_.organization;
  spec.country = settings_.country;
  spec.not_before = now;

  std::optional<KeyRecord> issuer;
  std::optional<PublicKey> subject_key;
  std::optional<PrivateKey> base_key;
  if (tier == KeyTier::kRoot) {
    record.algorithm = KeyAlgorithm::kRsa2048;
    record.hsm_label = "ROOT-" + record.alias;
    SIJIL_ASSIGN_OR_RETURN(KeyStoreKey k,
                           key_store_.GenerateKeyPair(record.hsm_label, record.algorithm));
    subject_key = k.public_key;
    spec.common_name = "ROOT";
    spec.organizational_unit = "ROOT";
    spec.is_ca = true;
  } else {
    // The issuer must be current first; create_mu_ is held, so call the unlocked path.
    std::string issuer_app = tier == KeyTier::kModule ? kRootApp : app;
    SIJIL_ASSIGN_OR_RETURN(auto issuer_records, Records(issuer_app, "", /*reload=*/true));
    const Days issuer_pre(PolicyFor(TierOf(issuer_app, ""), issuer_app).pre_expire_days);
    const KeyRecord* chosen = Choose(issuer_records, now);
    if (chosen != nullptr && chosen->not_after - now > issuer_pre) {
      issuer = *chosen;
    } else {
      SIJIL_ASSIGN_OR_RETURN(KeyRecord created, CreateKey(issuer_app, "", now));
      issuer = std::move(created);
    }
    record.master_alias = issuer->alias;
    record.not_after = std::min(record.not_after, issuer->not_after);
    if (tier == KeyTier::kModule) {
      record.algorithm = KeyAlgorithm::kRsa2048;
      record.hsm_label = app + "-" + record.alias;
      SIJIL_ASSIGN_OR_RETURN(KeyStoreKey k,
                             key_store_.GenerateKeyPair(record.hsm_label, record.algorithm));
      subject_key = k.public_key;
      spec.common_name = app;
      spec.organizational_unit = app;
      spec.is_ca = true;
      spec.path_length = 0;
    } else {
      record.algorithm = BaseAlgorithmFor(app, ref);
      // Without explicit configuration a renewed or rotated key keeps its predecessor's type,
      // so a tool run with default settings (`sijil keys rotate`) cannot change it.
      if (settings_.base_algorithms.count(app + "/" + ref) == 0 &&
          settings_.base_algorithms.count(app) == 0) {
        SIJIL_ASSIGN_OR_RETURN(auto existing, Records(app, ref, /*reload=*/false));
        if (!existing.empty()) record.algorithm = existing.back().algorithm;
      }
      SIJIL_ASSIGN_OR_RETURN(PrivateKey k, settings_.generate_key
                                               ? settings_.generate_key(record.algorithm)
                                               : PrivateKey::Generate(record.algorithm));
      subject_key = k.public_key();
      base_key = k;
      spec.common_name = ref;
      spec.organizational_unit = app;
    }
  }
  spec.not_after = record.not_after;

  std::optional<Certificate> issuer_cert;
  std::string signer_label = record.hsm_label;
  if (issuer.has_value()) {
    SIJIL_ASSIGN_OR_RETURN(Certificate c, CertificateOf(*issuer));
    issuer_cert = c;
    signer_label = issuer->hsm_label;
  }
  KeyStoreSigner signer(key_store_, signer_label, SignatureAlgorithm::kRs256);
  SIJIL_ASSIGN_OR_RETURN(
      Certificate cert,
      IssueCertificate(spec, *subject_key, issuer_cert ? &*issuer_cert : nullptr, signer, env_));
  record.certificate_der = cert.der();
  record.thumbprint_hex = HexEncode(cert.thumbprint());

  if (base_key.has_value()) {
    SIJIL_ASSIGN_OR_RETURN(Certificate master_cert, CertificateOf(*issuer));
    Bytes pkcs8 = base_key->Pkcs8Der();
    auto wrapped = EnvelopeEncrypt(master_cert, pkcs8, env_);
    std::fill(pkcs8.begin(), pkcs8.end(), 0);
    SIJIL_ASSIGN_OR_RETURN(record.wrapped_private_key, std::move(wrapped));
  }
  SIJIL_RETURN_IF_ERROR(repository_.Insert(record));
  {
    std::unique_lock lock(mu_);
    records_[{app, ref}].push_back(record);
    certificates_.insert_or_assign(record.alias, cert);
    if (base_key.has_value()) base_keys_.insert_or_assign(record.alias, *base_key);
  }
  return record;
}

Result<Certificate> KeyManager::CertificateOf(const KeyRecord& record) {
  {
    std::shared_lock lock(mu_);
    auto it = certificates_.find(record.alias);
    if (it != certificates_.end()) return it->second;
  }
  auto cert = Certificate::FromDer(record.certificate_der);
  if (!cert.ok()) {
    return Status::DataLoss(kErrKeyStorage,
                            "stored certificate of key " + record.alias + " is damaged");
  }
  std::unique_lock lock(mu_);
  certificates_.insert_or_assign(record.alias, *cert);
  return *cert;
}

Result<Bytes> KeyManager::UnwrapWith(const KeyRecord& record, std::span<const uint8_t> wrapped) {
  if (record.tier != KeyTier::kBase) {
    return key_store_.DecryptRsaOaepSha256(record.hsm_label, wrapped);
  }
  SIJIL_ASSIGN_OR_RETURN(PrivateKey key, BaseKeyOf(record));
  return RsaOaepSha256Decrypt(key, wrapped);
}

Result<PrivateKey> KeyManager::BaseKeyOf(const KeyRecord& record) {
  {
    std::shared_lock lock(mu_);
    auto it = base_keys_.find(record.alias);
    if (it != base_keys_.end()) return it->second;
  }
  SIJIL_ASSIGN_OR_RETURN(auto master, repository_.FindByAlias(record.master_alias));
  if (!master.has_value() || master->tier != KeyTier::kModule) {
    return Status::DataLoss(kErrKeyStorage, "master key of base key " + record.alias +
                                                " is missing from the key tables");
  }
  // The wrapped key names the master certificate by thumbprint; only that HSM key unwraps.
  class MasterResolver final : public EnvelopeKeyResolver {
   public:
    MasterResolver(KeyStore& store, const KeyRecord& master) : store_(store), master_(master) {}
    Result<Bytes> UnwrapKey(std::span<const uint8_t> thumbprint,
                            std::span<const uint8_t> wrapped) override {
      if (HexEncode(thumbprint) != master_.thumbprint_hex) {
        return Status::DataLoss(kErrKeyStorage, "wrapped base key names another master key");
      }
      return store_.DecryptRsaOaepSha256(master_.hsm_label, wrapped);
    }

   private:
    KeyStore& store_;
    const KeyRecord& master_;
  } resolver(key_store_, *master);
  auto pkcs8 = EnvelopeDecrypt(record.wrapped_private_key, resolver);
  if (!pkcs8.ok()) {
    if (pkcs8.status().code() == kErrHsmKeyNotFound) {
      return Status::FailedPrecondition(
          kErrHsmKeyNotFound,
          "master key " + master->hsm_label + " is missing from the HSM: wrong token?");
    }
    return Status::DataLoss(kErrKeyStorage, "base key " + record.alias +
                                                " does not unwrap: " + pkcs8.status().message());
  }
  auto key = PrivateKey::FromPkcs8Der(*pkcs8);
  std::fill(pkcs8->begin(), pkcs8->end(), 0);
  if (!key.ok())
    return Status::DataLoss(kErrKeyStorage, "base key " + record.alias + " is damaged");
  SIJIL_ASSIGN_OR_RETURN(Certificate cert, CertificateOf(record));
  if (key->public_key().SpkiDer() != cert.public_key().SpkiDer()) {
    return Status::DataLoss(kErrKeyStorage,
                            "base key " + record.alias + " does not match its certificate");
  }
  std::unique_lock lock(mu_);
  base_keys_.insert_or_assign(record.alias, *key);
  return *key;
}

Result<Certificate> KeyManager::GetCertificate(std::string_view app, std::string_view ref) {
  SIJIL_ASSIGN_OR_RETURN(KeyRecord record, Current(app, ref));
  return CertificateOf(record);
}

Result<std::vector<Certificate>> KeyManager::GetCertificateChain(std::string_view app,
                                                                 std::string_view ref) {
  SIJIL_ASSIGN_OR_RETURN(KeyRecord record, Current(app, ref));
  std::vector<Certificate> chain;
  for (int depth = 0; depth < 3; ++depth) {
    SIJIL_ASSIGN_OR_RETURN(Certificate cert, CertificateOf(record));
    chain.push_back(cert);
    if (record.master_alias.empty()) return chain;
    SIJIL_ASSIGN_OR_RETURN(auto issuer, repository_.FindByAlias(record.master_alias));
    if (!issuer.has_value()) {
      return Status::DataLoss(kErrKeyStorage, "issuer of key " + record.alias + " is missing");
    }
    record = *issuer;
  }
  return Status::DataLoss(kErrKeyStorage, "key chain is deeper than root/module/base");
}

Result<std::vector<KeyInfo>> KeyManager::ListKeys() {
  SIJIL_ASSIGN_OR_RETURN(std::vector<KeyRecord> all, repository_.ListAll());
  const system_clock::time_point now = Now();
  std::map<std::pair<std::string, std::string>, std::vector<KeyRecord>> groups;
  for (const KeyRecord& r : all) groups[{r.application_id, r.reference_id}].push_back(r);
  std::vector<KeyInfo> out;
  for (const KeyRecord& r : all) {
    SIJIL_ASSIGN_OR_RETURN(Certificate cert, CertificateOf(r));
    const KeyRecord* current = Choose(groups[{r.application_id, r.reference_id}], now);
    out.push_back(KeyInfo{r.alias, r.application_id, r.reference_id, r.tier, r.algorithm, cert,
                          r.thumbprint_hex, r.not_before, r.not_after,
                          current != nullptr && current->alias == r.alias});
  }
  return out;
}

Result<KeyInfo> KeyManager::Rotate(std::string_view app, std::string_view ref) {
  SIJIL_RETURN_IF_ERROR(ValidateIds(app, ref));
  std::lock_guard create(create_mu_);
  SIJIL_ASSIGN_OR_RETURN(auto records, Records(app, ref, /*reload=*/true));
  system_clock::time_point now = Now();
  const KeyRecord* old = Choose(records, now);
  // Two rotations within one second would tie on not_before: start the new key a second
  // later so "most recently started" stays unambiguous.
  for (const KeyRecord& r : records) {
    if (r.not_before >= now) now = r.not_before + seconds(1);
  }
  SIJIL_ASSIGN_OR_RETURN(KeyRecord fresh, CreateKey(std::string(app), std::string(ref), now));
  if (old != nullptr) {
    SIJIL_RETURN_IF_ERROR(repository_.SetNotAfter(old->alias, fresh.not_before));
  }
  SIJIL_RETURN_IF_ERROR(Records(app, ref, /*reload=*/true).status());
  SIJIL_ASSIGN_OR_RETURN(Certificate cert, CertificateOf(fresh));
  return KeyInfo{
      fresh.alias, fresh.application_id, fresh.reference_id, fresh.tier,      fresh.algorithm,
      cert,        fresh.thumbprint_hex, fresh.not_before,   fresh.not_after, true};
}

Result<Bytes> KeyManager::Encrypt(std::string_view app, std::string_view ref,
                                  std::span<const uint8_t> plaintext) {
  SIJIL_ASSIGN_OR_RETURN(KeyRecord record, Current(app, ref));
  SIJIL_ASSIGN_OR_RETURN(Certificate cert, CertificateOf(record));
  if (!cert.public_key().IsRsa()) {
    return Status::InvalidArgument(kErrJwsKeyMismatch,
                                   "this key is for signing only; encryption needs an RSA key");
  }
  return EnvelopeEncrypt(cert, plaintext, env_);
}

Result<Bytes> KeyManager::Decrypt(std::string_view app, std::string_view ref,
                                  std::span<const uint8_t> envelope,
                                  std::span<const uint8_t> legacy_aad) {
  SIJIL_RETURN_IF_ERROR(ValidateIds(app, ref));
  Resolver resolver(*this, app, ref);
  return EnvelopeDecrypt(envelope, resolver, legacy_aad);
}

Result<std::shared_ptr<const Signer>> KeyManager::SignerFor(const KeyRecord& record,
                                                            SignatureAlgorithm algorithm) {
  auto cache_key = std::make_pair(record.alias, static_cast<int>(algorithm));
  {
    std::shared_lock lock(mu_);
    auto it = signers_.find(cache_key);
    if (it != signers_.end()) return it->second;
  }
  if (!AlgorithmFitsKey(algorithm, record.algorithm)) {
    return Status::InvalidArgument(
        kErrJwsKeyMismatch,
        "key " + record.alias + " cannot sign with " + std::string(JwsAlgorithmName(algorithm)));
  }
  SIJIL_ASSIGN_OR_RETURN(auto chain,
                         GetCertificateChain(record.application_id, record.reference_id));
  std::shared_ptr<const Signer> signer;
  if (record.tier == KeyTier::kBase) {
    SIJIL_ASSIGN_OR_RETURN(PrivateKey key, BaseKeyOf(record));
    SIJIL_ASSIGN_OR_RETURN(PrivateKeySigner s,
                           PrivateKeySigner::Create(key, algorithm, std::move(chain)));
    signer = std::make_shared<PrivateKeySigner>(std::move(s));
  } else {
    signer =
        std::make_shared<KeyStoreSigner>(key_store_, record.hsm_label, algorithm, std::move(chain));
  }
  std::unique_lock lock(mu_);
  signers_.insert_or_assign(cache_key, signer);
  return signer;
}

Result<std::shared_ptr<const Signer>> KeyManager::GetSigner(
    std::string_view app, std::string_view ref, std::optional<SignatureAlgorithm> algorithm) {
  SIJIL_ASSIGN_OR_RETURN(KeyRecord record, Current(app, ref));
  return SignerFor(record, algorithm.value_or(DefaultAlgorithmFor(record.algorithm)));
}

Result<std::string> KeyManager::SignJws(std::string_view app, std::string_view ref,
                                        std::span<const uint8_t> payload, JwsSignOptions options) {
  SIJIL_ASSIGN_OR_RETURN(KeyRecord record, Current(app, ref));
  SIJIL_ASSIGN_OR_RETURN(auto signer, SignerFor(record, DefaultAlgorithmFor(record.algorithm)));
  if (options.kid.empty()) options.kid = record.alias;
  return crypto::SignJws(*signer, payload, options);
}

Result<ParsedJws> KeyManager::VerifyJws(std::string_view app, std::string_view ref,
                                        std::string_view jws, const JwsVerifyOptions& options,
                                        std::optional<std::span<const uint8_t>> detached_payload) {
  SIJIL_RETURN_IF_ERROR(ValidateIds(app, ref));
  SIJIL_ASSIGN_OR_RETURN(ParsedJws parsed, ParseJws(jws, detached_payload));
  SIJIL_ASSIGN_OR_RETURN(auto records, Records(app, ref, /*reload=*/false));
  auto by_kid = [&](const std::vector<KeyRecord>& rs) -> const KeyRecord* {
    for (const KeyRecord& r : rs) {
      if (r.alias == parsed.header.kid) return &r;
    }
    return nullptr;
  };
  std::vector<KeyRecord> candidates;
  if (!parsed.header.kid.empty()) {
    const KeyRecord* r = by_kid(records);
    if (r == nullptr) {
      SIJIL_ASSIGN_OR_RETURN(records, Records(app, ref, /*reload=*/true));
      r = by_kid(records);
    }
    if (r == nullptr) {
      return Status::Unauthenticated(kErrJwsSignature,
                                     "JWS kid names no key of " + std::string(app));
    }
    candidates.push_back(*r);
  } else {
    candidates.assign(records.rbegin(), records.rend());
  }
  if (candidates.empty()) {
    return Status::Unauthenticated(kErrJwsSignature, "no key to verify the JWS with");
  }
  Status last;
  for (const KeyRecord& r : candidates) {
    SIJIL_ASSIGN_OR_RETURN(Certificate cert, CertificateOf(r));
    auto verified = crypto::VerifyJws(jws, cert.public_key(), options, detached_payload);
    if (verified.ok()) return verified;
    last = verified.status();
    // A structural or policy failure will not change with another key.
    if (last.code() != kErrJwsSignature && last.code() != kErrJwsKeyMismatch) return last;
  }
  return last;
}

Status KeyManager::Check() {
  SIJIL_RETURN_IF_ERROR(key_store_.Check());
  SIJIL_ASSIGN_OR_RETURN(KeyRecord root, Current(kRootApp, ""));
  return key_store_.FindKeyPair(root.hsm_label).status();
}

}  // namespace sijil::crypto
