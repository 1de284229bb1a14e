// Query language: the AST the parser builds, and the exact error messages (file:line:col,
// expected X, found Y) users see for malformed queries and gazetteers.

#include <gtest/gtest.h>

#include <string>

#include "filters/matcher.hpp"
#include "filters/query.hpp"

namespace newswatch::filters {
namespace {

std::string ast(std::string_view q) {
  auto r = query::parse(q);
  if (!r) return "error@" + std::to_string(r.error().column) + ": " + r.error().message;
  return query::to_string(*r);
}

TEST(QueryParser, BuildsTheExpectedTree) {
  EXPECT_EQ(ast("Mali"), "mali");
  EXPECT_EQ(ast("Mali Niger"), "(AND mali niger)");
  EXPECT_EQ(ast("Mali AND Niger OR Chad"), "(OR (AND mali niger) chad)");
  EXPECT_EQ(ast("Mali OR Niger Chad"), "(OR mali (AND niger chad))");
  EXPECT_EQ(ast("NOT Somalia Mali"), "(AND (NOT somalia) mali)");
  EXPECT_EQ(ast("(Mali OR Niger) troops"), "(AND (OR mali niger) troops)");
  EXPECT_EQ(ast("\"Security Council\""), "\"security council\"");
  EXPECT_EQ(ast("Islamist*"), "islamist*");
  EXPECT_EQ(ast("=ECOWAS"), "=ECOWAS");
  EXPECT_EQ(ast("=\"Ansar Dine\""), "=\"Ansar Dine\"");
  EXPECT_EQ(ast("@ECOWAS"), "@ECOWAS");
  EXPECT_EQ(ast("title:Mali"), "title:mali");
  EXPECT_EQ(ast("summary:(Mali OR content:Niger)"), "(OR summary:mali content:niger)");
  EXPECT_EQ(ast("NEAR/5(Mali, intervention)"), "(NEAR/5 mali intervention)");
  EXPECT_EQ(ast("NEAR/2(Mali OR Niger, \"armed forces\")"), "(NEAR/2 (OR mali niger) \"armed forces\")");
  EXPECT_EQ(ast("Côte d'Ivoire"), "(AND cote \"d ivoire\")");
  EXPECT_EQ(ast("war and peace"), "(AND war and peace)");
  EXPECT_EQ(ast("  Mali\t\nOR\tNiger  "), "(OR mali niger)");
}

TEST(QueryParser, TermsKeepTheirWrittenForm) {
  auto r = query::parse("\"Security Council\"");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<query::Term>(r->v).written, "Security Council");
  r = query::parse("=ECOWAS");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<query::Term>(r->v).written, "ECOWAS");
  r = query::parse("Islamist*");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<query::Term>(r->v).written, "Islamist*");
}

struct ErrorCase {
  const char* query;
  const char* expected;
};

// The query value starts at line 4, column 9 (its opening quote) of w.toml: query
// character i is reported at column 10 + i.
const ErrorCase kErrors[] = {
    {"", "w.toml:4:10: filter 'f': empty query: expected a term"},
    {"Mali AND", "w.toml:4:18: filter 'f': expected a term after AND, found end of query"},
    {"Mali OR OR Niger", "w.toml:4:18: filter 'f': expected a term after OR, found 'OR'"},
    {"(Mali", "w.toml:4:15: filter 'f': expected ')' to close '(', found end of query"},
    {"Mali)", "w.toml:4:14: filter 'f': unexpected ')' without a matching '('"},
    {"\"Security Council", "w.toml:4:10: filter 'f': unterminated phrase: expected a closing '\"', found end of query"},
    {"@Nowhere", "w.toml:4:10: filter 'f': unknown entity '@Nowhere'"},
    {"Mali OR @mali", "w.toml:4:18: filter 'f': unknown entity '@mali'; did you mean '@Mali'?"},
    {"NOT Mali",
     "w.toml:4:10: filter 'f': the query has no word, phrase or entity outside NOT, so it could never match"},
    {"NEAR/0(Mali, Niger)", "w.toml:4:10: filter 'f': expected a distance from 1 to 1000 after 'NEAR/', found '0'"},
    {"NEAR/x(Mali, Niger)", "w.toml:4:10: filter 'f': expected a distance from 1 to 1000 after 'NEAR/', found 'x'"},
    {"NEAR(Mali, Niger)", "w.toml:4:10: filter 'f': expected a distance after NEAR, as in NEAR/5(a, b), found 'NEAR'"},
    {"NEAR/5 Mali", "w.toml:4:17: filter 'f': expected '(' after 'NEAR/5', found 'Mali'"},
    {"NEAR/5(Mali Niger, x)",
     "w.toml:4:17: filter 'f': NEAR operands must be terms or alternatives of terms (a OR b), without AND or NOT"},
    {"NEAR/5(Mali, Niger", "w.toml:4:28: filter 'f': expected ')' to close 'NEAR/5', found end of query"},
    {"NEAR/5(Mali)", "w.toml:4:21: filter 'f': expected ',' between the two operands of 'NEAR/5', found ')'"},
    {"place:Mali", "w.toml:4:10: filter 'f': unknown field 'place': expected title, summary, content or lang"},
    {"title:", "w.toml:4:16: filter 'f': expected a term after 'title:', found end of query"},
    {"Mali *", "w.toml:4:15: filter 'f': expected a word right before '*', found a space"},
    {"\"Security Council\"*", "w.toml:4:28: filter 'f': a prefix '*' applies to a single word, not to a phrase"},
    {"Is*", "w.toml:4:10: filter 'f': a prefix needs at least 3 letters or digits, found 'Is*'"},
    {"d'Ivoire*", "w.toml:4:10: filter 'f': a prefix '*' applies to a single word; 'd'Ivoire' is several words"},
    {"@Mali*", "w.toml:4:15: filter 'f': a prefix '*' applies to a single word, not to an entity"},
    {"= Mali", "w.toml:4:10: filter 'f': expected a word or phrase right after '=', found a space"},
    {"@ Mali", "w.toml:4:10: filter 'f': expected an entity id right after '@', found a space"},
    {"Mali AND !!!", "w.toml:4:19: filter 'f': expected a term with letters or digits, found '!!!'"},
    {"Mali , Niger", "w.toml:4:15: filter 'f': expected AND, OR, NOT, a term or end of query, found ','"},
    {"NOT NOT", "w.toml:4:17: filter 'f': expected a term after NOT, found end of query"},
    {"Ségou )", "w.toml:4:16: filter 'f': unexpected ')' without a matching '('"},
    {"title:NOT Mali", "w.toml:4:16: filter 'f': expected a term after 'title:', found 'NOT'"},
    {"\"\"", "w.toml:4:10: filter 'f': expected a term with letters or digits, found phrase \"\""},
};

class QueryErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(QueryErrors, SayWhereAndWhat) {
  FilterDef f;
  f.id = "f";
  f.query = GetParam().query;
  f.query_pos = {"w.toml", 4, 9};
  EntityDef mali;
  mali.id = "Mali";
  mali.aliases = {{"Mali", false}};
  auto m = Matcher::compile({f}, {mali});
  ASSERT_FALSE(m.ok()) << GetParam().query;
  ASSERT_EQ(m.error().size(), 1U);
  EXPECT_EQ(format_error(m.error().front()), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Goldens, QueryErrors, ::testing::ValuesIn(kErrors),
                         [](const auto& info) { return "case" + std::to_string(info.index); });

TEST(QueryErrorsExtra, DeepNestingIsRejectedNotOverflowed) {
  const std::string q = std::string(100'000, '(') + "Mali" + std::string(100'000, ')');
  auto r = query::parse(q);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nests too deeply"), std::string::npos);
}

TEST(QueryErrorsExtra, EveryBadFilterIsReportedNotJustTheFirst) {
  FilterDef a;
  a.id = "a";
  a.query = "Mali AND";
  a.query_pos = {"x.toml", 2, 9};
  FilterDef b;
  b.id = "b";
  b.query = "@Ghost";
  b.query_pos = {"y.toml", 7, 9};
  auto m = Matcher::compile({a, b}, {});
  ASSERT_FALSE(m.ok());
  ASSERT_EQ(m.error().size(), 2U);
  EXPECT_EQ(format_error(m.error()[0]), "x.toml:2:18: filter 'a': expected a term after AND, found end of query");
  EXPECT_EQ(format_error(m.error()[1]), "y.toml:7:10: filter 'b': unknown entity '@Ghost' (no [[entity]] is defined)");
}

TEST(QueryErrorsExtra, AliasWithoutLettersIsAnEntityError) {
  EntityDef e;
  e.id = "X";
  e.aliases = {{"--", false}};
  e.pos = {"g.toml", 3, 1};
  auto m = Matcher::compile({}, {e});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(format_error(m.error().front()), "g.toml:3:1: entity 'X': alias '--' has no letters or digits");
}

}  // namespace
}  // namespace newswatch::filters
