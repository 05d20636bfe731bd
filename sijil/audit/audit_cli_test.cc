// Runs `sijil audit verify` on a SQLite audit log before and after tampering with it.
// Skips when the binary has not been built.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sijil/audit/audit_log.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/store/database.h"
#include "tests/integration/process.h"

namespace sijil::audit {
namespace {

using ::sijil::testing::RunSijil;
using ::sijil::testing::SijilBinary;

TEST(AuditCli, VerifyReportsIntactThenTampered) {
  if (!std::filesystem::exists(SijilBinary())) GTEST_SKIP() << "no sijil binary";
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
  auto intact = RunSijil(args);
  EXPECT_EQ(intact.status, 0) << intact.err;
  EXPECT_EQ(intact.out, "intact: 10 entries, 2 signed checkpoints (last at 8)\n");

  {
    store::SqliteOptions options;
    options.path = db_path;
    auto db = store::OpenSqlite(options);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Execute("UPDATE audit_log SET action = 'nothing' WHERE seq = 3").ok());
  }
  auto tampered = RunSijil(args);
  EXPECT_EQ(tampered.status, 1);
  EXPECT_EQ(tampered.out.substr(0, 29), "TAMPERED: modified at entry 3") << tampered.out;
  auto json = RunSijil(args + " --json");
  EXPECT_EQ(json.status, 1);
  EXPECT_NE(json.out.find("\"kind\":\"modified\""), std::string::npos) << json.out;
  EXPECT_EQ(RunSijil("audit verify --db sqlite:" + db_path).status, 2);
}

}  // namespace
}  // namespace sijil::audit
