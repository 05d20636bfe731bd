// Configuration: one YAML file plus SIJIL_* environment overrides, checked against a schema.
//
// The schema is decentralised: each component (a command file, the HTTP layer, the key
// manager wiring, ...) declares the keys it reads — name, type, default, validator, help —
// on a ConfigSchema, usually the process-wide ConfigSchema::Global() through a static
// ConfigKeys registration next to the code that reads them. Nothing lists every key in one
// place. Loading checks the YAML file and the environment against the schema: an unknown key
// or a bad value is a Status whose message is one line naming the key and where it came
// from, so `sijil serve` can refuse to start with it.
//
// Names are dotted lower-case paths (`http.port`); the YAML file nests them
// (`http: {port: 8080}`) and the environment spells them `SIJIL_HTTP_PORT` (upper case,
// dots as underscores). Precedence: built-in default < file < environment < Config::Set
// (command-line flags).
//
// Thread-safety: ConfigSchema is filled during static initialisation or single-threaded
// setup; Global() is then read-only. A loaded Config is immutable after setup and safe to
// read from any thread; Set() must not race with readers.
#ifndef SIJIL_BASE_CONFIG_H_
#define SIJIL_BASE_CONFIG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sijil/base/result.h"
#include "sijil/base/status.h"

namespace sijil {

enum class ConfigType { kString, kInt, kBool, kDouble, kStringList };

std::string_view ConfigTypeName(ConfigType type);

using ConfigValue = std::variant<std::string, int64_t, bool, double, std::vector<std::string>>;

// Checks a parsed value; returns an empty string when it is acceptable, else a short
// description of what is expected ("an integer in [1, 65535]").
using ConfigValidator = std::function<std::string(const ConfigValue&)>;

struct ConfigKeySpec {
  std::string name;  // dotted path, [a-z0-9_] segments
  ConfigType type = ConfigType::kString;
  ConfigValue default_value;
  std::string help;
  ConfigValidator validator;  // optional
  bool secret = false;        // never printed (PINs, passwords)
};

class ConfigSchema {
 public:
  // Adds a key. Declaring the same name twice with the same type and default is allowed
  // (two components reading one key); anything else is a programming error and fails
  // with SIJ-CFG-010.
  Status Add(ConfigKeySpec spec);

  // Convenience declarations; they abort on a conflicting redeclaration, since that is a
  // bug found on the first run.
  ConfigSchema& String(std::string name, std::string default_value, std::string help,
                       ConfigValidator validator = nullptr);
  ConfigSchema& Secret(std::string name, std::string help);
  ConfigSchema& Int(std::string name, int64_t default_value, int64_t min, int64_t max,
                    std::string help);
  ConfigSchema& Bool(std::string name, bool default_value, std::string help);
  ConfigSchema& Double(std::string name, double default_value, double min, double max,
                       std::string help);
  ConfigSchema& StringList(std::string name, std::vector<std::string> default_value,
                           std::string help, ConfigValidator validator = nullptr);

  // nullptr if unknown.
  const ConfigKeySpec* Find(std::string_view name) const;
  // Sorted by name.
  std::vector<const ConfigKeySpec*> Keys() const;
  // The environment variable for `name`: SIJIL_ + upper case, dots to underscores.
  static std::string EnvName(std::string_view name);

  // The process-wide schema filled by ConfigKeys registrations.
  static ConfigSchema& Global();

 private:
  std::map<std::string, ConfigKeySpec, std::less<>> keys_;
};

// Validators for common shapes.
ConfigValidator OneOf(std::vector<std::string> allowed);
ConfigValidator NonEmpty();

// Static registration: `static ConfigKeys kKeys([](ConfigSchema& s) { s.Int(...); });`
// in the file that reads the keys. Only reliable in object files linked directly into the
// executable (the `sijil` command files); libraries expose a Declare...(ConfigSchema&)
// function instead and a command file calls it.
struct ConfigKeys {
  explicit ConfigKeys(void (*declare)(ConfigSchema&));
};

// Where a value came from, for messages ("http.port (from SIJIL_HTTP_PORT)").
struct ConfigSource {
  enum Kind { kDefault, kFile, kEnvironment, kFlag } kind = kDefault;
  std::string detail;  // file path, variable name or flag name
  std::string Describe() const;
};

class Config {
 public:
  // Defaults only.
  explicit Config(const ConfigSchema& schema);

  // Loads `yaml_text` (may be empty) then the SIJIL_* variables in `environment`
  // ("NAME=value" strings, as in environ), checked against `schema`. Errors:
  //   SIJ-CFG-001 unknown key, SIJ-CFG-002 bad value, SIJ-CFG-003 malformed YAML.
  // `origin` names the text in messages (a file path).
  static Result<Config> Load(const ConfigSchema& schema, std::string_view yaml_text,
                             std::string_view origin, const std::vector<std::string>& environment);
  // Reads `path` (empty: no file) and the process environment. A missing or unreadable
  // file is SIJ-CFG-004.
  static Result<Config> LoadFromProcess(const ConfigSchema& schema, const std::string& path);

  // Overrides `name` with `text` parsed for its type (a command-line flag).
  Status Set(std::string_view name, std::string_view text, std::string_view flag);

  // Typed reads. Reading an undeclared key or with the wrong type is a programming error
  // and aborts with the key's name.
  const std::string& GetString(std::string_view name) const;
  int64_t GetInt(std::string_view name) const;
  bool GetBool(std::string_view name) const;
  double GetDouble(std::string_view name) const;
  const std::vector<std::string>& GetStringList(std::string_view name) const;

  const ConfigSource& SourceOf(std::string_view name) const;
  // `name = value  (source)` per key, secrets masked; for `sijil config show`.
  std::vector<std::string> Describe() const;

  const ConfigSchema& schema() const { return *schema_; }

 private:
  struct Entry {
    ConfigValue value;
    ConfigSource source;
  };
  const Entry& Get(std::string_view name, ConfigType type) const;
  Status SetParsed(const ConfigKeySpec& spec, std::string_view text, ConfigSource source);

  const ConfigSchema* schema_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Parses `text` as a value of `type` (environment and flag syntax: integers in decimal,
// booleans true/false/yes/no/on/off/1/0, lists comma-separated). Returns what was
// expected on failure (SIJ-CFG-002).
Result<ConfigValue> ParseConfigValue(ConfigType type, std::string_view text);

}  // namespace sijil

#endif  // SIJIL_BASE_CONFIG_H_
