// What `--check` says beyond "valid" (issue 19 items 6, 10, 11): a directory or an empty file
// as the config, every error at once in line order, warnings for topics default subscribers
// miss and lower-case operators, "did you mean" for a mistyped entity; and `newswatch config`'s
// TOML, which reads back as the same config.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "daemon/compiled_config.hpp"
#include "daemon/config.hpp"
#include "daemon/config_toml.hpp"
#include "daemon/preflight.hpp"

namespace newswatch::daemon {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "newswatch-config-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
};

std::vector<std::string> warnings_of(const std::string& text) {
  const auto read = read_config_texts({{"w.toml", text}});
  std::vector<std::string> out;
  for (const auto& w : read.config.warnings)
    out.push_back(format_warning(w));
  return out;
}

TEST(ConfigChecks, ADirectoryIsNotAConfig) {
  TempDir dir;
  const auto r = load_compiled_config(dir.path.string());
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 1u);
  EXPECT_NE(r.error()[0].find("is a directory"), std::string::npos) << r.error()[0];
  EXPECT_NE(r.error()[0].find("newswatch.toml"), std::string::npos) << r.error()[0];
}

TEST(ConfigChecks, AnEmptyFileIsValidButWarned) {
  TempDir dir;
  const auto path = dir.write("newswatch.toml", "# only a comment\n\n");
  const auto r = load_compiled_config(path);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->config.warnings.size(), 1u);
  EXPECT_NE(format_warning(r->config.warnings[0]).find(path + ":1:1: warning: nothing is configured"),
            std::string::npos);
  EXPECT_TRUE(warnings_of("[daemon]\nlog_level = \"info\"\n").empty());
}

TEST(ConfigChecks, ErrorsComeAllAtOnceInLineOrder) {
  TempDir dir;
  // A bad interval (line 6) used to hide the query error (line 9); errors came in the
  // reader's order (sections first), not the file's.
  const auto path = dir.write("newswatch.toml",
                              "[[filter]]\n"
                              "id = \"first\"\n"
                              "query = \"Mali AND\"\n"
                              "[[feed]]\n"
                              "id = \"a\"\n"
                              "interval = \"soon\"\n"
                              "url = \"http://example.org/a.xml\"\n"
                              "[scheduler]\n"
                              "default_interval = \"never\"\n");
  const auto r = load_compiled_config(path);
  ASSERT_FALSE(r);
  const auto& lines = r.error();
  ASSERT_EQ(lines.size(), 3u) << ::testing::PrintToString(lines);
  EXPECT_EQ(lines[0].rfind(path + ":3:", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("expected a term after AND"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].rfind(path + ":6:", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind(path + ":9:", 0), 0u) << lines[2];
}

TEST(ConfigChecks, DropInErrorsFollowTheMainFiles) {
  TempDir dir;
  const auto main = dir.write("newswatch.toml", "[scheduler]\n\n\n\ndefault_interval = \"x\"\n");
  const auto drop = dir.write("conf.d/a.toml", "[fetch]\ntimeout = \"y\"\n");
  const auto r = load_compiled_config(main);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 2u);
  EXPECT_EQ(r.error()[0].rfind(main + ":5:", 0), 0u);
  EXPECT_EQ(r.error()[1].rfind(drop + ":2:", 0), 0u);
}

TEST(ConfigChecks, SysTopicsAreRefusedOthersOutsideAlertWarned) {
  auto r = load_config_texts({{"t.toml", "[[filter]]\nid = \"f\"\nquery = \"Mali\"\ntopic = \"sys.evil\"\n"}});
  ASSERT_FALSE(r);
  EXPECT_NE(format_error(r.error()[0]).find("reserved"), std::string::npos);
  const auto w = warnings_of("[[filter]]\nid = \"f\"\nquery = \"Mali\"\ntopic = \"news.sahel\"\n");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("w.toml:4:9: warning: filter 'f': topic 'news.sahel'"), std::string::npos) << w[0];
  EXPECT_TRUE(warnings_of("[[filter]]\nid = \"f\"\nquery = \"Mali\"\ntopic = \"alert.desk.sahel\"\n").empty());
  EXPECT_TRUE(warnings_of("[[filter]]\nid = \"f\"\nquery = \"Mali\"\n").empty());
}

TEST(ConfigChecks, LowerCaseOperatorsAreWarnedWithTheirColumn) {
  const auto w = warnings_of("[[filter]]\nid = \"f\"\nquery = 'Mali and Niger or (Chad not Sudan)'\n");
  ASSERT_EQ(w.size(), 3u) << ::testing::PrintToString(w);
  EXPECT_NE(w[0].find("w.toml:3:15: warning: filter 'f': 'and' is searched as a word; write 'AND'"), std::string::npos)
      << w[0];
  EXPECT_NE(w[1].find("'or'"), std::string::npos);
  EXPECT_NE(w[2].find("'not'"), std::string::npos);
  // Operators, quoted words, field scopes, prefixes and longer words are fine.
  for (const char* q :
       {"Mali AND Niger", "\\\"and\\\" OR x", "title:and", "and* OR x", "android OR band", "=and OR x", "@and OR x"}) {
    EXPECT_TRUE(warnings_of(std::string("[[filter]]\nid = \"f\"\nquery = \"") + q + "\"\n").empty()) << q;
  }
  EXPECT_EQ(warnings_of("[[filter]]\nid = \"f\"\nquery = 'Mali And Niger'\n").size(), 1u);
}

TEST(ConfigChecks, AMistypedEntitySuggestsTheNearestId) {
  TempDir dir;
  const auto path = dir.write("newswatch.toml",
                              "[[entity]]\nid = \"Mali\"\n[[entity]]\nid = \"ECOWAS\"\n"
                              "[[filter]]\nid = \"f\"\nquery = \"@Malii OR @ecowas OR @Zzzzzz\"\n");
  const auto r = load_compiled_config(path);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 3u) << ::testing::PrintToString(r.error());
  EXPECT_NE(r.error()[0].find("unknown entity '@Malii'; did you mean '@Mali'?"), std::string::npos) << r.error()[0];
  EXPECT_NE(r.error()[1].find("did you mean '@ECOWAS'?"), std::string::npos) << r.error()[1];
  EXPECT_EQ(r.error()[2].find("did you mean"), std::string::npos) << r.error()[2];
}

TEST(ConfigChecks, EffectiveTomlReadsBackAsTheSameConfig) {
  TempDir dir;
  const auto main =
      dir.write("newswatch.toml",
                "[daemon]\nstate_dir = \"/tmp/x\"\n[fetch]\nmax_body_size = \"3MiB\"\n"
                "[[feed]]\nid = \"a\"\nurl = \"http://example.org/a.xml\"\ntitle = \"A \\\"quoted\\\" feed\"\n"
                "[[entity]]\nid = \"ECOWAS\"\ntype = \"organization\"\naliases = [\"ECOWAS\", \"CEDEAO\"]\n"
                "exact_case_aliases = [\"AU\"]\n");
  dir.write("conf.d/filters.toml",
            "[[filter]]\nid = \"sahel\"\nquery = '@ECOWAS OR \"Security Council\"'\nfeeds = [\"a\"]\nmin_hits = 2\n"
            "[[filter]]\nid = \"coups\"\nrank = 'coup^4 junta^3'\nthreshold = 6\ncollapse = \"none\"\n"
            "expected_per_day = 2.5\n");
  const auto first = load_compiled_config(main);
  ASSERT_TRUE(first) << ::testing::PrintToString(first.error());
  const std::string text = config_to_toml(first->config);
  EXPECT_NE(text.find("3MiB"), std::string::npos) << text;
  EXPECT_NE(text.find("default_interval"), std::string::npos) << "defaults are filled in";
  EXPECT_NE(text.find(main), std::string::npos) << "the files read are named";
  TempDir again;
  const auto path = again.write("newswatch.toml", text);
  const auto second = load_compiled_config(path);
  ASSERT_TRUE(second) << ::testing::PrintToString(second.error()) << "\n" << text;
  const Config& a = first->config;
  const Config& b = second->config;
  EXPECT_EQ(b.daemon.state_dir, "/tmp/x");
  EXPECT_EQ(b.fetch.max_body_size, 3u << 20);
  ASSERT_EQ(b.feeds.size(), 1u);
  EXPECT_EQ(b.feeds[0].title, "A \"quoted\" feed");
  ASSERT_EQ(b.entities.size(), 1u);
  EXPECT_EQ(b.entities[0].aliases.size(), 3u);
  ASSERT_EQ(b.filters.size(), 2u);
  EXPECT_EQ(b.filters[0].query, a.filters[0].query);
  EXPECT_EQ(b.filters[0].min_hits, 2);
  EXPECT_EQ(b.filters[1].rank, a.filters[1].rank);
  EXPECT_EQ(b.filters[1].threshold, 6);
  EXPECT_EQ(b.filters[1].collapse, filters::Collapse::none);
  EXPECT_EQ(b.filters[1].expected_per_day, 2.5);
  EXPECT_EQ(b.bursts.windows, a.bursts.windows);
  // Idempotent but for the header naming the files read.
  const std::string again_text = config_to_toml(b);
  EXPECT_EQ(again_text.substr(again_text.find("\n\n")), text.substr(text.find("\n\n")));
}

TEST(ConfigChecks, StateDatabaseIsCreatedPrivate) {
  TempDir dir;
  const auto state = (dir.path / "state" / "deeper").string();
  const mode_t old = ::umask(022);
  const auto path = prepare_state_database(state);
  ::umask(old);
  ASSERT_TRUE(path) << path.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
  // An existing database keeps the mode its operator chose.
  ::chmod(path->c_str(), 0600);
  ASSERT_TRUE(prepare_state_database(state));
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace newswatch::daemon
