#include "sijil/server/tokens.h"

#include <gtest/gtest.h>

#include "sijil/base/encoding.h"
#include "sijil/crypto/memory_key_store.h"
#include "sijil/crypto/test_keys.h"

namespace sijil::server {
namespace {

class TokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenSqlite({.path = ":memory:"}, env_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(db).value();
    auto accounts = AccountStore::Open(*db_, env_, PasswordHashSettings::Minimum());
    ASSERT_TRUE(accounts.ok());
    accounts_ = std::move(accounts).value();
    crypto::KeyManagerSettings settings;
    settings.generate_key = pool_.Generator();
    settings.base_algorithms["KERNEL/AUTH_TOKEN"] = crypto::KeyAlgorithm::kEcP256;
    auto keys = crypto::KeyManager::Create(settings, key_store_, repository_, env_);
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = std::move(keys).value();
    tokens_ = std::make_unique<TokenService>(TokenSettings{}, *keys_, *accounts_, env_);
    ASSERT_TRUE(accounts_
                    ->Add("alice", AccountKind::kUser, "correct horse battery",
                          {"ADMIN", "REGISTRATION_PROCESSOR"})
                    .ok());
  }

  std::string IssueFor(const std::string& name) {
    auto account = accounts_->Get(name);
    EXPECT_TRUE(account.ok());
    auto token = tokens_->Issue(*account);
    EXPECT_TRUE(token.ok()) << token.status();
    return token->token;
  }

  SimulatedEnv env_{5};
  crypto::TestKeyPool pool_;
  crypto::InMemoryKeyStore key_store_{pool_.Generator()};
  crypto::InMemoryKeyRepository repository_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<AccountStore> accounts_;
  std::unique_ptr<crypto::KeyManager> keys_;
  std::unique_ptr<TokenService> tokens_;
};

TEST_F(TokensTest, IssuedTokenAuthenticatesWithRoles) {
  std::string token = IssueFor("alice");
  auto principal = tokens_->Authenticate(token);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->subject, "alice");
  EXPECT_EQ(principal->roles, (std::vector<std::string>{"ADMIN", "REGISTRATION_PROCESSOR"}));
  // The header says ES256 and the payload carries the claims.
  size_t dot = token.find('.');
  auto header = Base64Decode(token.substr(0, dot));
  ASSERT_TRUE(header.ok());
  EXPECT_NE(std::string(AsChars(*header)).find("ES256"), std::string::npos);
}

TEST_F(TokensTest, ExpiresAfterTtl) {
  std::string token = IssueFor("alice");
  env_.Advance(std::chrono::seconds(899));
  EXPECT_TRUE(tokens_->Authenticate(token).ok());
  env_.Advance(std::chrono::seconds(1));
  auto expired = tokens_->Authenticate(token);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), "KER-ATH-401");
  EXPECT_EQ(expired.status().message(), "token expired");
}

TEST_F(TokensTest, TamperedTokenIsRejected) {
  std::string token = IssueFor("alice");
  size_t dot = token.find('.');
  std::string forged_payload = Base64UrlEncode(AsBytes(
      R"({"iss":"sijil","sub":"alice","roles":["ADMIN"],"iat":0,"exp":99999999999,"jti":"x"})"));
  std::string forged =
      token.substr(0, dot + 1) + forged_payload + token.substr(token.find('.', dot + 1));
  EXPECT_EQ(tokens_->Authenticate(forged).status().code(), "KER-ATH-401");
  EXPECT_FALSE(tokens_->Authenticate("not-a-token").ok());
  EXPECT_FALSE(tokens_->Authenticate("").ok());
  std::string flipped = token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(tokens_->Authenticate(flipped).ok());
}

TEST_F(TokensTest, DisabledAccountAndRevokedRolesTakeEffectAtOnce) {
  std::string token = IssueFor("alice");
  ASSERT_TRUE(accounts_->SetRoles("alice", {"REGISTRATION_PROCESSOR"}).ok());
  auto p = tokens_->Authenticate(token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->roles, std::vector<std::string>{"REGISTRATION_PROCESSOR"});
  ASSERT_TRUE(accounts_->SetDisabled("alice", true).ok());
  auto disabled = tokens_->Authenticate(token);
  ASSERT_FALSE(disabled.ok());
  EXPECT_EQ(disabled.status().message(), "account disabled");
}

TEST_F(TokensTest, SurvivesKeyRotation) {
  std::string token = IssueFor("alice");
  ASSERT_TRUE(keys_->Rotate("KERNEL", "AUTH_TOKEN").ok());
  EXPECT_TRUE(tokens_->Authenticate(token).ok());
  EXPECT_TRUE(tokens_->Authenticate(IssueFor("alice")).ok());
}

}  // namespace
}  // namespace sijil::server
