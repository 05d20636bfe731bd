#include "sijil/base/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

extern char** environ;

namespace sijil {
namespace {

constexpr int kMaxNesting = 8;

bool ValidName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  char prev = 0;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  size_t n = 0;
  for (unsigned char c : text) {
    if (++n > 40) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string ExpectedFor(ConfigType type) {
  switch (type) {
    case ConfigType::kString:
      return "a string";
    case ConfigType::kInt:
      return "an integer";
    case ConfigType::kBool:
      return "true or false";
    case ConfigType::kDouble:
      return "a number";
    case ConfigType::kStringList:
      return "a list of strings";
  }
  return "a value";
}

std::string FormatValue(const ConfigValue& v) {
  struct Visitor {
    std::string operator()(const std::string& s) { return s; }
    std::string operator()(int64_t i) { return std::to_string(i); }
    std::string operator()(bool b) { return b ? "true" : "false"; }
    std::string operator()(double d) {
      std::ostringstream os;
      os << d;
      return os.str();
    }
    std::string operator()(const std::vector<std::string>& l) {
      std::string out = "[";
      for (size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + l[i];
      return out + "]";
    }
  };
  return std::visit(Visitor{}, v);
}

Status BadValue(const ConfigKeySpec& spec, const ConfigSource& source, std::string_view text,
                const std::string& expected) {
  std::string got = spec.secret ? "" : ", got " + Quote(text);
  return Status::InvalidArgument("SIJ-CFG-002", "configuration key " + spec.name + " (" +
                                                    source.Describe() + "): expected " + expected +
                                                    got);
}

Status UnknownKey(std::string_view name, const ConfigSource& source) {
  return Status::InvalidArgument("SIJ-CFG-001", "unknown configuration key " + std::string(name) +
                                                    " (" + source.Describe() + ")");
}

ConfigSource FileSource(std::string_view origin, const YAML::Mark& mark) {
  ConfigSource s{ConfigSource::kFile, std::string(origin)};
  if (mark.line >= 0) s.detail += ", line " + std::to_string(mark.line + 1);
  return s;
}

}  // namespace

std::string_view ConfigTypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kString:
      return "string";
    case ConfigType::kInt:
      return "int";
    case ConfigType::kBool:
      return "bool";
    case ConfigType::kDouble:
      return "double";
    case ConfigType::kStringList:
      return "list";
  }
  return "?";
}

std::string ConfigSource::Describe() const {
  switch (kind) {
    case kDefault:
      return "default";
    case kFile:
      return "in " + detail;
    case kEnvironment:
      return "from " + detail;
    case kFlag:
      return "from " + detail;
  }
  return "";
}

Result<ConfigValue> ParseConfigValue(ConfigType type, std::string_view raw) {
  std::string text = Trim(raw);
  auto fail = [&](const std::string& expected) -> Status {
    return Status::InvalidArgument("SIJ-CFG-002", expected);
  };
  switch (type) {
    case ConfigType::kString:
      return ConfigValue(std::string(raw));
    case ConfigType::kInt: {
      int64_t v = 0;
      const char* b = text.data();
      const char* e = b + text.size();
      if (b != e && *b == '+') ++b;
      auto [p, ec] = std::from_chars(b, e, v);
      if (text.empty() || ec != std::errc() || p != e) return fail(ExpectedFor(type));
      return ConfigValue(v);
    }
    case ConfigType::kBool: {
      std::string t = Lower(text);
      if (t == "true" || t == "yes" || t == "on" || t == "1") return ConfigValue(true);
      if (t == "false" || t == "no" || t == "off" || t == "0") return ConfigValue(false);
      return fail(ExpectedFor(type));
    }
    case ConfigType::kDouble: {
      if (text.empty()) return fail(ExpectedFor(type));
      errno = 0;
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (errno != 0 || end != text.c_str() + text.size() || v != v) {
        return fail(ExpectedFor(type));
      }
      return ConfigValue(v);
    }
    case ConfigType::kStringList: {
      std::vector<std::string> items;
      if (!text.empty()) {
        size_t start = 0;
        while (true) {
          size_t comma = text.find(',', start);
          std::string item = Trim(std::string_view(text).substr(
              start, comma == std::string::npos ? std::string::npos : comma - start));
          if (item.empty()) return fail("a comma-separated list without empty items");
          items.push_back(std::move(item));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
      }
      return ConfigValue(std::move(items));
    }
  }
  return fail("a value");
}

// --- ConfigSchema ---

Status ConfigSchema::Add(ConfigKeySpec spec) {
  if (!ValidName(spec.name)) {
    return Status::Internal("SIJ-CFG-010", "invalid configuration key name " + Quote(spec.name));
  }
  auto it = keys_.find(spec.name);
  if (it != keys_.end()) {
    if (it->second.type == spec.type && it->second.default_value == spec.default_value) {
      return Status::Ok();
    }
    return Status::Internal("SIJ-CFG-010", "configuration key " + spec.name +
                                               " declared twice with different types or defaults");
  }
  // A key may not also be a section of another key (`a.b` and `a.b.c`): the YAML shape
  // would be ambiguous.
  for (const auto& [name, other] : keys_) {
    if (name.starts_with(spec.name + ".") || spec.name.starts_with(name + ".")) {
      return Status::Internal("SIJ-CFG-010",
                              "configuration keys " + name + " and " + spec.name + " overlap");
    }
  }
  std::string name = spec.name;
  keys_.emplace(std::move(name), std::move(spec));
  return Status::Ok();
}

namespace {
void AddOrDie(ConfigSchema& schema, ConfigKeySpec spec) {
  Status s = schema.Add(std::move(spec));
  if (!s.ok()) {
    std::fprintf(stderr, "fatal: %s\n", s.ToString().c_str());
    std::abort();
  }
}
}  // namespace

ConfigSchema& ConfigSchema::String(std::string name, std::string default_value, std::string help,
                                   ConfigValidator validator) {
  AddOrDie(*this, {std::move(name), ConfigType::kString, ConfigValue(std::move(default_value)),
                   std::move(help), std::move(validator)});
  return *this;
}

ConfigSchema& ConfigSchema::Secret(std::string name, std::string help) {
  AddOrDie(*this, {std::move(name), ConfigType::kString, ConfigValue(std::string()),
                   std::move(help), nullptr, /*secret=*/true});
  return *this;
}

ConfigSchema& ConfigSchema::Int(std::string name, int64_t default_value, int64_t min, int64_t max,
                                std::string help) {
  ConfigValidator range = [min, max](const ConfigValue& v) -> std::string {
    int64_t i = std::get<int64_t>(v);
    if (i < min || i > max) {
      return "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
    }
    return "";
  };
  AddOrDie(*this, {std::move(name), ConfigType::kInt, ConfigValue(default_value), std::move(help),
                   std::move(range)});
  return *this;
}

ConfigSchema& ConfigSchema::Bool(std::string name, bool default_value, std::string help) {
  AddOrDie(*this, {std::move(name), ConfigType::kBool, ConfigValue(default_value), std::move(help),
                   nullptr});
  return *this;
}

ConfigSchema& ConfigSchema::Double(std::string name, double default_value, double min, double max,
                                   std::string help) {
  ConfigValidator range = [min, max](const ConfigValue& v) -> std::string {
    double d = std::get<double>(v);
    if (!(d >= min && d <= max)) {
      return "a number in [" + FormatValue(min) + ", " + FormatValue(max) + "]";
    }
    return "";
  };
  AddOrDie(*this, {std::move(name), ConfigType::kDouble, ConfigValue(default_value),
                   std::move(help), std::move(range)});
  return *this;
}

ConfigSchema& ConfigSchema::StringList(std::string name, std::vector<std::string> default_value,
                                       std::string help, ConfigValidator validator) {
  AddOrDie(*this, {std::move(name), ConfigType::kStringList, ConfigValue(std::move(default_value)),
                   std::move(help), std::move(validator)});
  return *this;
}

const ConfigKeySpec* ConfigSchema::Find(std::string_view name) const {
  auto it = keys_.find(name);
  return it == keys_.end() ? nullptr : &it->second;
}

std::vector<const ConfigKeySpec*> ConfigSchema::Keys() const {
  std::vector<const ConfigKeySpec*> out;
  for (const auto& [name, spec] : keys_) out.push_back(&spec);
  return out;
}

std::string ConfigSchema::EnvName(std::string_view name) {
  std::string out = "SIJIL_";
  for (char c : name) {
    if (c == '.') {
      out += '_';
    } else if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c - 'a' + 'A');
    } else {
      out += c;
    }
  }
  return out;
}

ConfigSchema& ConfigSchema::Global() {
  static auto* schema = new ConfigSchema();
  return *schema;
}

ConfigKeys::ConfigKeys(void (*declare)(ConfigSchema&)) { declare(ConfigSchema::Global()); }

ConfigValidator OneOf(std::vector<std::string> allowed) {
  return [allowed = std::move(allowed)](const ConfigValue& v) -> std::string {
    auto check = [&](const std::string& s) {
      return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
    };
    bool ok = true;
    if (const auto* s = std::get_if<std::string>(&v)) {
      ok = check(*s);
    } else if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
      for (const auto& item : *l) ok = ok && check(item);
    }
    if (ok) return "";
    std::string list;
    for (size_t i = 0; i < allowed.size(); ++i) list += (i ? ", " : "") + allowed[i];
    return "one of " + list;
  };
}

ConfigValidator NonEmpty() {
  return [](const ConfigValue& v) -> std::string {
    if (const auto* s = std::get_if<std::string>(&v); s && s->empty()) return "a non-empty string";
    if (const auto* l = std::get_if<std::vector<std::string>>(&v); l && l->empty()) {
      return "a non-empty list";
    }
    return "";
  };
}

// --- Config ---

Config::Config(const ConfigSchema& schema) : schema_(&schema) {
  for (const ConfigKeySpec* spec : schema.Keys()) {
    entries_[spec->name] = Entry{spec->default_value, ConfigSource{}};
  }
}

Status Config::SetParsed(const ConfigKeySpec& spec, std::string_view text, ConfigSource source) {
  Result<ConfigValue> parsed = ParseConfigValue(spec.type, text);
  if (!parsed.ok()) return BadValue(spec, source, text, parsed.status().message());
  if (spec.validator) {
    std::string expected = spec.validator(*parsed);
    if (!expected.empty()) return BadValue(spec, source, text, expected);
  }
  entries_[spec.name] = Entry{std::move(parsed).value(), std::move(source)};
  return Status::Ok();
}

Status Config::Set(std::string_view name, std::string_view text, std::string_view flag) {
  const ConfigKeySpec* spec = schema_->Find(name);
  if (spec == nullptr) {
    return UnknownKey(name, ConfigSource{ConfigSource::kFlag, std::string(flag)});
  }
  return SetParsed(*spec, text, ConfigSource{ConfigSource::kFlag, std::string(flag)});
}

namespace {

// Walks a YAML mapping, turning nested keys into dotted names.
class YamlLoader {
 public:
  YamlLoader(const ConfigSchema& schema, std::string_view origin,
             std::function<Status(const ConfigKeySpec&, std::string_view, ConfigSource)> set_text,
             std::function<Status(const ConfigKeySpec&, ConfigValue, ConfigSource)> set_value)
      : schema_(schema), origin_(origin), set_text_(set_text), set_value_(set_value) {}

  Status Walk(const YAML::Node& map, const std::string& prefix, int depth) {
    if (depth > kMaxNesting) {
      return Status::InvalidArgument("SIJ-CFG-003", "configuration " + std::string(origin_) +
                                                        ": nested too deeply at " + prefix);
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
      // Copies: the iterator yields a temporary pair, so references to it would dangle.
      const YAML::Node k = it->first;
      const YAML::Node v = it->second;
      ConfigSource here = FileSource(origin_, k.Mark());
      if (!k.IsScalar()) {
        return Status::InvalidArgument(
            "SIJ-CFG-003", "configuration " + here.detail + ": a key must be a plain name");
      }
      std::string segment = k.Scalar();
      std::string name = prefix.empty() ? segment : prefix + "." + segment;
      if (!ValidName(segment) && !ValidName(name)) return UnknownKey(name, here);
      if (!seen_.insert(name).second) {
        return Status::InvalidArgument("SIJ-CFG-001", "configuration key " + name + " (" +
                                                          here.Describe() + ") appears twice");
      }
      const ConfigKeySpec* spec = schema_.Find(name);
      if (spec == nullptr) {
        if (v.IsMap() && IsSection(name)) {
          SIJIL_RETURN_IF_ERROR(Walk(v, name, depth + 1));
          continue;
        }
        return UnknownKey(name, here);
      }
      if (v.IsScalar()) {
        // A single scalar for a list is read in the comma-separated form.
        SIJIL_RETURN_IF_ERROR(set_text_(*spec, v.Scalar(), here));
      } else if (v.IsSequence() && spec->type == ConfigType::kStringList) {
        std::vector<std::string> items;
        for (const YAML::Node& item : v) {
          if (!item.IsScalar() || item.Scalar().empty()) {
            return BadValue(*spec, here, "", "a list of non-empty strings");
          }
          items.push_back(item.Scalar());
        }
        SIJIL_RETURN_IF_ERROR(set_value_(*spec, ConfigValue(std::move(items)), here));
      } else if (v.IsNull()) {
        return BadValue(*spec, here, "", ExpectedFor(spec->type) + ", not an empty value");
      } else {
        return BadValue(*spec, here, v.IsMap() ? "{...}" : "[...]", ExpectedFor(spec->type));
      }
    }
    return Status::Ok();
  }

 private:
  bool IsSection(const std::string& name) const {
    for (const ConfigKeySpec* spec : schema_.Keys()) {
      if (spec->name.starts_with(name + ".")) return true;
    }
    return false;
  }

  const ConfigSchema& schema_;
  std::string_view origin_;
  std::function<Status(const ConfigKeySpec&, std::string_view, ConfigSource)> set_text_;
  std::function<Status(const ConfigKeySpec&, ConfigValue, ConfigSource)> set_value_;
  std::set<std::string> seen_;
};

}  // namespace

Result<Config> Config::Load(const ConfigSchema& schema, std::string_view yaml_text,
                            std::string_view origin, const std::vector<std::string>& environment) {
  Config config(schema);
  auto set_text = [&config](const ConfigKeySpec& spec, std::string_view text, ConfigSource source) {
    return config.SetParsed(spec, text, source);
  };
  auto set_value = [&config](const ConfigKeySpec& spec, ConfigValue value,
                             ConfigSource source) -> Status {
    if (spec.validator) {
      std::string expected = spec.validator(value);
      if (!expected.empty()) return BadValue(spec, source, FormatValue(value), expected);
    }
    config.entries_[spec.name] = Entry{std::move(value), std::move(source)};
    return Status::Ok();
  };

  bool blank = std::all_of(yaml_text.begin(), yaml_text.end(),
                           [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
  if (!blank) {
    if (yaml_text.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument(
          "SIJ-CFG-003", "configuration " + std::string(origin) + ": contains a NUL byte");
    }
    YAML::Node root;
    try {
      root = YAML::Load(std::string(yaml_text));
    } catch (const YAML::Exception& e) {
      std::string where = std::string(origin);
      if (e.mark.line >= 0) where += ", line " + std::to_string(e.mark.line + 1);
      return Status::InvalidArgument("SIJ-CFG-003",
                                     "configuration " + where + ": malformed YAML: " + e.msg);
    } catch (const std::exception& e) {
      return Status::InvalidArgument("SIJ-CFG-003",
                                     "configuration " + std::string(origin) + ": malformed YAML");
    }
    if (!root.IsNull()) {
      if (!root.IsMap()) {
        return Status::InvalidArgument(
            "SIJ-CFG-003",
            "configuration " + std::string(origin) + ": the top level must be a mapping of keys");
      }
      YamlLoader loader(schema, origin, set_text, set_value);
      try {
        SIJIL_RETURN_IF_ERROR(loader.Walk(root, "", 0));
      } catch (const std::exception& e) {
        // yaml-cpp throws on some shapes (e.g. aliases to unknown anchors) while iterating.
        return Status::InvalidArgument("SIJ-CFG-003",
                                       "configuration " + std::string(origin) + ": malformed YAML");
      }
    }
  }

  // Environment overrides. A SIJIL_ variable that names a known section (SIJIL_HTTP_...)
  // but no key is almost certainly a typo, so it is refused like an unknown file key;
  // others (SIJIL_SOURCE_DIR used by tests) are not configuration and are ignored.
  std::set<std::string> sections;
  std::map<std::string, const ConfigKeySpec*> by_env;
  for (const ConfigKeySpec* spec : schema.Keys()) {
    by_env[ConfigSchema::EnvName(spec->name)] = spec;
    sections.insert(ConfigSchema::EnvName(spec->name.substr(0, spec->name.find('.'))) + "_");
  }
  for (const std::string& assignment : environment) {
    if (!assignment.starts_with("SIJIL_")) continue;
    size_t eq = assignment.find('=');
    if (eq == std::string::npos) continue;
    std::string var = assignment.substr(0, eq);
    std::string_view value = std::string_view(assignment).substr(eq + 1);
    auto it = by_env.find(var);
    ConfigSource source{ConfigSource::kEnvironment, var};
    if (it == by_env.end()) {
      for (const std::string& section : sections) {
        if (var.starts_with(section)) {
          return Status::InvalidArgument(
              "SIJ-CFG-001", "unknown configuration variable " + var +
                                 " (no configuration key matches; see `sijil config keys`)");
        }
      }
      continue;
    }
    SIJIL_RETURN_IF_ERROR(config.SetParsed(*it->second, value, source));
  }
  return config;
}

Result<Config> Config::LoadFromProcess(const ConfigSchema& schema, const std::string& path) {
  std::string text;
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return Status::InvalidArgument(
          "SIJ-CFG-004", "configuration file " + path + " cannot be read: " + std::strerror(errno));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) {
      return Status::InvalidArgument(
          "SIJ-CFG-004", "configuration file " + path + " cannot be read: " + std::strerror(errno));
    }
    text = ss.str();
  }
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return Load(schema, text, path.empty() ? "(no file)" : path, env);
}

const Config::Entry& Config::Get(std::string_view name, ConfigType type) const {
  auto it = entries_.find(name);
  const ConfigKeySpec* spec = schema_->Find(name);
  if (it == entries_.end() || spec == nullptr || spec->type != type) {
    std::fprintf(stderr, "fatal: configuration key %.*s read as %s but declared %s\n",
                 static_cast<int>(name.size()), name.data(),
                 std::string(ConfigTypeName(type)).c_str(),
                 spec ? std::string(ConfigTypeName(spec->type)).c_str() : "nowhere");
    std::abort();
  }
  return it->second;
}

const std::string& Config::GetString(std::string_view name) const {
  return std::get<std::string>(Get(name, ConfigType::kString).value);
}
int64_t Config::GetInt(std::string_view name) const {
  return std::get<int64_t>(Get(name, ConfigType::kInt).value);
}
bool Config::GetBool(std::string_view name) const {
  return std::get<bool>(Get(name, ConfigType::kBool).value);
}
double Config::GetDouble(std::string_view name) const {
  return std::get<double>(Get(name, ConfigType::kDouble).value);
}
const std::vector<std::string>& Config::GetStringList(std::string_view name) const {
  return std::get<std::vector<std::string>>(Get(name, ConfigType::kStringList).value);
}

const ConfigSource& Config::SourceOf(std::string_view name) const {
  const ConfigKeySpec* spec = schema_->Find(name);
  return Get(name, spec ? spec->type : ConfigType::kString).source;
}

std::vector<std::string> Config::Describe() const {
  std::vector<std::string> out;
  for (const ConfigKeySpec* spec : schema_->Keys()) {
    const Entry& e = entries_.at(spec->name);
    std::string value = spec->secret ? (std::get<std::string>(e.value).empty() ? "" : "********")
                                     : FormatValue(e.value);
    out.push_back(spec->name + " = " + value + "  (" + e.source.Describe() + ")");
  }
  return out;
}

}  // namespace sijil
