// LanguageIdentifier on our own labelled set (tests/fixtures/languages/<code>.tsv: headline,
// tab, about 200 characters of text; written for these tests, CC0). Prints accuracy per
// language and holds the targets of docs/languages.md; plus the cascade's rules one by one.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "filters/language_id.hpp"

namespace fs = std::filesystem;
using newswatch::filters::item_language;
using newswatch::filters::LanguageIdentifier;

namespace {

struct Sample {
  std::string headline;
  std::string text;
};

std::vector<Sample> read_set(const std::string& code) {
  std::ifstream in(fs::path(NEWSWATCH_FIXTURES) / "languages" / (code + ".tsv"));
  std::vector<Sample> out;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return out;
}

const LanguageIdentifier& identifier() {
  const auto& id = LanguageIdentifier::standard();
  EXPECT_EQ(id.load_error(), "");
  return id;
}

struct Score {
  int right = 0, undetermined = 0, wrong = 0;
  double percent(std::size_t n) const { return n == 0 ? 0 : 100.0 * right / static_cast<double>(n); }
};

TEST(LanguageAccuracy, LabelledSetMeetsTargets) {
  const auto& id = identifier();
  struct Target {
    const char* code;
    double headline_plus_text;  // percent correct at least
    double headline_only;
  };
  const Target targets[] = {{"en", 95, 90}, {"fr", 95, 90}, {"ha", 95, 0}, {"sw", 95, 0},
                            {"so", 95, 0},  {"ar", 95, 0},  {"pt", 90, 0}};
  std::printf("%-4s %5s  %-26s  %-26s\n", "lang", "items", "headline+text ok/und/wrong", "headline ok/und/wrong");
  for (const auto& t : targets) {
    const auto set = read_set(t.code);
    ASSERT_GE(set.size(), 30u) << t.code;
    Score full, head;
    for (const auto& s : set) {
      const std::string both = id.identify(s.headline, s.text, "");
      const std::string alone = id.identify(s.headline, "", "");
      (both == t.code ? full.right : both == "und" ? full.undetermined : full.wrong)++;
      (alone == t.code ? head.right : alone == "und" ? head.undetermined : head.wrong)++;
      if (both != t.code) std::printf("  %s text -> %s: %s\n", t.code, both.c_str(), s.headline.c_str());
      if (alone != t.code && alone != "und")
        std::printf("  %s headline -> %s: %s\n", t.code, alone.c_str(), s.headline.c_str());
    }
    std::printf("%-4s %5zu  %5.1f%% %3d/%3d/%3d          %5.1f%% %3d/%3d/%3d\n", t.code, set.size(),
                full.percent(set.size()), full.right, full.undetermined, full.wrong, head.percent(set.size()),
                head.right, head.undetermined, head.wrong);
    EXPECT_GE(full.percent(set.size()), t.headline_plus_text) << t.code;
    EXPECT_GE(head.percent(set.size()), t.headline_only) << t.code;
  }
}

TEST(LanguageCascade, DeclaredLanguageStandsOnShortText) {
  const auto& id = identifier();
  // A French headline in a feed declared English: too short to overrule the declaration.
  EXPECT_EQ(id.identify("Le président reçoit les dirigeants", "", "en-US"), "en");
  EXPECT_EQ(id.identify("Mali: ECOWAS summit", "", "FR"), "fr");
}

TEST(LanguageCascade, LongTextInAnotherLanguageOverrulesTheDeclaration) {
  const auto& id = identifier();
  const auto fr = read_set("fr");
  ASSERT_FALSE(fr.empty());
  EXPECT_EQ(id.identify(fr[0].headline, fr[0].text, "en"), "fr");
  const auto ha = read_set("ha");
  EXPECT_EQ(id.identify(ha[3].headline, ha[3].text, "en"), "ha");
  // Declared and written the same: no question.
  EXPECT_EQ(id.identify(fr[1].headline, fr[1].text, "fr"), "fr");
}

TEST(LanguageCascade, ArabicScriptIsArabicUnlessDeclaredOtherwise) {
  const auto& id = identifier();
  const auto ar = read_set("ar");
  ASSERT_FALSE(ar.empty());
  EXPECT_EQ(id.identify(ar[0].headline, "", ""), "ar");
  EXPECT_EQ(id.identify(ar[0].headline, ar[0].text, "en"), "ar");     // English is not written so
  EXPECT_EQ(id.identify(ar[0].headline, ar[0].text, "fa-IR"), "fa");  // Persian is
  EXPECT_EQ(id.identify(ar[0].headline, ar[0].text, "ur"), "ur");
}

TEST(LanguageCascade, ShortOrUnclearTextIsUndetermined) {
  const auto& id = identifier();
  EXPECT_EQ(id.identify("Mali", "", ""), "und");
  EXPECT_EQ(id.identify("AFISMA / MINUSMA", "", ""), "und");
  EXPECT_EQ(id.identify("", "", ""), "und");
  EXPECT_EQ(id.identify("2012-12-20", "<p>3,300</p>", ""), "und");
  // Other scripts: none of the candidates' models applies.
  EXPECT_EQ(id.identify("Президент Мали встретился с лидерами региона", "", ""), "und");
  EXPECT_EQ(id.identify("Президент Мали встретился с лидерами региона", "", "ru"), "ru");
}

TEST(LanguageCascade, MarkupIsNotText) {
  const auto& id = identifier();
  const auto sw = read_set("sw");
  const std::string html = "<div class=\"story-body\"><p><a href=\"https://example.org/the/of/and\">" + sw[2].text +
                           "</a></p><script>var the = 'of and the';</script></div>";
  EXPECT_EQ(id.identify(sw[2].headline, html, ""), "sw");
}

TEST(LanguageCascade, ItemLanguageWeighsConfigOverDocument) {
  const auto& id = identifier();
  newswatch::feeds::Item item;
  item.title = "Mali: ECOWAS summit in Abuja";
  item.language = "fr";  // as the parser found it declared
  EXPECT_EQ(item_language(id, item, ""), "fr");
  EXPECT_EQ(item_language(id, item, "ha"), "ha");  // the operator's word first
  // No summary: the content is read instead.
  const auto so = read_set("so");
  item.title = so[0].headline;
  item.content = "<p>" + so[0].text + "</p>";
  item.language = "";
  EXPECT_EQ(item_language(id, item, ""), "so");
}

TEST(LanguageTags, NormaliseDeclaredTags) {
  using newswatch::feeds::normalise_language_tag;
  EXPECT_EQ(normalise_language_tag("en-US"), "en");
  EXPECT_EQ(normalise_language_tag(" FR_ca "), "fr");
  EXPECT_EQ(normalise_language_tag("fre"), "fr");
  EXPECT_EQ(normalise_language_tag("fra"), "fr");
  EXPECT_EQ(normalise_language_tag("hau"), "ha");
  EXPECT_EQ(normalise_language_tag("English"), "en");
  EXPECT_EQ(normalise_language_tag("pcm-NG"), "pcm");
  EXPECT_EQ(normalise_language_tag("iw"), "he");
  EXPECT_EQ(normalise_language_tag("x-default"), "");
  EXPECT_EQ(normalise_language_tag("zz"), "");
  EXPECT_EQ(normalise_language_tag("und"), "");
  EXPECT_EQ(normalise_language_tag(""), "");
  EXPECT_EQ(normalise_language_tag("*"), "");
}

TEST(LanguageTags, ConfigCodes) {
  using newswatch::feeds::is_language_code;
  using newswatch::feeds::language_code_problem;
  EXPECT_TRUE(is_language_code("fr"));
  EXPECT_TRUE(is_language_code("pcm"));
  EXPECT_TRUE(is_language_code("und"));
  EXPECT_FALSE(is_language_code("fra"));
  EXPECT_FALSE(is_language_code("FR"));
  EXPECT_FALSE(is_language_code("en-US"));
  EXPECT_FALSE(is_language_code("xx"));
  EXPECT_EQ(language_code_problem("fra"), "unknown language code 'fra': write 'fr' (ISO 639-1)");
  EXPECT_NE(language_code_problem("xx").find("expected an ISO 639-1 code"), std::string::npos);
}

}  // namespace
