// Normaliser and matcher API: folded streams, the word -> original code point map through
// HTML and character references, and what match() reports (terms, entities, feeds).

#include <gtest/gtest.h>

#include <string>

#include "filters/matcher.hpp"
#include "filters/normaliser.hpp"
#include "tests/unit/filters/code_points.hpp"

namespace newswatch::filters {
namespace {

TEST(Normaliser, FoldsCaseAndDiacriticsAndCollapsesSeparators) {
  NormalisedText n;
  normalise("CÔTE D'IVOIRE — Ségou,  Straße!", TextKind::plain, true, n);
  EXPECT_EQ(n.folded, " cote d ivoire segou strasse ");
  EXPECT_EQ(n.exact, " COTE D IVOIRE Segou Straße ");
  ASSERT_EQ(n.words.size(), 5U);
}

TEST(Normaliser, EmptyAndSeparatorOnlyTextHasNoWords) {
  NormalisedText n;
  normalise("", TextKind::html, false, n);
  EXPECT_EQ(n.folded, " ");
  EXPECT_TRUE(n.words.empty());
  normalise(" -- ‘’ <p></p> &amp; ", TextKind::html, false, n);
  EXPECT_EQ(n.folded, " ");
  EXPECT_TRUE(n.words.empty());
}

TEST(Normaliser, WordsMapBackToOriginalCodePoints) {
  const std::string html = "<p class=\"x\">L&rsquo;arm&eacute;e <b>malienne</b> &amp; Ségou</p>";
  NormalisedText n;
  normalise(html, TextKind::html, false, n);
  EXPECT_EQ(n.folded, " l armee malienne segou ");
  ASSERT_EQ(n.words.size(), 4U);
  const char* expected[] = {"L", "arm&eacute;e", "malienne", "Ségou"};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& w = n.words[i];
    EXPECT_EQ(slice_cp(html, w.orig_begin, w.orig_end - w.orig_begin), expected[i]);
  }
}

TEST(Normaliser, PlainTextKeepsMarkupAsCharacters) {
  NormalisedText n;
  normalise("<b>Mali</b> &amp;", TextKind::plain, false, n);
  EXPECT_EQ(n.folded, " b mali b amp ");
}

TEST(Normaliser, InvalidUtf8SeparatesAndCountsOneCodePointPerByte) {
  NormalisedText n;
  const std::string s =
      "ab\xFF\xFE"
      "cd";
  normalise(s, TextKind::plain, false, n);
  EXPECT_EQ(n.folded, " ab cd ");
  ASSERT_EQ(n.words.size(), 2U);
  EXPECT_EQ(n.words[1].orig_begin, 4U);
}

TEST(Normaliser, UnterminatedMarkupRunsToTheEnd) {
  NormalisedText n;
  normalise("Mali <a href='x", TextKind::html, false, n);
  EXPECT_EQ(n.folded, " mali ");
  normalise("Mali <!-- Niger", TextKind::html, false, n);
  EXPECT_EQ(n.folded, " mali ");
  normalise("Mali <script>Niger", TextKind::html, false, n);
  EXPECT_EQ(n.folded, " mali ");
}

TEST(Normaliser, TermWords) {
  EXPECT_EQ(term_words("Côte d'Ivoire", false), (std::vector<std::string>{"cote", "d", "ivoire"}));
  EXPECT_EQ(term_words("Côte d'Ivoire", true), (std::vector<std::string>{"Cote", "d", "Ivoire"}));
  EXPECT_TRUE(term_words("--", false).empty());
}

std::shared_ptr<const Matcher> compile_or_die(std::vector<FilterDef> f, std::vector<EntityDef> e) {
  auto m = Matcher::compile(std::move(f), std::move(e));
  if (!m) {
    ADD_FAILURE() << format_error(m.error().front());
    return nullptr;
  }
  return *m;
}

FilterDef filter(std::string id, std::string q) {
  FilterDef f;
  f.id = std::move(id);
  f.query = std::move(q);
  f.topic = "alert." + f.id;
  return f;
}

EntityDef entity(std::string id, std::vector<Alias> aliases) {
  EntityDef e;
  e.id = std::move(id);
  e.aliases = std::move(aliases);
  return e;
}

TEST(MatcherApi, ReportsTermsAsWrittenAndEntityIds) {
  auto m = compile_or_die({filter("s", "@ECOWAS OR Islamist* OR \"Security Council\" OR =AU")},
                          {entity("ECOWAS", {{"CEDEAO", false}, {"ECOWAS", true}})});
  ASSERT_TRUE(m);
  const std::string summary = "<p>La <b>CEDEAO</b> &amp; l&#39;AU</p>";
  const auto r = m->match({"Islamists and the security council", summary, ""}, "feed").value();
  ASSERT_EQ(r.filters.size(), 1U);
  const auto& ms = r.filters[0].matches;
  ASSERT_EQ(ms.size(), 4U);
  EXPECT_EQ(ms[0].term, "Islamist*");
  EXPECT_EQ(ms[0].field, "title");
  EXPECT_FALSE(ms[0].entity.has_value());
  EXPECT_EQ(ms[1].term, "Security Council");
  EXPECT_EQ(slice_cp("Islamists and the security council", ms[1].offset, ms[1].length), "security council");
  EXPECT_EQ(ms[2].term, "CEDEAO");
  EXPECT_EQ(ms[2].entity, std::optional<std::string>("ECOWAS"));
  EXPECT_EQ(ms[2].field, "summary");
  EXPECT_EQ(slice_cp(summary, ms[2].offset, ms[2].length), "CEDEAO");
  EXPECT_EQ(ms[3].term, "AU");
  EXPECT_EQ(slice_cp(summary, ms[3].offset, ms[3].length), "AU");
  EXPECT_EQ(r.entities, std::vector<std::string>{"ECOWAS"});
}

TEST(MatcherApi, EntitiesAreListedEvenWhenFiltersUsePlainWords) {
  auto m = compile_or_die({filter("w", "Bamako")},
                          {entity("Mali", {{"Mali", false}, {"malien", false}}), entity("Niger", {{"Niger", false}}),
                           entity("Chad", {{"Chad", false}, {"Tchad", false}})});
  ASSERT_TRUE(m);
  auto r = m->match({"Bamako: le gouvernement malien", "", "<p>Tchad, Niger</p>"}, "f").value();
  ASSERT_EQ(r.filters.size(), 1U);
  EXPECT_EQ(r.entities, (std::vector<std::string>{"Mali", "Niger", "Chad"}));
  r = m->match({"Nothing here", "", ""}, "f").value();
  EXPECT_TRUE(r.filters.empty());
  EXPECT_TRUE(r.entities.empty());
  r = m->match({"Tchad", "", ""}, "f").value();
  EXPECT_TRUE(r.filters.empty());
  EXPECT_EQ(r.entities, std::vector<std::string>{"Chad"});
}

TEST(MatcherApi, FeedsRestrictAFilter) {
  auto only = filter("only", "Mali");
  only.feeds = {"un-news"};
  auto m = compile_or_die({only, filter("all", "Mali")}, {});
  ASSERT_TRUE(m);
  auto r = m->match({"Mali", "", ""}, "other-feed").value();
  ASSERT_EQ(r.filters.size(), 1U);
  EXPECT_EQ(r.filters[0].filter_index, 1U);
  r = m->match({"Mali", "", ""}, "un-news").value();
  ASSERT_EQ(r.filters.size(), 2U);
  EXPECT_EQ(r.filters[0].filter_index, 0U);
}

TEST(MatcherApi, SharedTermsCompileOnce) {
  auto m = compile_or_die({filter("a", "Mali OR Niger"), filter("b", "mali AND MALI"), filter("c", "=Mali")},
                          {entity("Mali", {{"Mali", false}})});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->term_count(), 3U);  // " mali ", " niger ", exact " Mali "
  EXPECT_EQ(m->filters().size(), 3U);
  EXPECT_EQ(m->entities().size(), 1U);
}

TEST(MatcherApi, ManyItemsReuseStateCorrectly) {
  auto m = compile_or_die({filter("a", "Mali NOT Somalia"), filter("b", "NEAR/2(Niger, coup)")}, {});
  ASSERT_TRUE(m);
  for (int i = 0; i < 200; ++i) {
    const bool mali = i % 3 == 0;
    const bool niger = i % 5 == 0;
    const std::string title = std::string(mali ? "Mali " : "Peru ") + (niger ? "Niger coup" : "calm");
    const auto r = m->match({title, "", ""}, "f").value();
    ASSERT_EQ(r.filters.size(), static_cast<std::size_t>(mali) + static_cast<std::size_t>(niger)) << i;
  }
}

TEST(MatcherApi, EmptyConfigMatchesNothing) {
  auto m = compile_or_die({}, {});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->term_count(), 0U);
  const auto r = m->match({"Mali", "Mali", "Mali"}, "f").value();
  EXPECT_TRUE(r.filters.empty());
}

TEST(MatcherApi, LongHostileTextIsHandled) {
  auto m = compile_or_die({filter("a", "NEAR/3(Mali, army)")}, {});
  ASSERT_TRUE(m);
  std::string content;
  for (int i = 0; i < 500; ++i)
    content += "<p>Mali army &amp; <i>Mali</i></p>";
  const auto r = m->match({"", "", content}, "f").value();
  ASSERT_EQ(r.filters.size(), 1U);
  EXPECT_EQ(r.filters[0].matches.size(), 1500U) << "every occurrence, under the limits";
  EXPECT_FALSE(r.truncated);
}

// "Mali " n times, as a hostile feed might send it.
std::string repeated(std::string_view word, std::size_t n) {
  std::string s;
  s.reserve(n * (word.size() + 1));
  for (std::size_t i = 0; i < n; ++i)
    s.append(word).push_back(' ');
  return s;
}

TEST(MatcherApi, OnlyATermsFirstOccurrencesCount) {
  FilterDef many = filter("many", "Mali OR Niger");
  many.min_hits = static_cast<int>(kMaxOccurrencesPerTerm);
  auto m = compile_or_die({many, filter("near", "NEAR/1(Mali, Niger)")}, {});
  ASSERT_TRUE(m);
  const auto exact = m->match({"", "", repeated("Mali", kMaxOccurrencesPerTerm)}, "f").value();
  ASSERT_EQ(exact.filters.size(), 1U) << "min_hits reached by the term's last counted occurrence";
  EXPECT_EQ(exact.filters[0].matches.size(), kMaxOccurrencesPerTerm);
  EXPECT_FALSE(exact.truncated);

  // One more Mali, then Niger: Niger still counts, but the last Mali (beside it) does not.
  const std::string text = repeated("Mali", kMaxOccurrencesPerTerm + 1) + "Niger";
  const auto r = m->match({"", "", text}, "f").value();
  EXPECT_TRUE(r.truncated);
  ASSERT_EQ(r.filters.size(), 1U) << "NEAR sees no counted Mali beside Niger";
  EXPECT_EQ(r.filters[0].filter_index, 0U);
  const auto& ms = r.filters[0].matches;
  ASSERT_EQ(ms.size(), kMaxOccurrencesPerTerm + 1);
  EXPECT_EQ(ms[kMaxOccurrencesPerTerm - 1].offset, 5 * (kMaxOccurrencesPerTerm - 1));
  EXPECT_EQ(ms.back().term, "Niger");
}

TEST(MatcherApi, AnItemsScanStopsAtItsLimit) {
  auto m = compile_or_die({filter("mali", "Mali"), filter("chad", "Chad")}, {});
  ASSERT_TRUE(m);
  const std::string content = repeated("Mali", kMaxOccurrencesPerItem) + "Chad";
  const auto r = m->match({"Chad", "", content}, "f").value();
  EXPECT_TRUE(r.truncated);
  ASSERT_EQ(r.filters.size(), 2U);
  EXPECT_EQ(r.filters[0].matches.size(), kMaxOccurrencesPerTerm);
  ASSERT_EQ(r.filters[1].matches.size(), 1U) << "the title's Chad, found before the limit; not the content's";
  EXPECT_EQ(r.filters[1].matches[0].field, "title");
}

}  // namespace
}  // namespace newswatch::filters
