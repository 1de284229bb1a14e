#include "daemon/config.hpp"
#include "config_errors.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace newswatch::daemon {
namespace {

TEST(Config, DefaultsMatchTheDesignSketch) {
  auto r = load_config_texts({{"a.toml", ""}});
  ASSERT_TRUE(r);
  const Config& c = *r;
  EXPECT_EQ(c.daemon.state_dir, "/var/lib/newswatch");
  EXPECT_EQ(c.publish.endpoint, "tcp://127.0.0.1:7600");
  EXPECT_EQ(c.publish.replay_endpoint, "tcp://127.0.0.1:7601");
  EXPECT_EQ(c.publish.send_hwm, 100000);
  EXPECT_EQ(c.scheduler.default_interval, std::chrono::minutes(5));
  EXPECT_EQ(c.scheduler.min_interval, std::chrono::seconds(30));
  EXPECT_EQ(c.scheduler.max_interval, std::chrono::hours(6));
  EXPECT_EQ(c.fetch.max_body_size, 16u << 20);
  EXPECT_EQ(c.fetch.max_redirects, 5);
  EXPECT_EQ(c.fetch.per_host_connections, 2);
  EXPECT_EQ(c.fetch.max_in_flight, 256);
  EXPECT_FALSE(c.fetch.allow_file_urls);
  EXPECT_FALSE(c.fetch.block_private_addresses);
  EXPECT_EQ(c.metrics.listen, "127.0.0.1:9464");
}

TEST(Config, ReadsEveryDesignKey) {
  const char* text = R"(
[daemon]
state_dir = "/srv/nw"
log_level = "debug"
[publish]
endpoint = "tcp://127.0.0.1:9000"
replay_endpoint = "ipc:///run/newswatch/replay"
send_hwm = 50
curve_secret_key_file = "/etc/newswatch/keys/server.key"
curve_allowed_keys_dir = "/etc/newswatch/keys/clients"
[scheduler]
default_interval = "90s"
min_interval = "10s"
max_interval = "2h"
max_backoff = "1d"
[fetch]
user_agent = "ua"
connect_timeout = "3s"
timeout = "20s"
max_body_size = "1MiB"
max_redirects = 2
per_host_connections = 4
max_in_flight = 64
allow_file_urls = true
block_private_addresses = true
[metrics]
listen = ""
[[feed]]
id = "un-news-africa"
url = "https://news.example.org/rss.xml"
interval = "5m"
[[entity]]
id = "ECOWAS"
type = "organization"
aliases = ["ECOWAS", "CEDEAO"]
[[filter]]
id = "sahel"
query = '@ECOWAS OR Sahel'
topic = "alert.custom"
min_hits = 2
feeds = ["un-news-africa"]
)";
  auto r = load_config_texts({{"main.toml", text}});
  ASSERT_TRUE(r) << format_error(r.error().front());
  const Config& c = *r;
  EXPECT_EQ(c.daemon.state_dir, "/srv/nw");
  EXPECT_EQ(c.publish.send_hwm, 50);
  EXPECT_EQ(c.scheduler.default_interval, std::chrono::seconds(90));
  EXPECT_EQ(c.scheduler.max_backoff, std::chrono::hours(24));
  EXPECT_EQ(c.fetch.max_body_size, 1u << 20);
  EXPECT_TRUE(c.fetch.block_private_addresses);
  ASSERT_EQ(c.feeds.size(), 1u);
  EXPECT_EQ(c.feeds[0].interval, std::chrono::minutes(5));
  ASSERT_EQ(c.filters.size(), 1u);
  EXPECT_EQ(c.filters[0].topic, "alert.custom");
  EXPECT_EQ(c.filters[0].min_hits, 2);
  EXPECT_EQ(c.filters[0].query_pos.line, 38);
  EXPECT_EQ(c.filters[0].query_pos.column, 9);
  ASSERT_EQ(c.entities.size(), 1u);
  EXPECT_EQ(c.entities[0].aliases.size(), 2u);
}

TEST(Config, FilterTopicDefaultsToAlertDotId) {
  auto r = load_config_texts({{"a.toml", "[[filter]]\nid = \"mali\"\nquery = 'Mali'\n"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->filters[0].topic, "alert.mali");
}

struct BadCase {
  const char* text;
  const char* expected;
};

// Test names show the expected message, not the struct's bytes.
void PrintTo(const BadCase& c, std::ostream* os) { *os << std::string_view(c.expected).substr(0, 60); }

class ConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrors, NameFileLineColumnAndWhat) {
  const auto errors = errors_of({{"bad.toml", GetParam().text}});
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Golden, ConfigErrors,
    ::testing::Values(
        BadCase{"[daemon]\nstate_dri = \"/x\"\n",
                "bad.toml:2:1: unknown key 'state_dri' in [daemon]; did you mean 'state_dir'?"},
        BadCase{"[scheduler]\ndefault_interval = \"5 minutes\"\n",
                "bad.toml:2:20: 'default_interval' must be a duration such as \"90s\", \"5m\" or \"1h\""},
        BadCase{"[fetch]\nmax_redirects = \"five\"\n", "bad.toml:2:17: 'max_redirects' must be an integer"},
        BadCase{"[fetch]\nmax_redirects = 500\n", "bad.toml:2:17: 'max_redirects' must be between 0 and 50"},
        BadCase{"[fetch]\nmax_body_size = \"lots\"\n",
                "bad.toml:2:17: 'max_body_size' must be a size such as \"16MiB\""},
        BadCase{"[fetch]\nallow_file_urls = 1\n", "bad.toml:2:19: 'allow_file_urls' must be true or false"},
        BadCase{"[[feed]]\nurl = \"http://a/b\"\n", "bad.toml:1:1: feed without an 'id'"},
        BadCase{"[[feed]]\nid = \"a\"\n", "bad.toml:1:1: feed 'a' has no 'url'"},
        BadCase{"[[feed]]\nid = \"a\"\nurl = \"ftp://a/b\"\n",
                "bad.toml:3:7: feed url must start with http://, https:// or file://: 'ftp://a/b'"},
        BadCase{"[[feed]]\nid = \"a b\"\nurl = \"http://a/b\"\n",
                "bad.toml:2:6: feed id 'a b' may use only letters, digits, '-', '_' and '.'"},
        BadCase{"[[filter]]\nid = \"f\"\n", "bad.toml:1:1: filter 'f' has no 'query' (or 'rank')"},
        BadCase{"[publish]\nendpoint = \"127.0.0.1:7600\"\n",
                "bad.toml:2:12: 'endpoint' must be a ZeroMQ endpoint (tcp://HOST:PORT or ipc://PATH), not "
                "'127.0.0.1:7600'"},
        // What bind() would refuse at startup is refused by --check already.
        BadCase{"[publish]\nendpoint = \"tcp://127.0.0.1:notaport\"\n",
                "bad.toml:2:12: 'endpoint' must be a ZeroMQ endpoint (tcp://HOST:PORT or ipc://PATH), not "
                "'tcp://127.0.0.1:notaport'"},
        BadCase{"[publish]\nreplay_endpoint = \"tcp://127.0.0.1:65536\"\n",
                "bad.toml:2:19: 'replay_endpoint' must be a ZeroMQ endpoint (tcp://HOST:PORT or ipc://PATH), not "
                "'tcp://127.0.0.1:65536'"},
        BadCase{"[publish]\nendpoint = \"tcp://127.0.0.1\"\n",
                "bad.toml:2:12: 'endpoint' must be a ZeroMQ endpoint (tcp://HOST:PORT or ipc://PATH), not "
                "'tcp://127.0.0.1'"},
        // sys.* is the daemon's own: a filter publishing there could spoof a reload or a heartbeat.
        BadCase{"[[filter]]\nid = \"f\"\nquery = \"Mali\"\ntopic = \"sys.evil\"\n",
                "bad.toml:4:9: filter topic 'sys.evil' is reserved: topics starting with 'sys.' are the daemon's own"},
        // story.* and burst.* payloads are not alerts: a filter there would confuse their readers.
        BadCase{"[[filter]]\nid = \"f\"\nquery = \"Mali\"\ntopic = \"story.f\"\n",
                "bad.toml:4:9: filter topic 'story.f' is reserved: topics starting with 'story.' carry story updates "
                "(docs/stories.md)"},
        BadCase{"[[filter]]\nid = \"f\"\nquery = \"Mali\"\ntopic = \"burst.f\"\n",
                "bad.toml:4:9: filter topic 'burst.f' is reserved: topics starting with 'burst.' carry burst "
                "announcements (docs/bursts.md)"},
        BadCase{"[daemon]\nlog_level = \"loud\"\n",
                "bad.toml:2:13: log_level must be one of trace, debug, info, warn, error, critical, off"},
        BadCase{"feed = 3\n", "bad.toml:1:8: 'feed' must be an array of tables ([[feed]])"},
        // Past the occurrences a term counts (filters::kMaxOccurrencesPerTerm): never met.
        BadCase{"[[filter]]\nid = \"a\"\nquery = \"Mali\"\nmin_hits = 1025\n",
                "bad.toml:4:12: 'min_hits' must be between 1 and 1024"},
        BadCase{"[[feed]]\nid = \"a\"\nurl = \"file:///tmp/a.xml\"\n",
                "bad.toml:1:1: feed 'a' uses a file:// url but [fetch] allow_file_urls is false"},
        // Durations out of range: 0 (or what truncates to 0 s) is no timeout to curl or a
        // hot loop to the scheduler; huge ones overflow the timers' nanoseconds.
        BadCase{"[fetch]\ntimeout = \"0s\"\n", "bad.toml:2:11: 'timeout' must be between 1s and 365d"},
        BadCase{"[fetch]\ntimeout = \"900ms\"\n", "bad.toml:2:11: 'timeout' must be between 1s and 365d"},
        BadCase{"[fetch]\nconnect_timeout = \"0s\"\n", "bad.toml:2:19: 'connect_timeout' must be between 1s and 365d"},
        BadCase{"[scheduler]\nmax_backoff = \"0s\"\n", "bad.toml:2:15: 'max_backoff' must be between 1s and 365d"},
        BadCase{"[scheduler]\nmin_interval = \"0s\"\n", "bad.toml:2:16: 'min_interval' must be between 1s and 365d"},
        BadCase{"[scheduler]\nmax_interval = \"500ms\"\n", "bad.toml:2:16: 'max_interval' must be between 1s and 365d"},
        BadCase{"[scheduler]\ndefault_interval = \"366d\"\n",
                "bad.toml:2:20: 'default_interval' must be between 1s and 365d"},
        BadCase{"[scheduler]\nstartup_delay = \"200000d\"\n",
                "bad.toml:2:17: 'startup_delay' must be between 0s and 365d"},
        BadCase{"[scheduler]\nstartup_delay = \"1099511627776d\"\n",
                "bad.toml:2:17: 'startup_delay' must be a duration such as \"90s\", \"5m\" or \"1h\""},
        BadCase{"[daemon]\nshutdown_grace = \"8761h\"\n",
                "bad.toml:2:18: 'shutdown_grace' must be between 0s and 365d"},
        BadCase{"[journal]\nprune_interval = \"10ms\"\n",
                "bad.toml:2:18: 'prune_interval' must be between 100ms and 365d"},
        BadCase{"[journal]\nmax_age = \"0s\"\n", "bad.toml:2:11: 'max_age' must be between 1s and 3650d"},
        BadCase{"[journal]\nmax_age = \"3651d\"\n", "bad.toml:2:11: 'max_age' must be between 1s and 3650d"},
        BadCase{"[dedup]\nseen_max_age = \"0s\"\n", "bad.toml:2:16: 'seen_max_age' must be between 1s and 3650d"},
        BadCase{"[[feed]]\nid = \"a\"\nurl = \"http://a/b\"\ninterval = \"0s\"\n",
                "bad.toml:4:12: 'interval' must be between 1s and 365d"},
        BadCase{"[stories]\nwindow = \"3 days\"\n",
                "bad.toml:2:10: 'window' must be a duration such as \"90s\", \"5m\" or \"1h\""},
        BadCase{"[stories]\nwindow = \"30s\"\n", "bad.toml:2:10: 'window' must be between 1m and 30d"},
        BadCase{"[stories]\nwindow = \"31d\"\n", "bad.toml:2:10: 'window' must be between 1m and 30d"},
        BadCase{"[stories]\nenabled = \"yes\"\n", "bad.toml:2:11: 'enabled' must be true or false"},
        BadCase{"[stories]\nwindw = \"1h\"\n",
                "bad.toml:2:1: unknown key 'windw' in [stories]; did you mean 'window'?"},
        BadCase{"[[filter]]\nid = \"a\"\nquery = \"Mali\"\ncollapse = \"story\"\n",
                "bad.toml:4:12: 'collapse' must be \"copies\", \"stories\" or \"none\""},
        BadCase{"[[filter]]\nid = \"a\"\nquery = \"Mali\"\ncollapse = true\n",
                "bad.toml:4:12: 'collapse' must be \"copies\", \"stories\" or \"none\""},
        BadCase{"[daemon\n",
                "bad.toml:1:8: TOML syntax error: Error while parsing table header: expected ']', saw '\\n'"}));

TEST(Config, StoriesAndCollapse) {
  auto defaults = load_config_texts({{"a.toml", "[[filter]]\nid = \"mali\"\nquery = 'Mali'\n"}});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->stories.enabled);
  EXPECT_EQ(defaults->stories.window, std::chrono::hours(72));
  EXPECT_EQ(defaults->filters[0].collapse, filters::Collapse::copies);
  auto r = load_config_texts({{"a.toml",
                               "[stories]\nenabled = false\nwindow = \"24h\"\n"
                               "[[filter]]\nid = \"a\"\nquery = 'Mali'\ncollapse = \"stories\"\n"
                               "[[filter]]\nid = \"b\"\nquery = 'Mali'\ncollapse = \"none\"\n"
                               "[[filter]]\nid = \"c\"\nquery = 'Mali'\ncollapse = \"copies\"\n"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->stories.enabled);
  EXPECT_EQ(r->stories.window, std::chrono::hours(24));
  EXPECT_EQ(r->filters[0].collapse, filters::Collapse::stories);
  EXPECT_EQ(r->filters[1].collapse, filters::Collapse::none);
  EXPECT_EQ(r->filters[2].collapse, filters::Collapse::copies);
}

TEST(Config, BurstsDefaultsAndKeys) {
  auto d = load_config_texts({{"a.toml", "[[filter]]\nid = \"sahel\"\nquery = 'Sahel'\n"}});
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->bursts.enabled);
  EXPECT_EQ(d->bursts.windows, (std::vector<Seconds>{std::chrono::hours(3), std::chrono::hours(24)}));
  EXPECT_DOUBLE_EQ(d->bursts.watch_p, 1e-2);
  EXPECT_DOUBLE_EQ(d->bursts.alert_p, 1e-4);
  EXPECT_EQ(d->bursts.min_stories, 3);
  EXPECT_EQ(d->bursts.min_sources, 2);
  EXPECT_EQ(d->bursts.renotify, std::chrono::hours(6));
  EXPECT_FALSE(d->filters[0].expected_per_day.has_value());

  auto r = load_config_texts({{"a.toml",
                               "[bursts]\nenabled = false\nwindows = [\"1h\", \"2d\"]\nwatch_p = 0.05\n"
                               "alert_p = 1e-3\nmin_stories = 5\nmin_sources = 3\nrenotify = \"12h\"\n"
                               "[[filter]]\nid = \"sahel\"\nquery = 'Sahel'\nexpected_per_day = 4\n"
                               "[[filter]]\nid = \"mali\"\nquery = 'Mali'\nexpected_per_day = 0.5\n"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->bursts.enabled);
  EXPECT_EQ(r->bursts.windows, (std::vector<Seconds>{std::chrono::hours(1), std::chrono::hours(48)}));
  EXPECT_DOUBLE_EQ(r->bursts.watch_p, 0.05);
  EXPECT_DOUBLE_EQ(r->bursts.alert_p, 1e-3);
  EXPECT_EQ(r->bursts.min_stories, 5);
  EXPECT_EQ(r->bursts.min_sources, 3);
  EXPECT_EQ(r->bursts.renotify, std::chrono::hours(12));
  EXPECT_EQ(r->filters[0].expected_per_day, 4.0);
  EXPECT_EQ(r->filters[1].expected_per_day, 0.5);
}

TEST(Config, BurstsErrorsNameTheirPlace) {
  EXPECT_EQ(errors_of({{"b.toml", "[bursts]\nwindows = [\"90m\", \"3h\", \"3h\", 5]\n"}}),
            (std::vector<std::string>{
                "b.toml:2:12: each of 'windows' must be whole hours from \"1h\" to \"168h\" (\"7d\")",
                "b.toml:2:25: window '3h' is listed twice",
                "b.toml:2:31: each of 'windows' must be whole hours from \"1h\" to \"168h\" (\"7d\")"}));
  EXPECT_EQ(errors_of({{"b.toml", "[bursts]\nwindows = []\n"}}),
            (std::vector<std::string>{
                "b.toml:2:11: 'windows' must be a non-empty array of durations such as [\"3h\", \"24h\"]"}));
  EXPECT_EQ(errors_of({{"b.toml", "[bursts]\nwatch_p = 0\nalert_p = \"x\"\n"}}),
            (std::vector<std::string>{"b.toml:2:11: 'watch_p' must be greater than 0 and at most 1",
                                      "b.toml:3:11: 'alert_p' must be a number"}));
  EXPECT_EQ(errors_of({{"b.toml", "[bursts]\nwatch_p = 1e-4\nalert_p = 1e-2\n"}}),
            (std::vector<std::string>{
                "b.toml:3:11: alert_p must not exceed watch_p (an alert is the rarer, stronger level)"}));
  EXPECT_EQ(errors_of({{"b.toml", "[bursts]\nmin_sources = 0\nrenotify = \"10s\"\nwindow = \"3h\"\n"}}),
            (std::vector<std::string>{"b.toml:2:15: 'min_sources' must be between 1 and 10000",
                                      "b.toml:3:12: 'renotify' must be between 1m and 30d",
                                      "b.toml:4:1: unknown key 'window' in [bursts]; did you mean 'windows'?"}));
  EXPECT_EQ(errors_of({{"f.toml", "[[filter]]\nid = \"a\"\nquery = 'A'\nexpected_per_day = -1\n"}}),
            (std::vector<std::string>{"f.toml:4:20: 'expected_per_day' must be at least 0 and at most 1e+06"}));
}

TEST(Config, DurationsAtTheEdgesOfTheirRanges) {
  EXPECT_EQ(errors_of({{"a.toml",
                        "[journal]\nmax_age = \"3650d\"\n[dedup]\nseen_max_age = \"3650d\"\n"
                        "[fetch]\ntimeout = \"365d\"\nconnect_timeout = \"1s\"\n"
                        "[daemon]\nshutdown_grace = \"0s\"\n"}}),
            std::vector<std::string>{});
  auto r = load_config_texts({{"a.toml", "[journal]\nmax_age = \"3650d\"\n[scheduler]\nstartup_delay = \"0s\"\n"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->journal.max_age, std::chrono::hours(3650 * 24));
}

TEST(Config, DuplicateIdsAcrossFilesNameBothPlaces) {
  const auto errors = errors_of({{"main.toml", "[[feed]]\nid = \"a\"\nurl = \"http://x/1\"\n"},
                                 {"conf.d/10-more.toml", "\n[[feed]]\nid = \"a\"\nurl = \"http://x/2\"\n"}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "conf.d/10-more.toml:2:1: duplicate feed id 'a' (first defined at main.toml:1:1)");
}

TEST(Config, FilterNamingUnknownFeed) {
  const auto errors = errors_of({{"a.toml", "[[filter]]\nid = \"f\"\nquery = 'x'\nfeeds = [\"nope\"]\n"}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "a.toml:1:1: filter 'f' lists unknown feed 'nope'");
}

// The check reads the address as the metrics server will bind it: what passes, binds.
TEST(Config, MetricsListenIsCheckedAsTheServerReadsIt) {
  const auto errors_for = [](const std::string& listen) {
    return errors_of({{"a.toml", "[metrics]\nlisten = \"" + listen + "\"\n"}});
  };
  EXPECT_TRUE(errors_for("127.0.0.1:9464").empty());
  EXPECT_TRUE(errors_for("[::1]:0").empty());
  EXPECT_EQ(errors_for("localhost:9464"),
            (std::vector<std::string>{"a.toml:2:10: 'listen': the host must be a numeric IP address, e.g. "
                                      "\"127.0.0.1:9464\" (empty disables)"}));
  EXPECT_EQ(errors_for("127.0.0.1:99999"),
            (std::vector<std::string>{"a.toml:2:10: 'listen': the port must be a number from 0 to 65535 (empty "
                                      "disables)"}));
  EXPECT_EQ(errors_for(":9464").size(), 1U);
}

TEST(Config, ReportsEveryErrorNotJustTheFirst) {
  const auto errors = errors_of({{"a.toml", "[daemon]\nfoo = 1\nbar = 2\n"}});
  EXPECT_EQ(errors.size(), 2u);
}

TEST(Config, ReadsDropInsInLexicalOrder) {
  const std::string dir = ::testing::TempDir() + "/nw-config-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/conf.d");
  std::ofstream(dir + "/newswatch.toml") << "[[feed]]\nid = \"main\"\nurl = \"http://x/m\"\n";
  std::ofstream(dir + "/conf.d/20-b.toml") << "[[feed]]\nid = \"b\"\nurl = \"http://x/b\"\n";
  std::ofstream(dir + "/conf.d/10-a.toml") << "[[feed]]\nid = \"a\"\nurl = \"http://x/a\"\n";
  std::ofstream(dir + "/conf.d/ignored.txt") << "not toml";
  auto r = load_config(dir + "/newswatch.toml");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->feeds.size(), 3u);
  EXPECT_EQ(r->feeds[0].id, "main");
  EXPECT_EQ(r->feeds[1].id, "a");
  EXPECT_EQ(r->feeds[2].id, "b");
  std::filesystem::remove_all(dir);
}

TEST(Durations, GoldenTable) {
  using std::chrono::milliseconds;
  EXPECT_EQ(parse_duration("90s"), milliseconds(90'000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(parse_duration("2d"), milliseconds(172'800'000));
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("m"));
  EXPECT_FALSE(parse_duration("5"));
  EXPECT_FALSE(parse_duration("5 m"));
  EXPECT_FALSE(parse_duration("-5m"));
  EXPECT_FALSE(parse_duration("99999999999999999999s"));
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
  EXPECT_EQ(parse_duration("106751991167d"), milliseconds(9'223'372'036'828'800'000)) << "the largest whole day";
  EXPECT_FALSE(parse_duration("106751991168d")) << "past INT64_MAX ms";
  EXPECT_FALSE(parse_duration("1099511627776d")) << "2^40 days: the product wrapped";
  EXPECT_EQ(parse_size("16MiB"), 16u << 20);
  EXPECT_EQ(parse_size("512KiB"), 512u << 10);
  EXPECT_EQ(parse_size("1GB"), 1'000'000'000u);
  EXPECT_EQ(parse_size("100"), 100u);
  EXPECT_FALSE(parse_size("16 MiB"));
  EXPECT_FALSE(parse_size("MiB"));
  EXPECT_FALSE(parse_size("1099511627776GiB")) << "2^70 bytes wrapped to 0";
}

// Which edits a reload cannot apply (the daemon warns about them): a golden table of one
// edit each, against the same base config.
TEST(Config, SettingsNeedingRestartAreNamedByKey) {
  const std::string base = "[[feed]]\nid = \"a\"\nurl = \"http://x/a\"\n";
  auto running = load_config_texts({{"main.toml", base}});
  ASSERT_TRUE(running);
  const std::pair<std::string, std::vector<std::string>> rows[] = {
      {"", {}},
      {"[daemon]\nstate_dir = \"/srv/nw\"\n", {"daemon.state_dir"}},
      {"[daemon]\nwatch_config = false\n", {"daemon.watch_config"}},
      {"[daemon]\nlog_level = \"debug\"\n", {}},  // applied at the reload
      {"[publish]\nendpoint = \"tcp://127.0.0.1:9600\"\nsend_hwm = 10\n", {"publish.endpoint", "publish.send_hwm"}},
      {"[publish]\nreplay_endpoint = \"tcp://127.0.0.1:9601\"\n", {"publish.replay_endpoint"}},
      {"[metrics]\nlisten = \"127.0.0.1:9999\"\n", {"metrics.listen"}},
      {"[fetch]\ntimeout = \"5s\"\nper_host_connections = 4\n", {}},  // applied at the reload
      {"[scheduler]\nmin_interval = \"2m\"\n", {}},                   // applied at the reload
      {"[journal]\nmax_count = 10\n", {}},                            // read at each prune
  };
  for (const auto& [edit, expected] : rows) {
    auto loaded = load_config_texts({{"main.toml", edit + base}});
    ASSERT_TRUE(loaded) << edit;
    EXPECT_EQ(settings_needing_restart(*running, *loaded), expected) << edit;
  }
}

}  // namespace
}  // namespace newswatch::daemon
