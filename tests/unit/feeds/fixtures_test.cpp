// Table-driven: every feed in tests/fixtures/feeds parses to the items in its
// .expected.jsonl (or fails with the text in its .expected.error), field by field, read as
// `newswatch parse` reads it (an item a truncated document ends in is kept).
// NEWSWATCH_REGENERATE=1 rewrites the expected files (review the diff before committing).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/feed_json.hpp"
#include "feeds/feed_parser.hpp"

namespace fs = std::filesystem;
using newswatch::feeds::item_to_json;
using newswatch::feeds::parse_feed;
using newswatch::feeds::ParseOptions;

namespace {

const fs::path kDir = fs::path(NEWSWATCH_FIXTURES) / "feeds";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool is_fixture(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.find(".expected.") == std::string::npos && name.find(".options.") == std::string::npos;
}

std::vector<fs::path> fixtures() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.is_regular_file() && is_fixture(e.path())) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

fs::path sidecar(const fs::path& fixture, const std::string& suffix) {
  return fixture.parent_path() / (fixture.stem().string() + suffix);
}

class FixtureTest : public ::testing::TestWithParam<fs::path> {};

TEST_P(FixtureTest, MatchesExpectedItems) {
  const fs::path fixture = GetParam();
  ParseOptions options;
  options.keep_cut_item = true;  // as `newswatch parse` reads them
  if (const auto opt = sidecar(fixture, ".options.json"); fs::exists(opt)) {
    const auto j = nlohmann::json::parse(slurp(opt));
    options.base_url = j.value("base_url", "");
    options.content_type = j.value("content_type", "");
    options.content_language = j.value("content_language", "");
  }
  const auto result = parse_feed(slurp(fixture), options);
  const auto expected_jsonl = sidecar(fixture, ".expected.jsonl");
  const auto expected_error = sidecar(fixture, ".expected.error");

  if (std::getenv("NEWSWATCH_REGENERATE") != nullptr && !fs::exists(expected_error)) {
    std::ofstream out(expected_jsonl, std::ios::binary);
    ASSERT_TRUE(result.ok()) << result.error().message;
    for (const auto& item : result->items)
      out << item_to_json(item) << '\n';
    GTEST_SKIP() << "regenerated " << expected_jsonl;
  }

  if (fs::exists(expected_error)) {
    ASSERT_FALSE(result.ok()) << "expected an error for " << fixture;
    std::string want = slurp(expected_error);
    while (!want.empty() && (want.back() == '\n' || want.back() == '\r'))
      want.pop_back();
    EXPECT_NE(result.error().message.find(want), std::string::npos) << result.error().message;
    EXPECT_EQ(result.error().message.find('\n'), std::string::npos) << "error must be one line";
    return;
  }
  ASSERT_TRUE(result.ok()) << result.error().message;
  ASSERT_TRUE(fs::exists(expected_jsonl)) << "missing " << expected_jsonl;
  std::istringstream lines(slurp(expected_jsonl));
  std::vector<nlohmann::json> want;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) want.push_back(nlohmann::json::parse(line));
  }
  ASSERT_EQ(result->items.size(), want.size()) << fixture;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto got = nlohmann::json::parse(item_to_json(result->items[i]));
    for (const auto& key :
         {"id", "title", "link", "published", "updated", "author", "summary", "content", "categories"}) {
      EXPECT_EQ(got.at(key), want[i].at(key)) << fixture.filename() << " item " << i << " field " << key;
    }
    // The declared language: checked where the expected file names it (older files predate it).
    if (want[i].contains("language")) {
      EXPECT_EQ(got.at("language"), want[i].at("language")) << fixture.filename() << " item " << i;
    }
  }
}

std::string test_name(const ::testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.stem().string();
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Feeds, FixtureTest, ::testing::ValuesIn(fixtures()), test_name);

TEST(Fixtures, AtLeastEighty) { EXPECT_GE(fixtures().size(), 80u); }

}  // namespace
