// `sijil keys list | rotate <app> [<ref>] | cert <app> [<ref>]`: the key manager's keys, found
// through the same configuration as `sijil serve` (-c FILE, SIJIL_* variables; by default the
// SoftHSM2 token under <data-dir>/hsm and the database <data-dir>/sijil.db). Works while the
// server runs: SoftHSM2 and SQLite both allow a second process.
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "sijil/base/config.h"
#include "sijil/base/env.h"
#include "sijil/crypto/errors.h"
#include "sijil/crypto/key_manager.h"
#include "sijil/crypto/pkcs11_key_store.h"
#include "sijil/crypto/sql_key_repository.h"
#include "sijil/server/app.h"
#include "sijil/server/command.h"
#include "sijil/store/database.h"

namespace sijil::cli {
namespace {

struct KeysFlags {
  std::string data_dir;
  std::string store_url;
  std::string hsm_module;
  std::string token_label;
  std::string app;
  std::string ref;
  bool chain = false;
  bool json = false;
};

struct Opened {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<crypto::Pkcs11KeyStore> hsm;
  std::unique_ptr<crypto::SqlKeyRepository> repo;
  std::unique_ptr<crypto::KeyManager> keys;
};

int Fail(const Status& s) {
  std::cerr << "sijil keys: " << s.message() << " [" << s.code() << "]\n";
  return 2;
}

Result<Opened> Open(const CommandContext& ctx, const KeysFlags& flags) {
  Env& env = Env::Default();
  SIJIL_ASSIGN_OR_RETURN(Config config,
                         LoadCommandConfig(ctx, {{"server.data_dir", flags.data_dir},
                                                 {"store.url", flags.store_url},
                                                 {"hsm.module", flags.hsm_module},
                                                 {"hsm.token_label", flags.token_label}}));
  // Never create a key store here: only `sijil serve` makes one, at first start.
  SIJIL_ASSIGN_OR_RETURN(crypto::Pkcs11Settings hsm,
                         server::ConfiguredHsmSettings(config, env, /*may_create=*/false));
  Opened o;
  SIJIL_ASSIGN_OR_RETURN(o.db, server::OpenConfiguredDatabase(config, env));
  SIJIL_ASSIGN_OR_RETURN(o.hsm, crypto::Pkcs11KeyStore::Open(hsm, env));
  SIJIL_ASSIGN_OR_RETURN(o.repo, crypto::SqlKeyRepository::Open(*o.db));
  SIJIL_ASSIGN_OR_RETURN(o.keys, crypto::KeyManager::Create({}, *o.hsm, *o.repo, env));
  return o;
}

std::string Iso(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int List(const CommandContext& ctx, const KeysFlags& flags) {
  auto opened = Open(ctx, flags);
  if (!opened.ok()) return Fail(opened.status());
  auto keys = opened->keys->ListKeys();
  if (!keys.ok()) return Fail(keys.status());
  if (flags.json) {
    nlohmann::json out = {{"key_store", opened->hsm->Describe()},
                          {"keys", nlohmann::json::array()}};
    for (const crypto::KeyInfo& k : *keys) {
      out["keys"].push_back({{"application_id", k.application_id},
                             {"reference_id", k.reference_id},
                             {"tier", crypto::KeyTierName(k.tier)},
                             {"algorithm", crypto::KeyAlgorithmName(k.algorithm)},
                             {"alias", k.alias},
                             {"thumbprint", k.thumbprint_hex},
                             {"not_before", Iso(k.not_before)},
                             {"not_after", Iso(k.not_after)},
                             {"current", k.current}});
    }
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << "key store: " << opened->hsm->Describe() << "\n";
  std::printf("%-22s %-20s %-6s %-8s %-20s %-20s %-3s %s\n", "APPLICATION", "REFERENCE", "TIER",
              "ALG", "NOT_BEFORE", "NOT_AFTER", "CUR", "THUMBPRINT");
  for (const crypto::KeyInfo& k : *keys) {
    std::printf("%-22s %-20s %-6s %-8s %-20s %-20s %-3s %s\n", k.application_id.c_str(),
                k.reference_id.empty() ? "-" : k.reference_id.c_str(),
                std::string(crypto::KeyTierName(k.tier)).c_str(),
                std::string(crypto::KeyAlgorithmName(k.algorithm)).c_str(),
                Iso(k.not_before).c_str(), Iso(k.not_after).c_str(), k.current ? "*" : "",
                k.thumbprint_hex.substr(0, 16).c_str());
  }
  return 0;
}

int Rotate(const CommandContext& ctx, const KeysFlags& flags) {
  auto opened = Open(ctx, flags);
  if (!opened.ok()) return Fail(opened.status());
  auto key = opened->keys->Rotate(flags.app, flags.ref);
  if (!key.ok()) return Fail(key.status());
  if (flags.json) {
    std::cout << nlohmann::json{{"application_id", key->application_id},
                                {"reference_id", key->reference_id},
                                {"alias", key->alias},
                                {"thumbprint", key->thumbprint_hex},
                                {"not_before", Iso(key->not_before)},
                                {"not_after", Iso(key->not_after)}}
                     .dump()
              << "\n";
  } else {
    std::cout << "rotated " << key->application_id
              << (key->reference_id.empty() ? "" : "/" + key->reference_id) << ": new key "
              << key->alias << " (thumbprint " << key->thumbprint_hex << "), valid "
              << Iso(key->not_before) << " to " << Iso(key->not_after)
              << "; older keys still decrypt and verify\n";
  }
  return 0;
}

int Cert(const CommandContext& ctx, const KeysFlags& flags) {
  auto opened = Open(ctx, flags);
  if (!opened.ok()) return Fail(opened.status());
  auto chain = opened->keys->GetCertificateChain(flags.app, flags.ref);
  if (!chain.ok()) return Fail(chain.status());
  size_t n = flags.chain ? chain->size() : 1;
  for (size_t i = 0; i < n; ++i) std::cout << (*chain)[i].Pem();
  return 0;
}

void SetupKeys(CLI::App& root, CommandContext& ctx) {
  CLI::App* keys = GetOrAddSubcommand(root, "keys", "Key manager: list, rotate and show keys");
  keys->require_subcommand(1);
  auto flags = std::make_shared<KeysFlags>();
  auto common = [flags](CLI::App* cmd) {
    cmd->add_option("--data-dir", flags->data_dir,
                    "Data directory of `sijil serve` (server.data_dir)");
    cmd->add_option("--store-url", flags->store_url,
                    "Database URL (store.url; default sqlite:<data-dir>/sijil.db)");
    cmd->add_option("--hsm-module", flags->hsm_module, "PKCS#11 module (hsm.module)");
    cmd->add_option("--hsm-token", flags->token_label, "Token label (hsm.token_label)");
    cmd->footer(
        "Settings not given here come from the configuration (-c FILE, SIJIL_* variables). The "
        "HSM PIN comes from hsm.pin / SIJIL_HSM_PIN, else <data-dir>/hsm/pin.");
  };

  CLI::App* list = keys->add_subcommand("list", "List every key with its validity");
  list->add_flag("--json", flags->json, "Print one JSON object");
  common(list);
  list->callback([&ctx, flags] { ctx.exit_code = List(ctx, *flags); });

  CLI::App* rotate = keys->add_subcommand(
      "rotate", "Make a new key current for <app> [<ref>] (ROOT, a module, or a base key)");
  rotate->add_option("app", flags->app, "Application id, e.g. ID_REPO")->required();
  rotate->add_option("ref", flags->ref, "Reference id, e.g. identity_data (none: module key)");
  rotate->add_flag("--json", flags->json, "Print one JSON object");
  common(rotate);
  rotate->callback([&ctx, flags] { ctx.exit_code = Rotate(ctx, *flags); });

  CLI::App* cert = keys->add_subcommand("cert", "Print the current certificate (PEM)");
  cert->add_option("app", flags->app, "Application id, e.g. ID_REPO")->required();
  cert->add_option("ref", flags->ref, "Reference id (none: module key)");
  cert->add_flag("--chain", flags->chain, "Print the chain up to the root");
  common(cert);
  cert->callback([&ctx, flags] { ctx.exit_code = Cert(ctx, *flags); });
}

SIJIL_REGISTER_COMMAND(300, "keys", SetupKeys);

}  // namespace
}  // namespace sijil::cli
