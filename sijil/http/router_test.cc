#include "sijil/http/router.h"

#include <gtest/gtest.h>

namespace sijil::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) -> Result<Response> { return Response::Text(200, name); };
}

std::vector<std::string> Split(std::string_view path) { return *SplitPath(path); }

TEST(RouterTest, MatchesLiteralsAndParameters) {
  Router r;
  ASSERT_TRUE(r.Add(Method::kGet, "/v1/idgenerator/uin/validate/{uin}",
                    RouteOptions::Authenticated("x"), Named("validate"))
                  .ok());
  ASSERT_TRUE(r.Add(Method::kPost, "/v1/idgenerator/uin", RouteOptions::Authenticated("x"),
                    Named("allocate"))
                  .ok());
  ASSERT_TRUE(r.Add(Method::kGet, "/v1/x/new", RouteOptions::Public(), Named("new")).ok());
  ASSERT_TRUE(r.Add(Method::kGet, "/v1/x/{id}", RouteOptions::Public(), Named("id")).ok());

  auto m = r.Find(Method::kGet, Split("/v1/idgenerator/uin/validate/2345678901"));
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/idgenerator/uin/validate/{uin}");
  EXPECT_EQ(m.params.at("uin"), "2345678901");

  EXPECT_EQ(r.Find(Method::kGet, Split("/v1/x/new")).route->pattern, "/v1/x/new");
  EXPECT_EQ(r.Find(Method::kGet, Split("/v1/x/42")).route->pattern, "/v1/x/{id}");
  EXPECT_EQ(r.Find(Method::kGet, Split("/v1/x/42/")).route->pattern, "/v1/x/{id}");
  EXPECT_EQ(r.Find(Method::kHead, Split("/v1/x/42")).route->pattern, "/v1/x/{id}");

  auto wrong_method = r.Find(Method::kGet, Split("/v1/idgenerator/uin"));
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_EQ(wrong_method.allowed, std::vector<Method>{Method::kPost});

  auto none = r.Find(Method::kGet, Split("/v1/idgenerator/uin/validate"));
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowed.empty());
}

TEST(RouterTest, RejectsBadPatternsAndDuplicates) {
  Router r;
  EXPECT_FALSE(r.Add(Method::kGet, "no-slash", RouteOptions::Public(), Named("a")).ok());
  EXPECT_FALSE(r.Add(Method::kGet, "/a/{b", RouteOptions::Public(), Named("a")).ok());
  EXPECT_FALSE(r.Add(Method::kGet, "/a//b", RouteOptions::Public(), Named("a")).ok());
  EXPECT_TRUE(r.Add(Method::kGet, "/a/{b}", RouteOptions::Public(), Named("a")).ok());
  EXPECT_FALSE(r.Add(Method::kGet, "/a/{b}", RouteOptions::Public(), Named("a")).ok());
}

TEST(RouterTest, SplitPathDecodes) {
  EXPECT_EQ(Split("/"), std::vector<std::string>{});
  EXPECT_EQ(Split("/a%2Fb/c"), (std::vector<std::string>{"a/b", "c"}));
  EXPECT_FALSE(SplitPath("/a%2").ok());
  EXPECT_FALSE(SplitPath("/a%zz").ok());
  EXPECT_FALSE(SplitPath("/a%00").ok());
  EXPECT_FALSE(SplitPath("*").ok());
  EXPECT_FALSE(SplitPath("http://x/").ok());
  EXPECT_EQ(SplitPath("/a%2").status().code(), "SIJ-HTP-002");
}

TEST(RouterTest, ParseQuery) {
  auto q = ParseQuery("applicationId=KERNEL&referenceId=SIGN&x=a+b%21&flag");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->find("applicationId")->second, "KERNEL");
  EXPECT_EQ(q->find("x")->second, "a b!");
  EXPECT_EQ(q->find("flag")->second, "");
  EXPECT_FALSE(ParseQuery("a=%G1").ok());
  EXPECT_TRUE(ParseQuery("").ok());
}

}  // namespace
}  // namespace sijil::http
