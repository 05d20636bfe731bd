// Fuzz target for the configuration loader: any bytes as the YAML file, checked against a
// schema with every value type. The loader must return a Status, never crash or throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sijil/base/config.h"

namespace {

const sijil::ConfigSchema& Schema() {
  static const auto* schema = [] {
    auto* s = new sijil::ConfigSchema();
    s->Int("http.port", 8080, 0, 65535, "port")
        .String("http.host", "127.0.0.1", "host", sijil::NonEmpty())
        .Bool("http.keep_alive", true, "keep-alive")
        .Double("auth.ratio", 0.5, 0, 1, "ratio")
        .StringList("server.roles", {"all"}, "roles", sijil::OneOf({"all", "ids", "keys"}))
        .Secret("hsm.pin", "pin")
        .String("a.b.c.d.e.f", "", "deep");
    return s;
  }();
  return *schema;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = sijil::Config::Load(Schema(), text, "fuzz.yaml", {});
  if (config.ok()) {
    (void)config->GetInt("http.port");
    (void)config->Describe();
  } else if (config.status().message().empty()) {
    __builtin_trap();
  }
  return 0;
}
