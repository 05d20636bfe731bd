// Where tests find the small files committed beside a module (sijil/<module>/testdata/) and
// how they read them. ctest sets SIJIL_SOURCE_DIR to the repository root; run by hand from
// the root, the current directory is used. Test-only code.
#ifndef SIJIL_TESTS_INTEGRATION_TESTDATA_H_
#define SIJIL_TESTS_INTEGRATION_TESTDATA_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sijil::testing {

// $SIJIL_SOURCE_DIR, or "." when it is not set.
std::filesystem::path SourceDir();

// SourceDir()/sijil/<module>/testdata/<name>; `name` may contain sub-folders.
std::filesystem::path TestdataPath(std::string_view module, std::string_view name);

// The whole file. A file that cannot be read records a test failure naming it and gives an
// empty result, so the test that needed it fails rather than testing nothing.
std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path);
std::string ReadFileText(const std::filesystem::path& path);

// One module's testdata folder, as a constant a test file declares once:
//   constexpr sijil::testing::Testdata kTestdata("biometrics");
//   Bytes iso = kTestdata.Read("info_face_auth.iso");
class Testdata {
 public:
  constexpr explicit Testdata(std::string_view module) : module_(module) {}

  std::filesystem::path Path(std::string_view name) const { return TestdataPath(module_, name); }
  std::vector<uint8_t> Read(std::string_view name) const { return ReadFileBytes(Path(name)); }
  std::string ReadText(std::string_view name) const { return ReadFileText(Path(name)); }

 private:
  std::string_view module_;
};

}  // namespace sijil::testing

#endif  // SIJIL_TESTS_INTEGRATION_TESTDATA_H_
