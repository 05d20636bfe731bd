// `sijil ids`: generate and validate UINs, VIDs, PRIDs and RIDs with MOSIP's rules.
//
//   sijil ids generate uin|vid|prid [-n N] [--length L] [--json]
//   sijil ids validate uin|vid|prid|rid <value> [--mosip-validator] [--json]
//   sijil ids validate uin|vid|prid|rid --batch FILE|- [--json]
//   sijil ids pool stats|refill|allocate --db URL [-n N] [--reference R] [--json]
//
// validate exits 0 when every value is valid, 1 when one is not, 2 on a usage or I/O error.
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "sijil/base/env.h"
#include "sijil/ids/generator.h"
#include "sijil/ids/identifiers.h"
#include "sijil/ids/uin_pool.h"
#include "sijil/server/command.h"
#include "sijil/store/database.h"

namespace sijil::cli {
namespace {

struct IdsOptions {
  std::string type;
  std::string value;
  std::string batch;
  size_t count = 1;
  int length = 0;
  bool json = false;
  bool mosip_validator = false;
};

// Applies --length to the settings of `type`.
ids::IdSettings SettingsFor(ids::IdType type, int length) {
  ids::IdSettings s;
  if (length > 0) {
    switch (type) {
      case ids::IdType::kUin:
        s.uin.length = length;
        break;
      case ids::IdType::kVid:
        s.vid.length = length;
        break;
      case ids::IdType::kPrid:
        s.prid.length = length;
        break;
      case ids::IdType::kRid:
        break;
    }
  }
  return s;
}

void PrintError(const Status& st, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"error", {{"code", st.code()}, {"message", st.message()}}}}.dump()
              << "\n";
  } else {
    std::cerr << "error: " << st.ToString() << "\n";
  }
}

int RunGenerate(const IdsOptions& o) {
  const ids::IdType type = *ids::ParseIdType(o.type);
  Result<ids::IdGenerator> gen =
      ids::IdGenerator::Create(type, SettingsFor(type, o.length), Env::Default());
  if (!gen.ok()) {
    PrintError(gen.status(), o.json);
    return 2;
  }
  nlohmann::json out = nlohmann::json::array();
  std::string buffer;
  for (size_t i = 0; i < o.count; ++i) {
    Result<std::string> id = gen->Next();
    if (!id.ok()) {
      PrintError(id.status(), o.json);
      return 2;
    }
    if (o.json) {
      out.push_back(*id);
    } else {
      buffer += *id;
      buffer += '\n';
      if (buffer.size() > (1 << 16)) {
        std::cout << buffer;
        buffer.clear();
      }
    }
  }
  if (o.json) {
    std::cout << nlohmann::json{{"type", o.type}, {"count", o.count}, {"ids", out}}.dump() << "\n";
  } else {
    std::cout << buffer;
  }
  return 0;
}

nlohmann::json VerdictJson(std::string_view value, const ids::Verdict& v) {
  nlohmann::json j{{"value", value}, {"valid", v.ok()}};
  if (!v.ok()) {
    j["code"] = v.status.code();
    j["message"] = v.status.message();
    j["rule"] = ids::IdRuleName(v.rule);
  }
  return j;
}

int RunValidate(const IdsOptions& o) {
  const ids::IdType type = *ids::ParseIdType(o.type);
  const ids::IdSettings settings = SettingsFor(type, o.length);
  if (Status st = settings.Check(); !st.ok()) {
    PrintError(st, o.json);
    return 2;
  }
  const ids::RuleSet rules =
      o.mosip_validator ? ids::RuleSet::kMosipValidator : ids::RuleSet::kIssuance;

  if (o.batch.empty()) {
    const ids::Verdict v = ids::CheckId(type, o.value, settings, rules);
    if (o.json) {
      nlohmann::json j = VerdictJson(o.value, v);
      j["type"] = o.type;
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else if (v.ok()) {
      std::cout << "valid\n";
    } else {
      std::cout << v.status.code() << ": " << v.status.message() << "\n";
    }
    return v.ok() ? 0 : 1;
  }

  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.batch != "-") {
    file.open(o.batch);
    if (!file) {
      PrintError(Status::NotFound("SIJ-ENV-002", "cannot open " + o.batch), o.json);
      return 2;
    }
    in = &file;
  }
  size_t total = 0, valid = 0;
  std::map<std::string, size_t> by_code;
  nlohmann::json results = nlohmann::json::array();
  std::string line, out;
  while (std::getline(*in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const ids::Verdict v = ids::CheckId(type, line, settings, rules);
    ++total;
    if (v.ok()) {
      ++valid;
    } else {
      ++by_code[v.status.code()];
    }
    if (o.json) {
      results.push_back(VerdictJson(line, v));
    } else {
      out += line;
      out += '\t';
      out += v.ok() ? std::string("valid") : v.status.code();
      out += '\n';
      if (out.size() > (1 << 16)) {
        std::cout << out;
        out.clear();
      }
    }
  }
  if (o.json) {
    nlohmann::json j{{"type", o.type},           {"total", total},     {"valid", valid},
                     {"invalid", total - valid}, {"by_code", by_code}, {"results", results}};
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << out;
  }
  return valid == total ? 0 : 1;
}

struct PoolOptions {
  std::string db_url;
  std::string reference;
  int64_t count = 0;
  bool json = false;
};

// Runs `action` on the pool in `o.db_url`; prints an error and returns 2 on failure.
int WithPool(const PoolOptions& o, const std::function<int(ids::UinPool&)>& action) {
  Result<std::unique_ptr<store::Database>> db = store::OpenDatabase(o.db_url);
  if (!db.ok()) {
    PrintError(db.status(), o.json);
    return 2;
  }
  Result<std::unique_ptr<ids::UinPool>> pool = ids::UinPool::Open(**db, Env::Default());
  if (!pool.ok()) {
    PrintError(pool.status(), o.json);
    return 2;
  }
  return action(**pool);
}

void SetupPool(CLI::App& ids, CommandContext& ctx) {
  CLI::App* pool = ids.add_subcommand("pool", "The store-backed UIN pool");
  pool->require_subcommand(1);
  auto o = std::make_shared<PoolOptions>();
  auto common = [o](CLI::App* cmd) {
    cmd->add_option("--db", o->db_url, "Database URL (sqlite:PATH or postgresql://...)")
        ->required();
    cmd->add_flag("--json", o->json, "Print one JSON object");
  };

  CLI::App* stats = pool->add_subcommand("stats", "Count available and issued UINs");
  common(stats);
  stats->callback([o, &ctx] {
    ctx.exit_code = WithPool(*o, [&](ids::UinPool& p) {
      Result<ids::UinPoolStats> s = p.Stats();
      if (!s.ok()) {
        PrintError(s.status(), o->json);
        return 2;
      }
      if (o->json) {
        std::cout << nlohmann::json{{"available", s->available}, {"issued", s->issued}}.dump()
                  << "\n";
      } else {
        std::cout << "available " << s->available << "\nissued " << s->issued << "\n";
      }
      return 0;
    });
  });

  CLI::App* refill = pool->add_subcommand("refill", "Generate and add new UINs");
  common(refill);
  refill->add_option("-n,--count", o->count, "How many (default: the configured refill count)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  refill->callback([o, &ctx] {
    ctx.exit_code = WithPool(*o, [&](ids::UinPool& p) {
      Result<int64_t> added = p.Refill(o->count > 0 ? o->count : p.settings().refill_count);
      if (!added.ok()) {
        PrintError(added.status(), o->json);
        return 2;
      }
      if (o->json) {
        std::cout << nlohmann::json{{"added", *added}}.dump() << "\n";
      } else {
        std::cout << "added " << *added << "\n";
      }
      return 0;
    });
  });

  CLI::App* allocate = pool->add_subcommand("allocate", "Issue one UIN (idempotent per reference)");
  common(allocate);
  allocate->add_option("--reference", o->reference, "Who gets it (e.g. the RID)");
  allocate->callback([o, &ctx] {
    ctx.exit_code = WithPool(*o, [&](ids::UinPool& p) {
      Result<std::string> uin = p.Allocate(o->reference);
      if (!uin.ok()) {
        PrintError(uin.status(), o->json);
        return 2;
      }
      if (o->json) {
        std::cout << nlohmann::json{{"uin", *uin}, {"reference", o->reference}}.dump() << "\n";
      } else {
        std::cout << *uin << "\n";
      }
      return 0;
    });
  });
}

void SetupIds(CLI::App& root, CommandContext& ctx) {
  CLI::App* ids = GetOrAddSubcommand(root, "ids", "Generate and validate UIN, VID, PRID and RID");
  ids->require_subcommand(1);
  auto o = std::make_shared<IdsOptions>();

  CLI::App* gen =
      ids->add_subcommand("generate", "Draw new identifiers (not reserved in the pool)");
  gen->add_option("type", o->type, "uin, vid or prid")
      ->required()
      ->check(CLI::IsMember({"uin", "vid", "prid"}));
  gen->add_option("-n,--count", o->count, "How many")->check(CLI::Range(1, 10'000'000));
  gen->add_option("--length", o->length, "Override the configured length")
      ->check(CLI::Range(2, ids::kMaxIdLength));
  gen->add_flag("--json", o->json, "Print one JSON object");
  gen->callback([o, &ctx] { ctx.exit_code = RunGenerate(*o); });

  CLI::App* val = ids->add_subcommand(
      "validate", "Check identifiers; prints 'valid' or '<code>: <message>' (exit 0 / 1)");
  val->add_option("type", o->type, "uin, vid, prid or rid")
      ->required()
      ->check(CLI::IsMember({"uin", "vid", "prid", "rid"}));
  CLI::Option* value = val->add_option("value", o->value, "The identifier");
  CLI::Option* batch =
      val->add_option("--batch", o->batch,
                      "File with one value per line ('-' for stdin); prints <value>\\t<verdict>");
  value->excludes(batch);
  val->add_option("--length", o->length, "Override the configured length")
      ->check(CLI::Range(2, ids::kMaxIdLength));
  val->add_flag("--mosip-validator", o->mosip_validator,
                "Apply exactly MOSIP's validator rules instead of the issuance rules");
  val->add_flag("--json", o->json, "Print one JSON object");
  SetupPool(*ids, ctx);

  val->callback([o, value, batch, &ctx] {
    if (value->count() == 0 && batch->count() == 0) {
      std::cerr << "error: give a value or --batch FILE\n";
      ctx.exit_code = 2;
      return;
    }
    ctx.exit_code = RunValidate(*o);
  });
}

SIJIL_REGISTER_COMMAND(300, "ids", SetupIds);

}  // namespace
}  // namespace sijil::cli
