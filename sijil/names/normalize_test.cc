#include "sijil/names/normalize.h"

#include <gtest/gtest.h>

#include <string>

#include "sijil/names/transliterate.h"

namespace sijil::names {
namespace {

NormalizedName N(std::string_view s) {
  Result<NormalizedName> r = NormalizeName(s);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : NormalizedName{};
}

TEST(NormalizeTest, FoldsCaseAccentsAndPunctuation) {
  EXPECT_EQ(N("  AÏT-Ahmed,  Hafsaë ").Text(), "ait ahmed hafsae");
  EXPECT_EQ(N("M'HAMED").Text(), "mhamed");
  EXPECT_EQ(N("Chérif").tokens.size(), 0u);          // a title on its own
  EXPECT_EQ(N("Ｍｏｈａｍｅｄ").Text(), "mohamed");  // NFKC: full-width letters
}

TEST(NormalizeTest, RemovesTitles) {
  EXPECT_EQ(N("Si Mohamed Alaoui").Text(), "mohamed alaoui");
  EXPECT_EQ(N("Mme Lalla Fatima Zahra").Text(), "fatima zahra");
  EXPECT_EQ(N("Dr. Hajj Ahmed").Text(), "ahmed");
  EXPECT_EQ(N("الحاج محمد").Latin(), "mohamed");
  EXPECT_EQ(N("السيد أحمد").Latin(), "ahmed");
}

TEST(NormalizeTest, RecognisesParticles) {
  NormalizedName n = N("Moulay Ahmed Ben Abdellah El Fassi");
  ASSERT_EQ(n.tokens.size(), 6u);
  EXPECT_EQ(n.tokens[0].particle, Particle::kHonorific);
  EXPECT_EQ(n.tokens[1].particle, Particle::kNone);
  EXPECT_EQ(n.tokens[2].particle, Particle::kFiliation);
  EXPECT_EQ(n.tokens[4].particle, Particle::kArticle);
  EXPECT_EQ(N("Mly Ahmed").Text(), "moulay ahmed");
  EXPECT_EQ(N("Abd El Kader").tokens[0].particle, Particle::kServant);
  EXPECT_EQ(N("Aït Said").tokens[0].particle, Particle::kFiliation);
}

TEST(NormalizeTest, UnifiesArabicVariants) {
  // Diacritics, tatweel, hamza carriers and alef variants.
  EXPECT_EQ(N("مُحَمَّد").Text(), N("محمد").Text());
  EXPECT_EQ(N("محـــمد").Text(), N("محمد").Text());
  EXPECT_EQ(N("أحمد").Text(), N("احمد").Text());
  EXPECT_EQ(N("إبراهيم").Text(), N("ابراهيم").Text());
  EXPECT_EQ(N("آمنة").Text(), N("امنة").Text());
  // ta marbuta and alef maksura meet in the exact form.
  EXPECT_EQ(ExactForm(N("فاطمة").tokens[0]), ExactForm(N("فاطمه").tokens[0]));
  EXPECT_EQ(ExactForm(N("مصطفى").tokens[0]), ExactForm(N("مصطفي").tokens[0]));
  // Persian letter forms.
  EXPECT_EQ(N("علی").Text(), N("علي").Text());
}

TEST(NormalizeTest, SplitsAttachedArabicArticleAndAbd) {
  NormalizedName n = N("عبدالرحمن العلوي");
  ASSERT_EQ(n.tokens.size(), 5u);
  EXPECT_EQ(n.tokens[0].particle, Particle::kServant);
  EXPECT_EQ(n.tokens[1].particle, Particle::kArticle);
  EXPECT_EQ(n.tokens[3].particle, Particle::kArticle);
  EXPECT_EQ(n.tokens[4].latin, "alaoui");
  EXPECT_EQ(n.script, Script::kArabic);
}

TEST(NormalizeTest, TransliteratesArabicWithMoroccanFrenchRules) {
  // Rules only (no dictionary): ch for ش, ou for و, kh, gh, j, vowels inserted.
  EXPECT_EQ(ArabicToLatin("شرايبي", false), "cheraibi");
  EXPECT_EQ(ArabicToLatin("وزاني", false), "ouezani");
  EXPECT_EQ(ArabicToLatin("خالد", false), "khaled");
  EXPECT_EQ(ArabicToLatin("غيثة", false), "ghita");
  EXPECT_EQ(ArabicToLatin("علوي", false), "aloui");
  EXPECT_EQ(ArabicToLatin("أيوب", false), "ayoub");
  EXPECT_EQ(ArabicToLatin("زينب", false), "zineb");
  EXPECT_EQ(ArabicToLatin("جلون", false), "jeloun");
  EXPECT_EQ(ArabicToLatin("الله", false), "allah");
  // The dictionary gives civil status's usual spelling for names it knows.
  EXPECT_EQ(ArabicToLatin("محمد"), "mohamed");
  EXPECT_EQ(ArabicToLatin("يوسف"), "youssef");
}

TEST(NormalizeTest, TransliteratesTifinagh) {
  EXPECT_EQ(TifinaghToLatin("ⵎⵓⵃⵎⵎⴷ"), "mouhmmd");
  EXPECT_EQ(TifinaghToLatin("ⵢⵓⵙⴼ"), "yousf");
  EXPECT_EQ(TifinaghToLatin("ⵜⵉⵣⵉⵔⵉ"), "tiziri");
  EXPECT_EQ(TifinaghToLatin("ⴰⵛⵔⴰⵢⴱⵉ"), "achraybi");
  EXPECT_EQ(N("ⵜⵉⵣⵉⵔⵉ").script, Script::kTifinagh);
}

TEST(NormalizeTest, LatinSkeletonAbsorbsSpellingVariants) {
  EXPECT_EQ(LatinSkeleton("chraibi"), LatinSkeleton("shraibi"));
  EXPECT_EQ(LatinSkeleton("youcef"), LatinSkeleton("yousef"));
  EXPECT_EQ(LatinSkeleton("ouazzani"), LatinSkeleton("wazzani"));
  EXPECT_EQ(LatinSkeleton("khadidja"), LatinSkeleton("khadija"));
  EXPECT_EQ(LatinSkeleton("abdelqader"), LatinSkeleton("abdelkader"));
  EXPECT_EQ(LatinSkeleton("mohammed"), LatinSkeleton("mohamed"));
  EXPECT_EQ(LatinSkeleton("guessous"), "gesus");
  EXPECT_EQ(LatinSkeleton("rhizlane"), LatinSkeleton("ghizlane"));
}

TEST(NormalizeTest, RejectsBadInput) {
  Result<NormalizedName> bad = NormalizeName(std::string("Moh\xC3\x28med"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "SIJ-NAM-001");
  Result<NormalizedName> long_name = NormalizeName(std::string(600, 'a'));
  ASSERT_FALSE(long_name.ok());
  EXPECT_EQ(long_name.status().code(), "SIJ-NAM-002");
  EXPECT_TRUE(N("").tokens.empty());
  EXPECT_TRUE(N("-- ,, ''").tokens.empty());
}

}  // namespace
}  // namespace sijil::names
