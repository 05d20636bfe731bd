#include "sijil/crypto/pkcs11_key_store.h"

#include <dlfcn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <p11-kit/pkcs11.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>

#include "sijil/crypto/errors.h"
#include "sijil/crypto/internal/openssl_util.h"
#include "sijil/crypto/rsa.h"

namespace sijil::crypto {

namespace {

using internal::PkeyCtxPtr;

// DER of the named curve OIDs, the form CKA_EC_PARAMS takes.
constexpr uint8_t kP256Params[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr uint8_t kEd25519Params[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

std::string RvName(CK_RV rv) {
  switch (rv) {
    case CKR_OK:
      return "CKR_OK";
    case CKR_PIN_INCORRECT:
      return "CKR_PIN_INCORRECT";
    case CKR_PIN_LOCKED:
      return "CKR_PIN_LOCKED";
    case CKR_TOKEN_NOT_PRESENT:
      return "CKR_TOKEN_NOT_PRESENT";
    case CKR_DEVICE_ERROR:
      return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_REMOVED:
      return "CKR_DEVICE_REMOVED";
    case CKR_MECHANISM_INVALID:
      return "CKR_MECHANISM_INVALID";
    case CKR_MECHANISM_PARAM_INVALID:
      return "CKR_MECHANISM_PARAM_INVALID";
    case CKR_ARGUMENTS_BAD:
      return "CKR_ARGUMENTS_BAD";
    case CKR_KEY_HANDLE_INVALID:
      return "CKR_KEY_HANDLE_INVALID";
    case CKR_OBJECT_HANDLE_INVALID:
      return "CKR_OBJECT_HANDLE_INVALID";
    case CKR_SESSION_HANDLE_INVALID:
      return "CKR_SESSION_HANDLE_INVALID";
    case CKR_USER_NOT_LOGGED_IN:
      return "CKR_USER_NOT_LOGGED_IN";
    case CKR_ENCRYPTED_DATA_INVALID:
      return "CKR_ENCRYPTED_DATA_INVALID";
    case CKR_ENCRYPTED_DATA_LEN_RANGE:
      return "CKR_ENCRYPTED_DATA_LEN_RANGE";
    case CKR_GENERAL_ERROR:
      return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED:
      return "CKR_FUNCTION_FAILED";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "CKR 0x%lx", static_cast<unsigned long>(rv));
      return buf;
    }
  }
}

Status HsmError(std::string_view what, CK_RV rv) {
  return Status::Unavailable(kErrHsm, std::string(what) + " failed (" + RvName(rv) + ")");
}

std::string Trim(const unsigned char* text, size_t len) {
  std::string s(reinterpret_cast<const char*>(text), len);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

// ---- Process-wide module registry: PKCS#11 modules are initialised once per process.

struct LoadedModule {
  void* handle = nullptr;
  CK_FUNCTION_LIST_PTR fn = nullptr;
  int users = 0;
  bool initialized_by_us = false;
  std::string softhsm_conf;
};

std::mutex& ModulesMutex() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, LoadedModule>& Modules() {
  static auto* modules = new std::map<std::string, LoadedModule>();
  return *modules;
}

Result<CK_FUNCTION_LIST_PTR> AcquireModule(const std::string& path, const std::string& conf) {
  std::lock_guard lock(ModulesMutex());
  LoadedModule& m = Modules()[path];
  if (m.handle == nullptr) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      Modules().erase(path);
      return Status::FailedPrecondition(kErrHsmModule, "HSM module not found: " + path);
    }
    auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
    CK_FUNCTION_LIST_PTR fn = nullptr;
    if (get_list == nullptr || get_list(&fn) != CKR_OK || fn == nullptr) {
      dlclose(handle);
      Modules().erase(path);
      return Status::FailedPrecondition(kErrHsmModule, "not a PKCS#11 module: " + path);
    }
    m.handle = handle;  // never dlclosed: modules often misbehave when unloaded
    m.fn = fn;
  }
  if (m.users > 0) {
    if (m.softhsm_conf != conf) {
      return Status::FailedPrecondition(
          kErrHsmConfig, "another HSM store is already open over " + path + " in this process");
    }
    ++m.users;
    return m.fn;
  }
  if (!conf.empty()) setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  CK_C_INITIALIZE_ARGS args = {};
  args.flags = CKF_OS_LOCKING_OK;
  CK_RV rv = m.fn->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    return Status::FailedPrecondition(
        kErrHsmModule, "HSM module failed to initialise: " + path + " (" + RvName(rv) + ")");
  }
  m.initialized_by_us = rv == CKR_OK;
  m.softhsm_conf = conf;
  m.users = 1;
  return m.fn;
}

void ReleaseModule(const std::string& path) {
  std::lock_guard lock(ModulesMutex());
  auto it = Modules().find(path);
  if (it == Modules().end() || it->second.users == 0) return;
  if (--it->second.users == 0 && it->second.initialized_by_us) {
    it->second.fn->C_Finalize(nullptr);
    it->second.initialized_by_us = false;
  }
}

CK_ULONG Len(size_t n) { return static_cast<CK_ULONG>(n); }

}  // namespace

// ---- Impl

struct Pkcs11KeyStore::Impl {
  Pkcs11Settings settings;
  CK_FUNCTION_LIST_PTR fn = nullptr;
  CK_SLOT_ID slot = 0;
  std::string description;
  bool module_acquired = false;

  std::mutex mu;
  std::vector<CK_SESSION_HANDLE> idle;  // guarded by mu

  struct CachedKey {
    CK_OBJECT_HANDLE priv;
    CK_OBJECT_HANDLE pub;
    KeyStoreKey info;
  };
  std::map<std::string, CachedKey, std::less<>> cache;  // guarded by mu

  // 0 unknown, 1 the module does OAEP-SHA256 itself, 2 raw RSA + software unpadding.
  std::atomic<int> oaep_mode{0};

  ~Impl() {
    if (fn != nullptr) {
      for (CK_SESSION_HANDLE s : idle) fn->C_CloseSession(s);
    }
    if (module_acquired) ReleaseModule(settings.module_path);
  }

  // A session borrowed from the pool; returned on destruction unless marked broken.
  class Lease {
   public:
    Lease(Impl* impl, CK_SESSION_HANDLE s) : impl_(impl), s_(s) {}
    Lease(Lease&& o) noexcept : impl_(o.impl_), s_(o.s_), broken_(o.broken_) { o.impl_ = nullptr; }
    Lease(const Lease&) = delete;
    ~Lease() {
      if (impl_ == nullptr) return;
      if (broken_) {
        impl_->fn->C_CloseSession(s_);
        return;
      }
      std::lock_guard lock(impl_->mu);
      impl_->idle.push_back(s_);
    }
    CK_SESSION_HANDLE get() const { return s_; }
    // Call with the result of an operation; sessions that the module invalidated are closed
    // instead of pooled.
    void Note(CK_RV rv) {
      if (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
          rv == CKR_DEVICE_REMOVED || rv == CKR_DEVICE_ERROR || rv == CKR_TOKEN_NOT_PRESENT) {
        broken_ = true;
      }
    }

   private:
    Impl* impl_;
    CK_SESSION_HANDLE s_;
    bool broken_ = false;
  };

  Result<Lease> Borrow() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        CK_SESSION_HANDLE s = idle.back();
        idle.pop_back();
        return Lease(this, s);
      }
    }
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    CK_RV rv = fn->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &s);
    if (rv != CKR_OK) return HsmError("HSM open session", rv);
    return Lease(this, s);
  }

  Status Login() {
    SIJIL_ASSIGN_OR_RETURN(Lease lease, Borrow());
    CK_RV rv =
        fn->C_Login(lease.get(), CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(settings.pin.data()),
                    Len(settings.pin.size()));
    lease.Note(rv);
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) return Status::Ok();
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE) {
      return Status::Unauthenticated(kErrHsmLogin, "HSM login failed: wrong PIN");
    }
    if (rv == CKR_PIN_LOCKED) {
      return Status::PermissionDenied(kErrHsmPinLocked, "HSM login failed: PIN locked");
    }
    return HsmError("HSM login", rv);
  }

  Result<std::vector<CK_OBJECT_HANDLE>> FindObjects(Lease& lease, CK_OBJECT_CLASS cls,
                                                    const std::string* label) {
    std::vector<CK_ATTRIBUTE> tmpl;
    tmpl.push_back({CKA_CLASS, &cls, sizeof(cls)});
    if (label != nullptr) {
      tmpl.push_back({CKA_LABEL, const_cast<char*>(label->data()), Len(label->size())});
    }
    CK_RV rv = fn->C_FindObjectsInit(lease.get(), tmpl.data(), Len(tmpl.size()));
    lease.Note(rv);
    if (rv != CKR_OK) return HsmError("HSM find objects", rv);
    std::vector<CK_OBJECT_HANDLE> out;
    CK_OBJECT_HANDLE batch[64];
    CK_ULONG n = 0;
    do {
      rv = fn->C_FindObjects(lease.get(), batch, 64, &n);
      if (rv != CKR_OK) break;
      out.insert(out.end(), batch, batch + n);
    } while (n == 64);
    fn->C_FindObjectsFinal(lease.get());
    lease.Note(rv);
    if (rv != CKR_OK) return HsmError("HSM find objects", rv);
    return out;
  }

  Result<Bytes> GetAttribute(Lease& lease, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE attr = {type, nullptr, 0};
    CK_RV rv = fn->C_GetAttributeValue(lease.get(), obj, &attr, 1);
    lease.Note(rv);
    if (rv != CKR_OK || attr.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
      return HsmError("HSM read attribute", rv);
    }
    Bytes value(attr.ulValueLen);
    attr.pValue = value.data();
    rv = fn->C_GetAttributeValue(lease.get(), obj, &attr, 1);
    lease.Note(rv);
    if (rv != CKR_OK) return HsmError("HSM read attribute", rv);
    value.resize(attr.ulValueLen);
    return value;
  }

  Result<CK_ULONG> GetUlong(Lease& lease, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_TYPE type) {
    CK_ULONG value = 0;
    CK_ATTRIBUTE attr = {type, &value, sizeof(value)};
    CK_RV rv = fn->C_GetAttributeValue(lease.get(), obj, &attr, 1);
    lease.Note(rv);
    if (rv != CKR_OK) return HsmError("HSM read attribute", rv);
    return value;
  }

  Result<PublicKey> ReadPublicKey(Lease& lease, CK_OBJECT_HANDLE pub) {
    SIJIL_ASSIGN_OR_RETURN(CK_ULONG key_type, GetUlong(lease, pub, CKA_KEY_TYPE));
    if (key_type == CKK_RSA) {
      SIJIL_ASSIGN_OR_RETURN(Bytes n, GetAttribute(lease, pub, CKA_MODULUS));
      SIJIL_ASSIGN_OR_RETURN(Bytes e, GetAttribute(lease, pub, CKA_PUBLIC_EXPONENT));
      internal::BnPtr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
      internal::BnPtr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
      OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get());
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get());
      OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
      OSSL_PARAM_BLD_free(bld);
      PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
      EVP_PKEY* pkey = nullptr;
      bool ok = ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
                EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
      OSSL_PARAM_free(params);
      if (!ok) return internal::OpenSslError("cannot build RSA public key from HSM");
      return PublicKey::Adopt(pkey);
    }
    if (key_type == CKK_EC || key_type == CKK_EC_EDWARDS) {
      SIJIL_ASSIGN_OR_RETURN(Bytes point, GetAttribute(lease, pub, CKA_EC_POINT));
      // Modules return the point either raw or wrapped in a DER OCTET STRING.
      size_t raw_len = key_type == CKK_EC ? 65 : 32;
      if (point.size() == raw_len + 2 && point[0] == 0x04 && point[1] == raw_len) {
        point.erase(point.begin(), point.begin() + 2);
      }
      if (point.size() != raw_len) {
        return Status::Internal(kErrHsm, "HSM returned an EC point of unexpected size");
      }
      if (key_type == CKK_EC_EDWARDS) {
        EVP_PKEY* pkey =
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, point.data(), point.size());
        if (pkey == nullptr) return internal::OpenSslError("cannot build Ed25519 key from HSM");
        return PublicKey::Adopt(pkey);
      }
      OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
      OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
      OSSL_PARAM_BLD_free(bld);
      PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
      EVP_PKEY* pkey = nullptr;
      bool ok = ctx && EVP_PKEY_fromdata_init(ctx.get()) == 1 &&
                EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
      OSSL_PARAM_free(params);
      if (!ok) return internal::OpenSslError("cannot build EC public key from HSM");
      return PublicKey::Adopt(pkey);
    }
    return Status::InvalidArgument(kErrUnsupported, "HSM key has an unsupported type");
  }

  // Looks the key pair up, from the cache or the token.
  Result<CachedKey> Lookup(std::string_view label_view, bool refresh = false) {
    std::string label(label_view);
    if (!refresh) {
      std::lock_guard lock(mu);
      auto it = cache.find(label);
      if (it != cache.end()) return it->second;
    }
    SIJIL_ASSIGN_OR_RETURN(Lease lease, Borrow());
    SIJIL_ASSIGN_OR_RETURN(auto privs, FindObjects(lease, CKO_PRIVATE_KEY, &label));
    SIJIL_ASSIGN_OR_RETURN(auto pubs, FindObjects(lease, CKO_PUBLIC_KEY, &label));
    if (privs.empty() || pubs.empty()) {
      std::lock_guard lock(mu);
      cache.erase(label);
      return Status::NotFound(kErrHsmKeyNotFound, "no HSM key with label " + label);
    }
    if (privs.size() > 1 || pubs.size() > 1) {
      return Status::Internal(kErrHsm, "several HSM keys share the label " + label);
    }
    SIJIL_ASSIGN_OR_RETURN(PublicKey pub, ReadPublicKey(lease, pubs[0]));
    CachedKey entry{privs[0], pubs[0], KeyStoreKey{label, pub.algorithm(), pub}};
    std::lock_guard lock(mu);
    cache.insert_or_assign(label, entry);
    return entry;
  }
};

// ---- Opening

namespace {

Status WriteSoftHsmConfig(Env& env, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path tokens = std::filesystem::absolute(dir / "tokens", ec);
  SIJIL_RETURN_IF_ERROR(env.CreateDirectories(tokens));
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  std::filesystem::permissions(tokens, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  std::string conf =
      "# Written by Sijil at first start: the private SoftHSM2 store.\n"
      "directories.tokendir = " +
      tokens.string() +
      "\n"
      "objectstore.backend = file\n"
      "log.level = ERROR\n"
      "slots.removable = false\n"
      "slots.mechanisms = ALL\n";
  return env.WriteFileAtomic(dir / "softhsm2.conf", conf);
}

std::string PadLabel(std::string_view label) {
  std::string out(label.substr(0, 32));
  out.resize(32, ' ');
  return out;
}

// Finds the slot whose token has `label`; nullopt if none.
Result<std::optional<CK_SLOT_ID>> FindTokenSlot(CK_FUNCTION_LIST_PTR fn, std::string_view label,
                                                std::optional<CK_SLOT_ID>* free_slot) {
  CK_ULONG count = 0;
  CK_RV rv = fn->C_GetSlotList(CK_TRUE, nullptr, &count);
  if (rv != CKR_OK) return HsmError("HSM slot list", rv);
  std::vector<CK_SLOT_ID> slots(count);
  rv = fn->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) return HsmError("HSM slot list", rv);
  slots.resize(count);
  for (CK_SLOT_ID s : slots) {
    CK_TOKEN_INFO info;
    if (fn->C_GetTokenInfo(s, &info) != CKR_OK) continue;
    if ((info.flags & CKF_TOKEN_INITIALIZED) == 0) {
      if (free_slot != nullptr && !free_slot->has_value()) *free_slot = s;
      continue;
    }
    if (Trim(info.label, sizeof(info.label)) == label) return std::optional<CK_SLOT_ID>(s);
  }
  return std::optional<CK_SLOT_ID>();
}

Status CreateToken(CK_FUNCTION_LIST_PTR fn, CK_SLOT_ID free_slot, const Pkcs11Settings& s,
                   Env& env) {
  std::string so_pin = s.so_pin;
  if (so_pin.empty()) {
    uint8_t random[16];
    env.RandomBytes(random);
    so_pin = HexEncode(random);
  }
  std::string label = PadLabel(s.token_label);
  CK_RV rv = fn->C_InitToken(free_slot, reinterpret_cast<CK_UTF8CHAR_PTR>(so_pin.data()),
                             Len(so_pin.size()), reinterpret_cast<CK_UTF8CHAR_PTR>(label.data()));
  if (rv != CKR_OK) return HsmError("HSM token creation", rv);
  // Initialising a token may renumber the slots: find it again by label.
  SIJIL_ASSIGN_OR_RETURN(auto slot, FindTokenSlot(fn, s.token_label, nullptr));
  if (!slot.has_value()) {
    return Status::Internal(kErrHsmToken, "HSM token vanished after creation");
  }
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  rv = fn->C_OpenSession(*slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session);
  if (rv != CKR_OK) return HsmError("HSM open session", rv);
  rv = fn->C_Login(session, CKU_SO, reinterpret_cast<CK_UTF8CHAR_PTR>(so_pin.data()),
                   Len(so_pin.size()));
  if (rv == CKR_OK) {
    std::string pin = s.pin;
    rv = fn->C_InitPIN(session, reinterpret_cast<CK_UTF8CHAR_PTR>(pin.data()), Len(pin.size()));
    fn->C_Logout(session);
  }
  fn->C_CloseSession(session);
  if (rv != CKR_OK) return HsmError("HSM user PIN setup", rv);
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Pkcs11KeyStore>> Pkcs11KeyStore::Open(const Pkcs11Settings& settings,
                                                             Env& env) {
  if (settings.pin.empty()) {
    return Status::InvalidArgument(kErrHsmConfig, "HSM PIN is not set (hsm.pin or SIJIL_HSM_PIN)");
  }
  if (settings.token_label.empty() || settings.token_label.size() > 32) {
    return Status::InvalidArgument(kErrHsmConfig, "HSM token label must be 1 to 32 characters");
  }
  auto impl = std::make_unique<Impl>();
  impl->settings = settings;

  std::string conf;
  bool first_start = false;
  if (!settings.softhsm_dir.empty()) {
    std::filesystem::path dir(settings.softhsm_dir);
    std::error_code ec;
    conf = std::filesystem::absolute(dir / "softhsm2.conf", ec).string();
    if (!env.FileExists(conf)) {
      SIJIL_RETURN_IF_ERROR(WriteSoftHsmConfig(env, dir));
      first_start = true;
    }
  }
  SIJIL_ASSIGN_OR_RETURN(impl->fn, AcquireModule(settings.module_path, conf));
  impl->module_acquired = true;
  CK_FUNCTION_LIST_PTR fn = impl->fn;

  std::optional<CK_SLOT_ID> free_slot;
  SIJIL_ASSIGN_OR_RETURN(auto slot, FindTokenSlot(fn, settings.token_label, &free_slot));
  if (!slot.has_value() && first_start && free_slot.has_value()) {
    SIJIL_RETURN_IF_ERROR(CreateToken(fn, *free_slot, settings, env));
    SIJIL_ASSIGN_OR_RETURN(slot, FindTokenSlot(fn, settings.token_label, nullptr));
  }
  if (!slot.has_value()) {
    return Status::FailedPrecondition(kErrHsmToken, "HSM token '" + settings.token_label +
                                                        "' not found in " + settings.module_path);
  }
  impl->slot = *slot;
  CK_TOKEN_INFO info;
  std::string model = "PKCS#11";
  if (fn->C_GetTokenInfo(impl->slot, &info) == CKR_OK) {
    model = Trim(info.manufacturerID, sizeof(info.manufacturerID)) + " " +
            Trim(info.model, sizeof(info.model));
  }
  impl->description =
      "PKCS#11 token '" + settings.token_label + "' (" + model + ", " + settings.module_path + ")";
  SIJIL_RETURN_IF_ERROR(impl->Login());
  return std::unique_ptr<Pkcs11KeyStore>(new Pkcs11KeyStore(std::move(impl)));
}

Pkcs11KeyStore::Pkcs11KeyStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pkcs11KeyStore::~Pkcs11KeyStore() = default;

std::string Pkcs11KeyStore::Describe() const { return impl_->description; }

Status Pkcs11KeyStore::Check() {
  CK_TOKEN_INFO info;
  CK_RV rv = impl_->fn->C_GetTokenInfo(impl_->slot, &info);
  if (rv != CKR_OK) return HsmError("HSM token info", rv);
  SIJIL_ASSIGN_OR_RETURN(auto lease, impl_->Borrow());
  CK_SESSION_INFO session_info;
  rv = impl_->fn->C_GetSessionInfo(lease.get(), &session_info);
  lease.Note(rv);
  if (rv != CKR_OK) return HsmError("HSM session info", rv);
  if (session_info.state != CKS_RW_USER_FUNCTIONS && session_info.state != CKS_RO_USER_FUNCTIONS) {
    return Status::Unavailable(kErrHsm, "HSM session is not logged in");
  }
  return Status::Ok();
}

Result<KeyStoreKey> Pkcs11KeyStore::GenerateKeyPair(std::string_view label_view,
                                                    KeyAlgorithm algorithm) {
  std::string label(label_view);
  if (label.empty()) return Status::InvalidArgument(kErrHsmConfig, "empty key label");
  auto existing = impl_->Lookup(label, /*refresh=*/true);
  if (existing.ok()) {
    return Status::AlreadyExists(kErrHsmKeyExists, "an HSM key with label " + label + " exists");
  }
  if (existing.status().code() != kErrHsmKeyNotFound) return existing.status();

  CK_BBOOL yes = CK_TRUE;
  CK_BBOOL no = CK_FALSE;
  CK_ULONG bits = 2048;
  CK_BYTE exponent[] = {0x01, 0x00, 0x01};
  std::vector<CK_ATTRIBUTE> pub = {
      {CKA_TOKEN, &yes, sizeof(yes)},
      {CKA_PRIVATE, &no, sizeof(no)},
      {CKA_LABEL, label.data(), Len(label.size())},
      {CKA_ID, label.data(), Len(label.size())},
      {CKA_VERIFY, &yes, sizeof(yes)},
  };
  std::vector<CK_ATTRIBUTE> priv = {
      {CKA_TOKEN, &yes, sizeof(yes)},
      {CKA_PRIVATE, &yes, sizeof(yes)},
      {CKA_SENSITIVE, &yes, sizeof(yes)},
      {CKA_EXTRACTABLE, &no, sizeof(no)},
      {CKA_LABEL, label.data(), Len(label.size())},
      {CKA_ID, label.data(), Len(label.size())},
      {CKA_SIGN, &yes, sizeof(yes)},
  };
  CK_MECHANISM mech = {CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  switch (algorithm) {
    case KeyAlgorithm::kRsa2048:
      pub.push_back({CKA_MODULUS_BITS, &bits, sizeof(bits)});
      pub.push_back({CKA_PUBLIC_EXPONENT, exponent, sizeof(exponent)});
      pub.push_back({CKA_ENCRYPT, &yes, sizeof(yes)});
      priv.push_back({CKA_DECRYPT, &yes, sizeof(yes)});
      break;
    case KeyAlgorithm::kEcP256:
      mech.mechanism = CKM_EC_KEY_PAIR_GEN;
      pub.push_back({CKA_EC_PARAMS, const_cast<uint8_t*>(kP256Params), sizeof(kP256Params)});
      break;
    case KeyAlgorithm::kEd25519:
      mech.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN;
      pub.push_back({CKA_EC_PARAMS, const_cast<uint8_t*>(kEd25519Params), sizeof(kEd25519Params)});
      break;
  }
  SIJIL_ASSIGN_OR_RETURN(auto lease, impl_->Borrow());
  CK_OBJECT_HANDLE pub_handle = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE priv_handle = CK_INVALID_HANDLE;
  CK_RV rv = impl_->fn->C_GenerateKeyPair(lease.get(), &mech, pub.data(), Len(pub.size()),
                                          priv.data(), Len(priv.size()), &pub_handle, &priv_handle);
  lease.Note(rv);
  if (rv == CKR_MECHANISM_INVALID || rv == CKR_MECHANISM_PARAM_INVALID ||
      rv == CKR_DOMAIN_PARAMS_INVALID || rv == CKR_CURVE_NOT_SUPPORTED) {
    return Status::Unimplemented(kErrUnsupported, "the HSM cannot generate " +
                                                      std::string(KeyAlgorithmName(algorithm)) +
                                                      " keys (" + RvName(rv) + ")");
  }
  if (rv != CKR_OK) return HsmError("HSM key generation", rv);
  SIJIL_ASSIGN_OR_RETURN(PublicKey pub_key, impl_->ReadPublicKey(lease, pub_handle));
  KeyStoreKey info{label, pub_key.algorithm(), pub_key};
  std::lock_guard lock(impl_->mu);
  impl_->cache.insert_or_assign(label, Impl::CachedKey{priv_handle, pub_handle, info});
  return info;
}

Result<KeyStoreKey> Pkcs11KeyStore::FindKeyPair(std::string_view label) {
  SIJIL_ASSIGN_OR_RETURN(Impl::CachedKey entry, impl_->Lookup(label));
  return entry.info;
}

Result<std::vector<KeyStoreKey>> Pkcs11KeyStore::ListKeyPairs() {
  std::vector<std::string> labels;
  {
    SIJIL_ASSIGN_OR_RETURN(auto lease, impl_->Borrow());
    SIJIL_ASSIGN_OR_RETURN(auto privs, impl_->FindObjects(lease, CKO_PRIVATE_KEY, nullptr));
    for (CK_OBJECT_HANDLE h : privs) {
      SIJIL_ASSIGN_OR_RETURN(Bytes label, impl_->GetAttribute(lease, h, CKA_LABEL));
      labels.emplace_back(label.begin(), label.end());
    }
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  std::vector<KeyStoreKey> out;
  for (const std::string& label : labels) {
    auto key = impl_->Lookup(label);
    if (key.ok()) out.push_back(key->info);
  }
  return out;
}

Status Pkcs11KeyStore::DeleteKeyPair(std::string_view label) {
  SIJIL_ASSIGN_OR_RETURN(Impl::CachedKey entry, impl_->Lookup(label, /*refresh=*/true));
  SIJIL_ASSIGN_OR_RETURN(auto lease, impl_->Borrow());
  CK_RV rv = impl_->fn->C_DestroyObject(lease.get(), entry.priv);
  if (rv == CKR_OK) rv = impl_->fn->C_DestroyObject(lease.get(), entry.pub);
  lease.Note(rv);
  {
    std::lock_guard lock(impl_->mu);
    impl_->cache.erase(std::string(label));
  }
  if (rv != CKR_OK) return HsmError("HSM key deletion", rv);
  return Status::Ok();
}

Result<Bytes> Pkcs11KeyStore::Sign(std::string_view label, SignatureAlgorithm algorithm,
                                   std::span<const uint8_t> data) {
  for (int attempt = 0;; ++attempt) {
    SIJIL_ASSIGN_OR_RETURN(Impl::CachedKey key, impl_->Lookup(label, attempt > 0));
    if (!AlgorithmFitsKey(algorithm, key.info.algorithm)) {
      return Status::InvalidArgument(
          kErrJwsKeyMismatch,
          "HSM key type does not fit algorithm " + std::string(JwsAlgorithmName(algorithm)));
    }
    CK_RSA_PKCS_PSS_PARAMS pss = {CKM_SHA256, CKG_MGF1_SHA256, 32};
    CK_MECHANISM mech = {CKM_SHA256_RSA_PKCS, nullptr, 0};
    Bytes digest;
    std::span<const uint8_t> input = data;
    switch (algorithm) {
      case SignatureAlgorithm::kRs256:
        break;
      case SignatureAlgorithm::kPs256:
        mech = {CKM_SHA256_RSA_PKCS_PSS, &pss, sizeof(pss)};
        break;
      case SignatureAlgorithm::kEs256:
        // Hash here: plain CKM_ECDSA over a digest is the most widely implemented form.
        digest = Sha256(data);
        input = digest;
        mech = {CKM_ECDSA, nullptr, 0};
        break;
      case SignatureAlgorithm::kEdDsa:
        mech = {CKM_EDDSA, nullptr, 0};
        break;
    }
    SIJIL_ASSIGN_OR_RETURN(auto lease, impl_->Borrow());
    CK_RV rv = impl_->fn->C_SignInit(lease.get(), &mech, key.priv);
    Bytes sig(512);
    CK_ULONG len = Len(sig.size());
    if (rv == CKR_OK) {
      rv = impl_->fn->C_Sign(lease.get(), const_cast<uint8_t*>(input.data()), Len(input.size()),
                             sig.data(), &len);
    }
    lease.Note(rv);
    if ((rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) && attempt == 0) {
      continue;  // the cached handle went stale (key re-created by another process)
    }
    if (rv != CKR_OK) return HsmError("HSM signing", rv);
    sig.resize(len);
    return sig;
  }
}

Result<Bytes> Pkcs11KeyStore::DecryptRsaOaepSha256(std::string_view label,
                                                   std::span<const uint8_t> ciphertext) {
  for (int attempt = 0;; ++attempt) {
    SIJIL_ASSIGN_OR_RETURN(Impl::CachedKey key, impl_->Lookup(label, attempt > 0));
    if (key.info.algorithm != KeyAlgorithm::kRsa2048) {
      return Status::InvalidArgument(kErrJwsKeyMismatch, "RSA-OAEP needs an RSA key");
    }
    size_t k = static_cast<size_t>(key.info.public_key.RsaSizeBytes());
    if (ciphertext.size() != k) {
      return Status::InvalidArgument(kErrEnvelopeDecrypt, "RSA ciphertext has the wrong length");
    }
    SIJIL_ASSIGN_OR_RETURN(auto lease, impl_->Borrow());
    Bytes out(k);
    CK_ULONG len = Len(out.size());
    CK_RV rv = CKR_MECHANISM_INVALID;
    int mode = impl_->oaep_mode.load();
    if (mode != 2) {
      CK_RSA_PKCS_OAEP_PARAMS oaep = {CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, nullptr, 0};
      CK_MECHANISM mech = {CKM_RSA_PKCS_OAEP, &oaep, sizeof(oaep)};
      rv = impl_->fn->C_DecryptInit(lease.get(), &mech, key.priv);
      if (rv == CKR_OK) {
        rv = impl_->fn->C_Decrypt(lease.get(), const_cast<uint8_t*>(ciphertext.data()),
                                  Len(ciphertext.size()), out.data(), &len);
        if (mode == 0) impl_->oaep_mode.store(1);
      } else if (rv == CKR_MECHANISM_INVALID || rv == CKR_MECHANISM_PARAM_INVALID ||
                 rv == CKR_ARGUMENTS_BAD) {
        // Many modules (SoftHSM2 among them) only do OAEP with SHA-1. Fall back to raw RSA
        // and unpad in software, as MOSIP's key manager does.
        impl_->oaep_mode.store(2);
        mode = 2;
      }
    }
    if (mode == 2) {
      CK_MECHANISM raw = {CKM_RSA_X_509, nullptr, 0};
      rv = impl_->fn->C_DecryptInit(lease.get(), &raw, key.priv);
      if (rv == CKR_OK) {
        rv = impl_->fn->C_Decrypt(lease.get(), const_cast<uint8_t*>(ciphertext.data()),
                                  Len(ciphertext.size()), out.data(), &len);
      }
      lease.Note(rv);
      if ((rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) && attempt == 0) {
        continue;
      }
      if (rv != CKR_OK) return HsmError("HSM RSA decryption", rv);
      out.resize(len);
      return RsaOaepSha256Unpad(out, k);
    }
    lease.Note(rv);
    if ((rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) && attempt == 0) {
      continue;
    }
    if (rv == CKR_ENCRYPTED_DATA_INVALID || rv == CKR_ENCRYPTED_DATA_LEN_RANGE) {
      return Status::InvalidArgument(kErrEnvelopeDecrypt, "RSA-OAEP decryption failed");
    }
    if (rv != CKR_OK) return HsmError("HSM RSA decryption", rv);
    out.resize(len);
    return out;
  }
}

}  // namespace sijil::crypto
