#include "sijil/names/phonetic.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sijil/names/name_match.h"
#include "sijil/names/transliterate.h"

namespace sijil::names {
namespace {

std::string Key(const std::string& name) {
  Result<CompiledName> c = CompileName(name);
  EXPECT_TRUE(c.ok()) << name;
  std::string out;
  for (const NameUnit& u : c->units) {
    if (!out.empty()) out += " ";
    out += UnpackKey(u.keys[0]);
  }
  return out;
}

// Every spelling in a group must share one phonetic key with the first.
void ExpectGroupMatches(const std::vector<std::string>& group) {
  Result<CompiledName> first = CompileName(group[0]);
  ASSERT_TRUE(first.ok());
  for (const std::string& other : group) {
    Result<CompiledName> c = CompileName(other);
    ASSERT_TRUE(c.ok()) << other;
    EXPECT_EQ(PhoneticScore(*first, *c), 100)
        << group[0] << " (" << Key(group[0]) << ") vs " << other << " (" << Key(other) << ")";
  }
}

TEST(PhoneticTest, MohamedVariants) {
  ExpectGroupMatches({"Mohamed", "Mohammed", "Muhammad", "Mhamed", "M'hamed", "Mohammad",
                      "Mouhamed", "محمد", "مُحَمَّد"});
}

TEST(PhoneticTest, YoussefVariants) {
  ExpectGroupMatches({"Youssef", "Yousef", "Youcef", "Yusuf", "Youssouf", "يوسف"});
}

TEST(PhoneticTest, FatimaVariants) {
  ExpectGroupMatches({"Fatima", "Fatema", "Fatma", "Fatimah", "فاطمة", "فاطمه"});
}

TEST(PhoneticTest, AbdellahVariants) {
  ExpectGroupMatches(
      {"Abdellah", "Abdallah", "Abdullah", "Abdella", "Abd Allah", "عبد الله", "عبدالله"});
}

TEST(PhoneticTest, OuazzaniVariants) {
  ExpectGroupMatches({"Ouazzani", "Wazzani", "El Ouazzani", "الوزاني"});
}

TEST(PhoneticTest, ChraibiVariants) {
  ExpectGroupMatches({"Chraibi", "Cheraibi", "Shraibi", "Chraïbi", "الشرايبي"});
}

TEST(PhoneticTest, OtherMaghrebConventions) {
  ExpectGroupMatches({"Khadija", "Khadidja", "Khedija", "خديجة"});
  ExpectGroupMatches({"Aicha", "Aïcha", "Aisha", "عائشة"});
  ExpectGroupMatches({"Mehdi", "Mahdi"});
  ExpectGroupMatches({"Mbarek", "Moubarak", "Mubarak"});
  ExpectGroupMatches({"Benjelloun", "Ben Jelloun", "Bendjelloun", "Jelloun"});
  ExpectGroupMatches({"Essaidi", "El Saidi", "Es-Saidi", "Saidi"});
  ExpectGroupMatches({"Abdelkader", "Abd El Kader", "Abdel Kader", "Abdelqader", "عبد القادر"});
  ExpectGroupMatches({"Soulaimane", "Slimane"});
  ExpectGroupMatches({"Oussama", "Osama", "أسامة"});
  ExpectGroupMatches({"Noureddine", "Nour Eddine", "Nour-Eddine"});
  ExpectGroupMatches({"Moulay Ahmed", "My Ahmed", "Mly Ahmed"});
}

TEST(PhoneticTest, DistinctNamesDoNotMatch) {
  auto score = [](const char* a, const char* b) {
    return PhoneticScore(*CompileName(a), *CompileName(b));
  };
  EXPECT_EQ(score("Mohamed", "Youssef"), 20);
  EXPECT_EQ(score("Fatima", "Khadija"), 20);
  EXPECT_EQ(score("Bennani", "Berrada"), 20);
  EXPECT_EQ(score("Tazi", "Lahlou"), 20);
}

TEST(PhoneticTest, KeysAreShortConsonantSkeletons) {
  EXPECT_EQ(PhoneticKey("mohamed"), "mhmd");
  EXPECT_EQ(PhoneticKey("youssef"), "ysf");
  EXPECT_EQ(PhoneticKey("fatima"), "ftm");
  EXPECT_EQ(PhoneticKey("abdellah"), "abdl");
  EXPECT_EQ(PhoneticKey("ouazzani"), "wzn");
  EXPECT_EQ(PhoneticKey("chraibi"), "crb");
}

TEST(PhoneticTest, PackRoundTrips) {
  for (const char* k : {"a", "mhmd", "bnbdlkdr", "abcdefghijkl"}) {
    EXPECT_EQ(UnpackKey(PackKey(k)), k);
  }
  EXPECT_EQ(PackKey(""), 0u);
  EXPECT_NE(PackKey("ab"), PackKey("ba"));
}

}  // namespace
}  // namespace sijil::names
