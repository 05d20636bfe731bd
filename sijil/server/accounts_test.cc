#include "sijil/server/accounts.h"

#include <gtest/gtest.h>

namespace sijil::server {
namespace {

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenSqlite({.path = ":memory:"}, env_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    auto accounts = AccountStore::Open(*db_, env_, PasswordHashSettings::Minimum());
    ASSERT_TRUE(accounts.ok()) << accounts.status();
    accounts_ = std::move(accounts).value();
  }
  SimulatedEnv env_{3};
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<AccountStore> accounts_;
};

TEST_F(AccountsTest, AddVerifyAndList) {
  EXPECT_TRUE(*accounts_->Empty());
  ASSERT_TRUE(accounts_->Add("alice", AccountKind::kUser, "correct horse battery", {"ADMIN"}).ok());
  ASSERT_TRUE(accounts_
                  ->Add("regproc", AccountKind::kService, "s3cret-s3cret",
                        {"REGISTRATION_PROCESSOR", "ID_REPOSITORY"})
                  .ok());
  EXPECT_FALSE(*accounts_->Empty());
  auto ok = accounts_->Verify("alice", "correct horse battery");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->roles, std::vector<std::string>{"ADMIN"});
  auto list = accounts_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].name, "regproc");
  EXPECT_EQ((*list)[1].kind, AccountKind::kService);
  EXPECT_EQ((*list)[1].roles,
            (std::vector<std::string>{"ID_REPOSITORY", "REGISTRATION_PROCESSOR"}));
}

TEST_F(AccountsTest, SecretsAreStoredAsArgon2idHashes) {
  ASSERT_TRUE(accounts_->Add("alice", AccountKind::kUser, "correct horse battery", {}).ok());
  auto rows = db_->Query("SELECT secret_hash FROM server_accounts WHERE name = 'alice'");
  ASSERT_TRUE(rows.ok());
  std::string hash = *(*rows)[0].GetText(0);
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
}

TEST_F(AccountsTest, FailuresAreIndistinguishable) {
  ASSERT_TRUE(accounts_->Add("alice", AccountKind::kUser, "correct horse battery", {}).ok());
  auto wrong = accounts_->Verify("alice", "wrong password!");
  auto unknown = accounts_->Verify("mallory", "correct horse battery");
  auto bad_name = accounts_->Verify("bad name; DROP", "x");
  for (const auto* r : {&wrong, &unknown, &bad_name}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->status().code(), "KER-ATH-401");
    EXPECT_EQ(r->status().message(), wrong.status().message());
  }
  ASSERT_TRUE(accounts_->SetDisabled("alice", true).ok());
  auto disabled = accounts_->Verify("alice", "correct horse battery");
  EXPECT_EQ(disabled.status().message(), wrong.status().message());
  ASSERT_TRUE(accounts_->SetDisabled("alice", false).ok());
  EXPECT_TRUE(accounts_->Verify("alice", "correct horse battery").ok());
}

TEST_F(AccountsTest, UpdatesAndValidation) {
  ASSERT_TRUE(accounts_->Add("alice", AccountKind::kUser, "correct horse battery", {}).ok());
  EXPECT_EQ(accounts_->Add("alice", AccountKind::kUser, "another long one", {}).code(),
            kErrAccountExists);
  EXPECT_EQ(accounts_->Add("bob", AccountKind::kUser, "short", {}).code(), kErrAccountInvalid);
  EXPECT_EQ(accounts_->Add("b o b", AccountKind::kUser, "long enough secret", {}).code(),
            kErrAccountInvalid);
  EXPECT_EQ(accounts_->Add("bob", AccountKind::kUser, "long enough secret", {"admin"}).code(),
            kErrAccountInvalid);
  ASSERT_TRUE(accounts_->SetRoles("alice", {"ADMIN", "ADMIN"}).ok());
  EXPECT_EQ(accounts_->Get("alice")->roles, std::vector<std::string>{"ADMIN"});
  EXPECT_EQ(accounts_->SetRoles("nobody", {}).code(), kErrAccountNotFound);
  ASSERT_TRUE(accounts_->SetSecret("alice", "a brand new secret").ok());
  EXPECT_FALSE(accounts_->Verify("alice", "correct horse battery").ok());
  EXPECT_TRUE(accounts_->Verify("alice", "a brand new secret").ok());
  EXPECT_EQ(AccountStore::GenerateSecret(env_).size(), 32u);
}

}  // namespace
}  // namespace sijil::server
