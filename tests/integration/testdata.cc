#include "tests/integration/testdata.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace sijil::testing {

std::filesystem::path SourceDir() {
  const char* root = std::getenv("SIJIL_SOURCE_DIR");
  return root != nullptr && *root != '\0' ? std::filesystem::path(root)
                                          : std::filesystem::path(".");
}

std::filesystem::path TestdataPath(std::string_view module, std::string_view name) {
  return SourceDir() / "sijil" / std::string(module) / "testdata" / std::string(name);
}

std::string ReadFileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path) {
  std::string text = ReadFileText(path);
  return std::vector<uint8_t>(text.begin(), text.end());
}

}  // namespace sijil::testing
