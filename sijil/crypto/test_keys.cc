#include "sijil/crypto/test_keys.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sijil::crypto {

TestKeyPool::TestKeyPool() {
  const char* root = std::getenv("SIJIL_SOURCE_DIR");
  if (root == nullptr) return;
  std::filesystem::path dir = std::filesystem::path(root) / "sijil/crypto/testdata/keys";
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".pem") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    auto key = PrivateKey::FromPem(text.str());
    if (key.ok() && key->algorithm() == KeyAlgorithm::kRsa2048) rsa_.push_back(*key);
  }
}

Result<PrivateKey> TestKeyPool::Next(KeyAlgorithm algorithm) {
  if (algorithm == KeyAlgorithm::kRsa2048) {
    std::lock_guard lock(mu_);
    if (next_ < rsa_.size()) return rsa_[next_++];
  }
  return PrivateKey::Generate(algorithm);
}

std::function<Result<PrivateKey>(KeyAlgorithm)> TestKeyPool::Generator() {
  return [this](KeyAlgorithm algorithm) { return Next(algorithm); };
}

}  // namespace sijil::crypto
