// The [cluster] section: absent means single node; present, every key checked with its place.
#include <gtest/gtest.h>

#include "config_errors.hpp"
#include "daemon/config.hpp"

namespace newswatch::daemon {
namespace {

TEST(ClusterConfig, AbsentMeansSingleNode) {
  auto r = load_config_texts({{"a.toml", "[stories]\nenabled = true\n"}});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->cluster.has_value());
}

TEST(ClusterConfig, EmptySectionTakesTheDefaults) {
  auto r = load_config_texts({{"a.toml", "[cluster]\n"}});
  ASSERT_TRUE(r);
  ASSERT_TRUE(r->cluster.has_value());
  const auto& c = *r->cluster;
  EXPECT_EQ(c.nats, std::vector<std::string>{"nats://127.0.0.1:4222"});
  EXPECT_EQ(c.node, cluster::default_node_name());
  EXPECT_FALSE(c.node.empty());
  EXPECT_EQ(c.stream, "NEWSWATCH");
  EXPECT_EQ(c.member_ttl, std::chrono::seconds(10));
  EXPECT_EQ(c.duplicate_window, std::chrono::hours(2));
  EXPECT_EQ(c.max_age, std::chrono::hours(7 * 24));
}

TEST(ClusterConfig, EveryKey) {
  auto r =
      load_config_texts({{"a.toml",
                          "[cluster]\nnats = [\"nats://10.0.0.1:4222\", \"tls://10.0.0.2:4222\"]\n"
                          "node = \"west-1\"\nstream = \"DESK\"\nmember_ttl = \"6s\"\nduplicate_window = \"1d\"\n"
                          "max_age = \"30d\"\ncreds_file = \"/etc/newswatch/nats.creds\"\n"
                          "tls_ca_file = \"/etc/ssl/ca.pem\"\ntls_cert_file = \"c.pem\"\ntls_key_file = \"k.pem\"\n"}});
  ASSERT_TRUE(r) << format_error(r.error().front());
  const auto& c = *r->cluster;
  EXPECT_EQ(c.nats, (std::vector<std::string>{"nats://10.0.0.1:4222", "tls://10.0.0.2:4222"}));
  EXPECT_EQ(c.node, "west-1");
  EXPECT_EQ(c.stream, "DESK");
  EXPECT_EQ(c.member_ttl, std::chrono::seconds(6));
  EXPECT_EQ(c.duplicate_window, std::chrono::hours(24));
  EXPECT_EQ(c.max_age, std::chrono::hours(30 * 24));
  EXPECT_EQ(c.creds_file, "/etc/newswatch/nats.creds");
  EXPECT_EQ(c.tls_key_file, "k.pem");
  auto single =
      load_config_texts({{"a.toml", "[cluster]\nnats = \"nats://n:4222\"\nuser = \"u\"\npassword = \"p\"\n"}});
  ASSERT_TRUE(single);
  EXPECT_EQ(single->cluster->nats, std::vector<std::string>{"nats://n:4222"});
  EXPECT_EQ(single->cluster->user, "u");
}

TEST(ClusterConfig, ErrorsNameFileLineAndColumn) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"[cluster]\nnats = \"http://x:4222\"\n", "a.toml:2:8: 'nats' URL 'http://x:4222' must start with nats://"},
      {"[cluster]\nnats = 4222\n", "a.toml:2:8: 'nats' must be a server URL or an array of them"},
      {"[cluster]\nnats = []\n", "a.toml:2:8: 'nats' must list at least one server"},
      {"[cluster]\nnode = \"a b\"\n", "a.toml:2:8: 'node' may use only letters"},
      {"[cluster]\nstream = \"A.B\"\n", "a.toml:2:10: 'stream' may use only letters"},
      {"[cluster]\nmember_ttl = \"1s\"\n", "a.toml:2:14: 'member_ttl' must be between 2s and 5m"},
      {"[cluster]\nduplicate_window = \"2d\"\nmax_age = \"1d\"\n",
       "a.toml:2:20: 'duplicate_window' must not exceed 'max_age'"},
      {"[cluster]\npassword = \"p\"\n", "a.toml:2:12: 'password' needs a 'user'"},
      {"[cluster]\ntls_cert_file = \"c\"\n", "a.toml:2:17: 'tls_cert_file' and 'tls_key_file' go together"},
      {"[cluster]\nnod = \"x\"\n", "a.toml:2:1: unknown key 'nod' in [cluster]; did you mean 'node'?"},
      {"cluster = 1\n", "a.toml:1:11: [cluster] must be a table"},
      {"[cluster]\n[[filter]]\nid = \"f\"\nquery = \"x\"\ntopic = \"desk west\"\n",
       "a.toml:2:1: filter 'f': topic 'desk west' contains a space"},
  };
  for (const auto& [text, expected] : cases) {
    const auto errors = errors_of({{"a.toml", text}});
    ASSERT_FALSE(errors.empty()) << text;
    EXPECT_EQ(errors.front().rfind(expected, 0), 0U) << "got: " << errors.front() << "\nfor: " << text;
  }
}

TEST(ClusterConfig, TopicsNeedNotBeSubjectsWithoutACluster) {
  EXPECT_TRUE(errors_of({{"a.toml", "[[filter]]\nid = \"f\"\nquery = \"x\"\ntopic = \"desk west\"\n"}}).empty());
}

TEST(ClusterConfig, ChangingItNeedsARestart) {
  auto a = load_config_texts({{"a.toml", "[cluster]\nnode = \"a\"\n"}});
  auto b = load_config_texts({{"a.toml", "[cluster]\nnode = \"b\"\n"}});
  auto none = load_config_texts({{"a.toml", ""}});
  ASSERT_TRUE(a && b && none);
  EXPECT_EQ(settings_needing_restart(*a, *b), std::vector<std::string>{"cluster"});
  EXPECT_EQ(settings_needing_restart(*none, *a), std::vector<std::string>{"cluster"});
  EXPECT_TRUE(settings_needing_restart(*a, *a).empty());
}

}  // namespace
}  // namespace newswatch::daemon
