// Runs `sijil audit verify` on a SQLite audit log before and after tampering with it.
// Skips when the binary has not been built.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "sijil/audit/audit_log.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/store/database.h"

namespace sijil::audit {
namespace {

std::string Binary() {
  const char* dir = std::getenv("SIJIL_BINARY_DIR");
  return dir == nullptr ? "" : std::string(dir) + "/bin/sijil";
}

std::pair<int, std::string> Sijil(const std::string& args) {
  std::string out;
  FILE* p = popen((Binary() + " " + args + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(AuditCli, VerifyReportsIntactThenTampered) {
  if (Binary().empty() || !std::filesystem::exists(Binary())) GTEST_SKIP() << "no sijil binary";
  auto dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  const std::string db_path = (dir->path() / "audit.db").string();
  const std::string pem_path = (dir->path() / "audit.pem").string();
  crypto::InMemoryKeyStore keys;
  auto key = EnsureAuditKey(keys);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(Env::Default().WriteFileAtomic(pem_path, key->public_key.Pem()).ok());
  {
    store::SqliteOptions options;
    options.path = db_path;
    auto db = store::OpenSqlite(options);
    ASSERT_TRUE(db.ok());
    crypto::KeyStoreSigner signer(keys, key->label, key->algorithm);
    SimulatedEnv env(1);
    AuditLogSettings settings;
    settings.checkpoint_every = 4;
    auto log = AuditLog::Open(**db, env, signer, key->label, *DeriveSubjectKey(signer), settings);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE((*log)->Record({"op", "uin.allocate", "2094215024", Outcome::kSuccess, ""}).ok());
    }
  }
  const std::string args = "audit verify --db sqlite:" + db_path + " --public-key " + pem_path;
  auto [rc, out] = Sijil(args);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "intact: 10 entries, 2 signed checkpoints (last at 8)\n");

  {
    store::SqliteOptions options;
    options.path = db_path;
    auto db = store::OpenSqlite(options);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Execute("UPDATE audit_log SET action = 'nothing' WHERE seq = 3").ok());
  }
  auto [rc2, out2] = Sijil(args);
  EXPECT_EQ(rc2, 1);
  EXPECT_EQ(out2.substr(0, 29), "TAMPERED: modified at entry 3") << out2;
  auto [rc3, out3] = Sijil(args + " --json");
  EXPECT_EQ(rc3, 1);
  EXPECT_NE(out3.find("\"kind\":\"modified\""), std::string::npos) << out3;
  EXPECT_EQ(Sijil("audit verify --db sqlite:" + db_path).first, 2);
}

}  // namespace
}  // namespace sijil::audit
