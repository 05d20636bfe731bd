// `sijil users add|list|roles|disable|enable|reset-secret`: API accounts, managed directly in
// the database (the server need not run; SQLite's WAL lets both work at once).
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sijil/base/config.h"
#include "sijil/base/env.h"
#include "sijil/http/envelope.h"
#include "sijil/server/accounts.h"
#include "sijil/server/app.h"
#include "sijil/server/command.h"

namespace sijil::cli {
namespace {

struct UsersFlags {
  std::string data_dir;
  std::string name;
  std::string roles;
  bool service = false;
  bool json = false;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t b = item.find_first_not_of(' ');
    size_t e = item.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

// Opens the account table of the configured database; prints the error and returns null.
struct Opened {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<server::AccountStore> accounts;
};

std::optional<Opened> Open(CommandContext& ctx, const UsersFlags& flags) {
  auto config = Config::LoadFromProcess(ConfigSchema::Global(), ctx.config_path);
  if (!config.ok()) {
    std::cerr << "sijil users: " << config.status().message() << "\n";
    return std::nullopt;
  }
  if (!flags.data_dir.empty()) {
    if (Status s = config->Set("server.data_dir", flags.data_dir, "--data-dir"); !s.ok()) {
      std::cerr << "sijil users: " << s.message() << "\n";
      return std::nullopt;
    }
  }
  Env& env = Env::Default();
  auto db = server::OpenConfiguredDatabase(*config, env);
  if (!db.ok()) {
    std::cerr << "sijil users: " << db.status().message() << " [" << db.status().code() << "]\n";
    return std::nullopt;
  }
  server::PasswordHashSettings hashing;
  hashing.ops_limit = static_cast<uint64_t>(config->GetInt("auth.hash_ops"));
  hashing.mem_limit = static_cast<size_t>(config->GetInt("auth.hash_memory_kib")) * 1024;
  auto accounts = server::AccountStore::Open(**db, env, hashing);
  if (!accounts.ok()) {
    std::cerr << "sijil users: " << accounts.status().message() << "\n";
    return std::nullopt;
  }
  return Opened{std::move(db).value(), std::move(accounts).value()};
}

int Report(const Status& s) {
  if (s.ok()) return 0;
  std::cerr << "sijil users: " << s.message() << " [" << s.code() << "]\n";
  return s.kind() == StatusKind::kNotFound || s.kind() == StatusKind::kAlreadyExists ? 1 : 2;
}

void SetupUsers(CLI::App& root, CommandContext& ctx) {
  CLI::App* users = GetOrAddSubcommand(root, "users", "Manage API accounts (users and services)");
  users->require_subcommand(1);
  auto flags = std::make_shared<UsersFlags>();
  auto add_data_dir = [flags](CLI::App* cmd) {
    cmd->add_option("--data-dir", flags->data_dir, "Data directory (server.data_dir)");
  };

  CLI::App* add = users->add_subcommand("add", "Create an account and print its secret once");
  add->add_option("name", flags->name, "Account name")->required();
  add->add_option("--roles", flags->roles, "Comma-separated roles, e.g. REGISTRATION_PROCESSOR");
  add->add_flag("--service", flags->service,
                "A service account (logs in with clientId/secretKey) instead of a user");
  add_data_dir(add);
  add->callback([&ctx, flags] {
    auto opened = Open(ctx, *flags);
    if (!opened) {
      ctx.exit_code = 2;
      return;
    }
    std::string secret = server::AccountStore::GenerateSecret(Env::Default());
    Status s = opened->accounts->Add(
        flags->name, flags->service ? server::AccountKind::kService : server::AccountKind::kUser,
        secret, SplitList(flags->roles));
    ctx.exit_code = Report(s);
    if (s.ok()) {
      std::cout << "account: " << flags->name << "\nsecret:  " << secret
                << "\n(the secret is shown only now)\n";
    }
  });

  CLI::App* list = users->add_subcommand("list", "List accounts");
  list->add_flag("--json", flags->json, "Print one JSON object");
  add_data_dir(list);
  list->callback([&ctx, flags] {
    auto opened = Open(ctx, *flags);
    if (!opened) {
      ctx.exit_code = 2;
      return;
    }
    auto all = opened->accounts->List();
    if (!all.ok()) {
      ctx.exit_code = Report(all.status());
      return;
    }
    if (flags->json) {
      nlohmann::json out = {{"accounts", nlohmann::json::array()}};
      for (const auto& a : *all) {
        out["accounts"].push_back({{"name", a.name},
                                   {"kind", server::AccountKindName(a.kind)},
                                   {"roles", a.roles},
                                   {"disabled", a.disabled},
                                   {"created", http::FormatResponseTime(a.created_at)}});
      }
      std::cout << out.dump() << "\n";
    } else {
      for (const auto& a : *all) {
        std::cout << a.name << "\t" << server::AccountKindName(a.kind) << "\t"
                  << (a.roles.empty() ? "-" : Join(a.roles)) << "\t"
                  << (a.disabled ? "disabled" : "enabled") << "\n";
      }
    }
    ctx.exit_code = 0;
  });

  CLI::App* roles = users->add_subcommand("roles", "Replace an account's roles");
  roles->add_option("name", flags->name, "Account name")->required();
  roles->add_option("roles", flags->roles, "Comma-separated roles (\"\" for none)")->required();
  add_data_dir(roles);
  roles->callback([&ctx, flags] {
    auto opened = Open(ctx, *flags);
    ctx.exit_code =
        opened ? Report(opened->accounts->SetRoles(flags->name, SplitList(flags->roles))) : 2;
  });

  for (bool disable : {true, false}) {
    CLI::App* cmd = users->add_subcommand(
        disable ? "disable" : "enable",
        disable ? "Disable an account (its tokens stop working at once)" : "Enable an account");
    cmd->add_option("name", flags->name, "Account name")->required();
    add_data_dir(cmd);
    cmd->callback([&ctx, flags, disable] {
      auto opened = Open(ctx, *flags);
      ctx.exit_code = opened ? Report(opened->accounts->SetDisabled(flags->name, disable)) : 2;
    });
  }

  CLI::App* reset = users->add_subcommand("reset-secret", "Set a new random secret and print it");
  reset->add_option("name", flags->name, "Account name")->required();
  add_data_dir(reset);
  reset->callback([&ctx, flags] {
    auto opened = Open(ctx, *flags);
    if (!opened) {
      ctx.exit_code = 2;
      return;
    }
    std::string secret = server::AccountStore::GenerateSecret(Env::Default());
    Status s = opened->accounts->SetSecret(flags->name, secret);
    ctx.exit_code = Report(s);
    if (s.ok()) std::cout << "account: " << flags->name << "\nsecret:  " << secret << "\n";
  });
}

SIJIL_REGISTER_COMMAND(20, "users", SetupUsers);

}  // namespace
}  // namespace sijil::cli
