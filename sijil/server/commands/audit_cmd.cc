// `sijil audit`: checks the tamper-evident audit log.
//
//   sijil [-c FILE] audit verify [--db URL] [--data-dir DIR] [--public-key PEM]
//                                [--key-label L] [--json]
//
// The database and key store are those of the configuration `sijil serve` uses (-c FILE,
// SIJIL_* variables, --db / --data-dir overrides). The audit public key comes from that key
// store, or from a PEM file exported from it, never from the database being checked. Exit
// status: 0 intact, 1 tampered, 2 usage or runtime error.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sijil/audit/audit_log.h"
#include "sijil/audit/audit_verify.h"
#include "sijil/base/config.h"
#include "sijil/base/env.h"
#include "sijil/crypto/pkcs11_key_store.h"
#include "sijil/server/app.h"
#include "sijil/server/command.h"
#include "sijil/store/database.h"

namespace sijil::cli {
namespace {

struct AuditOptions {
  std::string db_url;
  std::string data_dir;
  std::string public_key_file;
  std::string hsm_module;
  std::string token_label;
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

Result<crypto::PublicKey> LoadKey(const Config& config, const AuditOptions& o) {
  if (!o.public_key_file.empty()) {
    SIJIL_ASSIGN_OR_RETURN(std::string pem, Env::Default().ReadFile(o.public_key_file));
    return crypto::PublicKey::FromPem(pem);
  }
  SIJIL_ASSIGN_OR_RETURN(crypto::Pkcs11Settings settings,
                         server::ConfiguredHsmSettings(config, Env::Default(), false));
  SIJIL_ASSIGN_OR_RETURN(std::unique_ptr<crypto::Pkcs11KeyStore> store,
                         crypto::Pkcs11KeyStore::Open(settings, Env::Default()));
  SIJIL_ASSIGN_OR_RETURN(crypto::KeyStoreKey key, store->FindKeyPair(o.key_label));
  return key.public_key;
}

int RunVerify(const CommandContext& ctx, const AuditOptions& o) {
  Result<Config> config = LoadCommandConfig(ctx, {{"server.data_dir", o.data_dir},
                                                  {"store.url", o.db_url},
                                                  {"hsm.module", o.hsm_module},
                                                  {"hsm.token_label", o.token_label}});
  if (!config.ok()) return Fail(config.status(), o.json);
  // The key first: a missing key store must not leave an empty database behind.
  Result<crypto::PublicKey> key = LoadKey(*config, o);
  if (!key.ok()) return Fail(key.status(), o.json);
  Result<std::unique_ptr<store::Database>> db =
      server::OpenConfiguredDatabase(*config, Env::Default());
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
  verify->add_option("--db", o->db_url,
                     "Database URL (store.url: sqlite:PATH or postgresql://...; default "
                     "sqlite:<data-dir>/sijil.db)");
  verify->add_option("--data-dir", o->data_dir,
                     "Data directory of `sijil serve` (server.data_dir)");
  verify->add_option("--public-key", o->public_key_file,
                     "Audit public key (PEM) instead of the configured key store");
  verify->add_option("--hsm-module", o->hsm_module, "PKCS#11 module (hsm.module)");
  verify->add_option("--token", o->token_label, "Token label (hsm.token_label)");
  verify->add_option("--key-label", o->key_label, "Label of the audit key");
  verify->add_flag("--json", o->json, "Print one JSON object");
  verify->callback([o, &ctx] { ctx.exit_code = RunVerify(ctx, *o); });
}

SIJIL_REGISTER_COMMAND(310, "audit", SetupAudit);

}  // namespace
}  // namespace sijil::cli
