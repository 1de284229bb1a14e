// HostOwnership: registrable domains, and rendezvous hashing's three promises (the same
// answer everywhere, little movement when members change, an even share).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "cluster/host_ownership.hpp"

namespace newswatch::cluster {
namespace {

TEST(OwnershipKey, RegistrableDomainOfTheHost) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"https://news.bbc.co.uk/rss.xml", "bbc.co.uk"},
      {"https://feeds.bbci.co.uk/news/rss.xml", "bbci.co.uk"},
      {"http://www.example.com/feed", "example.com"},
      {"http://WWW.Example.COM:8080/feed", "example.com"},
      {"http://user:pw@rss.example.com/x", "example.com"},
      {"https://a.b.github.io/feed.xml", "b.github.io"},  // a public suffix with private owners
      {"https://example.com./feed", "example.com"},
      {"http://127.0.0.2:8080/feed.xml", "127.0.0.2"},  // addresses stand for themselves
      {"http://127.0.0.3/feed.xml", "127.0.0.3"},
      {"http://[::1]:8080/feed", "[::1]"},
      {"http://localhost:8000/feed", "localhost"},
      {"http://intranet/feed", "intranet"},
      {"file:///tmp/feed.xml", ""},
      {"not a url", ""},
  };
  for (const auto& [url, key] : cases)
    EXPECT_EQ(ownership_key(url), key) << url;
}

TEST(OwnershipKey, SubdomainsOfOneSiteShareAnOwner) {
  const std::vector<std::string> members{"n1", "n2", "n3", "n4", "n5"};
  EXPECT_EQ(owner_of(ownership_key("https://rss.lemonde.fr/a"), members),
            owner_of(ownership_key("https://www.lemonde.fr/b"), members));
}

// Fixed forever: nodes of different builds must agree. A change here splits a cluster.
TEST(Rendezvous, GoldenWeightsAndOwners) {
  EXPECT_EQ(rendezvous_weight("node-a", "example.com"), 8340949491282700979ULL);
  EXPECT_EQ(rendezvous_weight("node-b", "example.com"), 11489601823517682477ULL);
  const std::vector<std::string> members{"node-a", "node-b", "node-c"};
  const std::vector<std::pair<std::string, std::string>> golden{
      {"example.com", "node-b"}, {"bbc.co.uk", "node-a"},     {"lemonde.fr", "node-a"}, {"127.0.0.2", "node-a"},
      {"127.0.0.3", "node-a"},   {"127.0.0.4", "node-b"},     {"127.0.0.5", "node-b"},  {"localhost", "node-c"},
      {"reuters.com", "node-a"}, {"aljazeera.net", "node-c"}, {"[::1]", "node-b"},      {"b.github.io", "node-c"}};
  for (const auto& [key, owner] : golden)
    EXPECT_EQ(owner_of(key, members), owner) << key;
}

TEST(Rendezvous, TheOrderOfMembersDoesNotMatter) {
  const std::vector<std::string> a{"n1", "n2", "n3"};
  const std::vector<std::string> b{"n3", "n1", "n2"};
  for (int i = 0; i < 500; ++i) {
    const std::string key = "host" + std::to_string(i) + ".example";
    EXPECT_EQ(owner_of(key, a), owner_of(key, b)) << key;
  }
}

TEST(Rendezvous, NoMembersNoOwner) { EXPECT_EQ(owner_of("example.com", {}), std::nullopt); }

std::vector<std::string> many_hosts(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back("site" + std::to_string(i) + (i % 3 == 0 ? ".com" : i % 3 == 1 ? ".co.uk" : ".fr"));
  return out;
}

TEST(Rendezvous, AJoiningMemberTakesOnlyItsOwnShare) {
  const auto hosts = many_hosts(10'000);
  const auto before = assign(hosts, {"n1", "n2", "n3"});
  const auto after = assign(hosts, {"n1", "n2", "n3", "n4"});
  int moved = 0;
  for (const auto& h : hosts) {
    if (before.at(h) == after.at(h)) continue;
    ++moved;
    EXPECT_EQ(after.at(h), "n4") << h << " moved between old members";
  }
  // About a quarter move (to the newcomer); 10,000 draws keep it within a few percent.
  EXPECT_GT(moved, 2300);
  EXPECT_LT(moved, 2700);
}

TEST(Rendezvous, ALeavingMemberGivesAwayOnlyItsOwnHosts) {
  const auto hosts = many_hosts(10'000);
  const auto before = assign(hosts, {"n1", "n2", "n3", "n4"});
  const auto after = assign(hosts, {"n1", "n2", "n4"});
  for (const auto& h : hosts) {
    if (before.at(h) != "n3") {
      EXPECT_EQ(before.at(h), after.at(h)) << h;
    } else {
      EXPECT_NE(after.at(h), "n3");
    }
  }
}

TEST(Rendezvous, BalancedOverManyHosts) {
  const auto hosts = many_hosts(30'000);
  for (const std::vector<std::string>& members :
       {std::vector<std::string>{"alpha", "beta", "gamma"}, std::vector<std::string>{"n1", "n2", "n3", "n4", "n5"},
        std::vector<std::string>{"host-01.dc1", "host-02.dc1"}}) {
    std::map<std::string, int> share;
    for (const auto& [h, owner] : assign(hosts, members))
      ++share[owner];
    const double fair = 30'000.0 / static_cast<double>(members.size());
    for (const auto& m : members)
      EXPECT_NEAR(share[m], fair, fair * 0.05) << m;
  }
}

}  // namespace
}  // namespace newswatch::cluster
