// `sijil audit`: checks the tamper-evident audit log.
//
//   sijil audit verify --db URL (--public-key PEM | --hsm-dir DIR) [--key-label L] [--json]
//
// The audit public key comes from the key store (SoftHSM directory, PIN in SIJIL_HSM_PIN) or
// from a PEM file exported from it, never from the database being checked. Exit status: 0
// intact, 1 tampered, 2 usage or runtime error.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sijil/audit/audit_log.h"
#include "sijil/audit/audit_verify.h"
#include "sijil/base/env.h"
#include "sijil/crypto/pkcs11_key_store.h"
#include "sijil/server/command.h"
#include "sijil/store/database.h"

namespace sijil::cli {
namespace {

struct AuditOptions {
  std::string db_url;
  std::string public_key_file;
  std::string hsm_dir;
  std::string hsm_module = "/usr/lib/softhsm/libsofthsm2.so";
  std::string token_label = "sijil";
  std::string key_label = "sijil-audit";
  bool json = false;
};

int Fail(const Status& st, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"error", {{"code", st.code()}, {"message", st.message()}}}}.dump()
              << "\n";
  } else {
    std::cerr << "error: " << st.ToString() << "\n";
  }
  return 2;
}

Result<crypto::PublicKey> LoadKey(const AuditOptions& o) {
  if (!o.public_key_file.empty()) {
    SIJIL_ASSIGN_OR_RETURN(std::string pem, Env::Default().ReadFile(o.public_key_file));
    return crypto::PublicKey::FromPem(pem);
  }
  crypto::Pkcs11Settings settings;
  settings.module_path = o.hsm_module;
  settings.token_label = o.token_label;
  settings.softhsm_dir = o.hsm_dir;
  if (const char* pin = std::getenv("SIJIL_HSM_PIN")) settings.pin = pin;
  SIJIL_ASSIGN_OR_RETURN(std::unique_ptr<crypto::Pkcs11KeyStore> store,
                         crypto::Pkcs11KeyStore::Open(settings, Env::Default()));
  SIJIL_ASSIGN_OR_RETURN(crypto::KeyStoreKey key, store->FindKeyPair(o.key_label));
  return key.public_key;
}

int RunVerify(const AuditOptions& o) {
  if (o.public_key_file.empty() == o.hsm_dir.empty()) {
    return Fail(
        Status::InvalidArgument("SIJ-AUD-004", "give exactly one of --public-key or --hsm-dir"),
        o.json);
  }
  Result<crypto::PublicKey> key = LoadKey(o);
  if (!key.ok()) return Fail(key.status(), o.json);
  Result<std::unique_ptr<store::Database>> db = store::OpenDatabase(o.db_url);
  if (!db.ok()) return Fail(db.status(), o.json);
  Result<audit::VerifyReport> report = audit::VerifyAuditLog(**db, *key);
  if (!report.ok()) return Fail(report.status(), o.json);
  const audit::VerifyReport& r = *report;
  if (o.json) {
    nlohmann::json j{{"intact", r.intact()},
                     {"entries", r.entries},
                     {"head_seq", r.head_seq},
                     {"checkpoints", r.checkpoints},
                     {"last_checkpoint_seq", r.last_checkpoint_seq}};
    if (!r.intact()) {
      j["tamper"] = {{"kind", audit::TamperKindName(r.kind)}, {"seq", r.seq}, {"detail", r.detail}};
    }
    std::cout << j.dump() << "\n";
  } else if (r.intact()) {
    std::cout << "intact: " << r.entries << " entries, " << r.checkpoints
              << " signed checkpoints (last at " << r.last_checkpoint_seq << ")\n";
  } else {
    std::cout << "TAMPERED: " << audit::TamperKindName(r.kind) << " at entry " << r.seq << ": "
              << r.detail << "\n";
  }
  return r.intact() ? 0 : 1;
}

void SetupAudit(CLI::App& root, CommandContext& ctx) {
  CLI::App* audit = GetOrAddSubcommand(root, "audit", "Check the tamper-evident audit log");
  audit->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();
  CLI::App* verify = audit->add_subcommand(
      "verify", "Check the hash chain and checkpoint signatures (exit 0 intact, 1 tampered)");
  verify->add_option("--db", o->db_url, "Database URL (sqlite:PATH or postgresql://...)")
      ->required();
  verify->add_option("--public-key", o->public_key_file, "Audit public key (PEM)");
  verify->add_option("--hsm-dir", o->hsm_dir,
                     "SoftHSM directory of the key store (PIN in SIJIL_HSM_PIN)");
  verify->add_option("--hsm-module", o->hsm_module, "PKCS#11 module");
  verify->add_option("--token", o->token_label, "Token label");
  verify->add_option("--key-label", o->key_label, "Label of the audit key");
  verify->add_flag("--json", o->json, "Print one JSON object");
  verify->callback([o, &ctx] { ctx.exit_code = RunVerify(*o); });
}

SIJIL_REGISTER_COMMAND(310, "audit", SetupAudit);

}  // namespace
}  // namespace sijil::cli
