// End-to-end test of `sijil keys` on a data directory laid out as `sijil serve` makes it
// (SoftHSM2 store under <dir>/hsm with its PIN file, SQLite database <dir>/sijil.db).
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "sijil/base/env.h"
#include "sijil/crypto/pkcs11_key_store.h"
#include "tests/integration/process.h"

namespace sijil::crypto {
namespace {

// Runs `sijil` and keeps stderr after stdout, where the error lines go.
struct CliRun {
  int rc;
  std::string out;
};
CliRun Sijil(const std::string& args) {
  ::sijil::testing::RunResult r = ::sijil::testing::RunSijil(args);
  return {r.status, r.out + r.err};
}

TEST(KeysCliTest, ListRotateCertOnAServeDataDir) {
  auto dir = TempDir::Create("sijil-keys-cli-");
  ASSERT_TRUE(dir.ok());
  std::string d = dir->path().string();
  unsetenv("SIJIL_HSM_PIN");

  CliRun missing = Sijil("keys list --data-dir " + d);
  EXPECT_EQ(missing.rc, 2);
  EXPECT_NE(missing.out.find("no key store in"), std::string::npos) << missing.out;

  {
    Pkcs11Settings hsm;
    hsm.softhsm_dir = (dir->path() / "hsm").string();
    hsm.pin = "24680";
    auto store = Pkcs11KeyStore::Open(hsm, Env::Default());
    ASSERT_TRUE(store.ok()) << store.status();
  }
  ASSERT_TRUE(Env::Default().WriteFileAtomic(dir->path() / "hsm" / "pin", "24680\n").ok());

  CliRun cert = Sijil("keys cert ID_REPO identity_data --chain --data-dir " + d);
  ASSERT_EQ(cert.rc, 0) << cert.out;
  size_t certs = 0;
  for (size_t pos = 0; (pos = cert.out.find("BEGIN CERTIFICATE", pos)) != std::string::npos;
       ++pos) {
    ++certs;
  }
  EXPECT_EQ(certs, 3u);

  CliRun rotate = Sijil("keys rotate ID_REPO identity_data --json --data-dir " + d);
  ASSERT_EQ(rotate.rc, 0) << rotate.out;
  auto rotated = nlohmann::json::parse(rotate.out);

  CliRun list = Sijil("keys list --json --data-dir " + d);
  ASSERT_EQ(list.rc, 0) << list.out;
  auto listed = nlohmann::json::parse(list.out);
  int base = 0;
  for (const auto& k : listed["keys"]) {
    if (k["reference_id"] == "identity_data") {
      ++base;
      EXPECT_EQ(k["current"].get<bool>(), k["alias"] == rotated["alias"]);
    }
  }
  EXPECT_EQ(base, 2);

  CliRun bad = Sijil("keys rotate id_repo --data-dir " + d);
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.out.find("SIJ-CRY-041"), std::string::npos) << bad.out;

  setenv("SIJIL_HSM_PIN", "13579", 1);
  CliRun wrong = Sijil("keys list --data-dir " + d);
  unsetenv("SIJIL_HSM_PIN");
  EXPECT_EQ(wrong.rc, 2);
  EXPECT_NE(wrong.out.find("HSM login failed: wrong PIN"), std::string::npos) << wrong.out;
}

}  // namespace
}  // namespace sijil::crypto
