#include "sijil/base/config.h"

#include <gtest/gtest.h>

namespace sijil {
namespace {

ConfigSchema TestSchema() {
  ConfigSchema s;
  s.Int("http.port", 8080, 0, 65535, "TCP port")
      .String("http.host", "127.0.0.1", "address to bind", NonEmpty())
      .Bool("http.keep_alive", true, "keep connections open")
      .Double("auth.ratio", 0.5, 0.0, 1.0, "a ratio")
      .StringList("server.roles", {"all"}, "roles", OneOf({"all", "ids", "keys"}))
      .Secret("hsm.pin", "token PIN")
      .String("log.level", "info", "level", OneOf({"debug", "info"}));
  return s;
}

Result<Config> LoadYaml(const ConfigSchema& s, std::string_view yaml,
                        std::vector<std::string> env = {}) {
  return Config::Load(s, yaml, "test.yaml", env);
}

TEST(ConfigTest, DefaultsWhenEmpty) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s, "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->GetInt("http.port"), 8080);
  EXPECT_EQ(c->GetString("http.host"), "127.0.0.1");
  EXPECT_TRUE(c->GetBool("http.keep_alive"));
  EXPECT_EQ(c->GetStringList("server.roles"), std::vector<std::string>{"all"});
  EXPECT_EQ(c->SourceOf("http.port").kind, ConfigSource::kDefault);
}

TEST(ConfigTest, NestedAndDottedKeys) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s,
                    "http:\n  port: 9000\n  keep_alive: no\nauth.ratio: 0.25\n"
                    "server:\n  roles: [ids, keys]\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->GetInt("http.port"), 9000);
  EXPECT_FALSE(c->GetBool("http.keep_alive"));
  EXPECT_DOUBLE_EQ(c->GetDouble("auth.ratio"), 0.25);
  EXPECT_EQ(c->GetStringList("server.roles"), (std::vector<std::string>{"ids", "keys"}));
  EXPECT_EQ(c->SourceOf("http.port").Describe(), "in test.yaml, line 2");
}

TEST(ConfigTest, UnknownKeyIsNamed) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s, "http:\n  prot: 9000\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), "SIJ-CFG-001");
  EXPECT_EQ(c.status().message(), "unknown configuration key http.prot (in test.yaml, line 2)");
  auto d = LoadYaml(s, "nosuch: 1\n");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("nosuch"), std::string::npos);
}

TEST(ConfigTest, BadValueIsNamed) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s, "http:\n  port: eighty\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), "SIJ-CFG-002");
  EXPECT_EQ(c.status().message(),
            "configuration key http.port (in test.yaml, line 2): expected an integer, got "
            "\"eighty\"");
  auto r = LoadYaml(s, "http:\n  port: 70000\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("an integer in [0, 65535]"), std::string::npos);
  auto l = LoadYaml(s, "server:\n  roles: [ids, bogus]\n");
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("server.roles"), std::string::npos);
  auto m = LoadYaml(s, "http:\n  port:\n    nested: 1\n");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("http.port"), std::string::npos);
  auto n = LoadYaml(s, "http:\n  port:\n");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), "SIJ-CFG-002");
}

TEST(ConfigTest, MalformedYaml) {
  ConfigSchema s = TestSchema();
  for (const char* text : {"http: [", "- a\n- b\n", "http: {port: 1\n", "\"unterminated"}) {
    auto c = LoadYaml(s, text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_TRUE(c.status().code() == "SIJ-CFG-003" || c.status().code() == "SIJ-CFG-001")
        << c.status();
    EXPECT_EQ(c.status().message().find('\n'), std::string::npos) << c.status();
  }
}

TEST(ConfigTest, DuplicateKeyRefused) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s, "http:\n  port: 1\nhttp.port: 2\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("appears twice"), std::string::npos);
}

TEST(ConfigTest, EnvironmentOverridesFile) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s, "http:\n  port: 9000\n",
                    {"SIJIL_HTTP_PORT=9100", "SIJIL_SERVER_ROLES=ids, keys", "PATH=/bin",
                     "SIJIL_SOURCE_DIR=/src"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->GetInt("http.port"), 9100);
  EXPECT_EQ(c->SourceOf("http.port").Describe(), "from SIJIL_HTTP_PORT");
  EXPECT_EQ(c->GetStringList("server.roles"), (std::vector<std::string>{"ids", "keys"}));
}

TEST(ConfigTest, EnvironmentBadValueAndTypo) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s, "", {"SIJIL_HTTP_PORT=-1"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "configuration key http.port (from SIJIL_HTTP_PORT): expected an integer in [0, "
            "65535], got \"-1\"");
  auto t = LoadYaml(s, "", {"SIJIL_HTTP_PROT=1"});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("SIJIL_HTTP_PROT"), std::string::npos);
}

TEST(ConfigTest, SecretsAreNotEchoed) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s, "hsm:\n  pin: [1, 2]\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("hsm.pin"), std::string::npos);
  EXPECT_EQ(c.status().message().find("got"), std::string::npos) << c.status();
  auto ok = LoadYaml(s, "", {"SIJIL_HSM_PIN=123456"});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->GetString("hsm.pin"), "123456");
  for (const std::string& line : ok->Describe()) {
    EXPECT_EQ(line.find("123456"), std::string::npos) << line;
  }
}

TEST(ConfigTest, FlagOverride) {
  ConfigSchema s = TestSchema();
  auto c = LoadYaml(s, "", {"SIJIL_HTTP_PORT=9100"});
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->Set("http.port", "9200", "--listen").ok());
  EXPECT_EQ(c->GetInt("http.port"), 9200);
  Status bad = c->Set("http.port", "x", "--listen");
  EXPECT_EQ(bad.code(), "SIJ-CFG-002");
  EXPECT_NE(bad.message().find("from --listen"), std::string::npos);
  EXPECT_EQ(c->GetInt("http.port"), 9200);
}

TEST(ConfigTest, SchemaConflicts) {
  ConfigSchema s;
  EXPECT_TRUE(s.Add({"a.b", ConfigType::kInt, ConfigValue(int64_t{1}), "x", nullptr}).ok());
  EXPECT_TRUE(s.Add({"a.b", ConfigType::kInt, ConfigValue(int64_t{1}), "x", nullptr}).ok());
  EXPECT_FALSE(s.Add({"a.b", ConfigType::kString, ConfigValue(std::string()), "x", nullptr}).ok());
  EXPECT_FALSE(s.Add({"a.b.c", ConfigType::kInt, ConfigValue(int64_t{1}), "x", nullptr}).ok());
  EXPECT_FALSE(s.Add({"A.B", ConfigType::kInt, ConfigValue(int64_t{1}), "x", nullptr}).ok());
  EXPECT_EQ(ConfigSchema::EnvName("http.max_body_bytes"), "SIJIL_HTTP_MAX_BODY_BYTES");
}

TEST(ConfigTest, ParseValues) {
  EXPECT_EQ(std::get<bool>(*ParseConfigValue(ConfigType::kBool, "Yes")), true);
  EXPECT_EQ(std::get<bool>(*ParseConfigValue(ConfigType::kBool, "off")), false);
  EXPECT_FALSE(ParseConfigValue(ConfigType::kBool, "maybe").ok());
  EXPECT_EQ(std::get<int64_t>(*ParseConfigValue(ConfigType::kInt, " 42 ")), 42);
  EXPECT_FALSE(ParseConfigValue(ConfigType::kInt, "42x").ok());
  EXPECT_FALSE(ParseConfigValue(ConfigType::kInt, "99999999999999999999").ok());
  EXPECT_FALSE(ParseConfigValue(ConfigType::kDouble, "nan").ok());
  EXPECT_FALSE(ParseConfigValue(ConfigType::kStringList, "a,,b").ok());
}

TEST(ConfigTest, LoadFromProcessMissingFile) {
  ConfigSchema s = TestSchema();
  auto c = Config::LoadFromProcess(s, "/nonexistent/sijil.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), "SIJ-CFG-004");
  EXPECT_NE(c.status().message().find("/nonexistent/sijil.yaml"), std::string::npos);
}

}  // namespace
}  // namespace sijil
