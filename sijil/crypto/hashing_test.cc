#include "sijil/crypto/hashing.h"

#include <gtest/gtest.h>

#include <set>

#include "sijil/crypto/errors.h"

namespace sijil::crypto {
namespace {

// Expected values below were computed independently (Python hashlib) from the formulas in
// the header.

TEST(SaltedHashTest, MatchesMosipFormula) {
  Bytes salt(32);
  for (size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(SaltedHash("2345678901", 901, salt),
            "901_EA66FE3063A1E155D25131DEC7EE66C6470E65EA33919401E3C70F20B53E3354");
}

TEST(SaltedHashTest, SaltIdIsTheIntegerOfTheLastDigits) {
  EXPECT_EQ(SaltedHasher::SaltId("2345678901", 3).value(), 901);
  EXPECT_EQ(SaltedHasher::SaltId("2345678007", 3).value(), 7);
  EXPECT_EQ(SaltedHasher::SaltId("2345678000", 3).value(), 0);
  EXPECT_EQ(SaltedHasher::SaltId("12", 3).status().code(), kErrBadIdentifier);
  EXPECT_EQ(SaltedHasher::SaltId("12345a7", 3).status().code(), kErrBadIdentifier);
}

TEST(SaltedHasherTest, CreatesSaltsOnceAndHashesStably) {
  SimulatedEnv env(9);
  InMemorySaltRepository repo;
  auto hasher = SaltedHasher::Create(repo, env);
  ASSERT_TRUE(hasher.ok()) << hasher.status();
  auto salts = repo.LoadSalts("uin_hash_salt");
  ASSERT_TRUE(salts.ok());
  ASSERT_EQ(salts->size(), 1000u);
  std::set<Bytes> distinct;
  for (const auto& [id, salt] : *salts) distinct.insert(salt);
  EXPECT_EQ(distinct.size(), 1000u);

  auto h = (*hasher)->Hash("2345678007");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, SaltedHash("2345678007", 7, (*salts)[7]));
  EXPECT_EQ(h->substr(0, 2), "7_");
  EXPECT_EQ(h->size(), 2 + 64u);
  EXPECT_NE(*h, (*hasher)->Hash("2345678017").value());
  EXPECT_EQ((*hasher)->Hash("abc").status().code(), kErrBadIdentifier);

  // A second process (other env seed) finds the stored salts and agrees.
  SimulatedEnv other(10);
  auto again = SaltedHasher::Create(repo, other);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->Hash("2345678007").value(), *h);
  // Separate tables have separate salts.
  auto encrypt_salts = SaltedHasher::Create(repo, env, {.table = "uin_encrypt_salt"});
  ASSERT_TRUE(encrypt_salts.ok());
  EXPECT_NE((*encrypt_salts)->Hash("2345678007").value(), *h);
}

TEST(TokenIdTest, MatchesMosipFormula) {
  TokenIdSettings settings{.uin_salt = "zHuDEAbmbx", .partner_code_salt = "yS8w5Wb6vh"};
  auto token = TokenId("2345678901", "mpartner-default-auth", settings);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "352242664128990898457691993005993682");
  EXPECT_EQ(token->size(), 36u);
  // Per partner: another partner sees another token for the same UIN.
  EXPECT_NE(TokenId("2345678901", "mpartner-default-print", settings).value(), *token);
  EXPECT_EQ(TokenId("", "p", settings).status().code(), kErrBadIdentifier);
  EXPECT_EQ(TokenId("2345678901", "p", {}).status().code(), kErrBadIdentifier);
}

}  // namespace
}  // namespace sijil::crypto
