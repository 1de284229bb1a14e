// The [cluster] name checks and derived names.
#include <gtest/gtest.h>

#include "cluster/cluster_settings.hpp"

namespace newswatch::cluster {
namespace {

TEST(ClusterNames, Derived) {
  ClusterSettings s;
  s.stream = "NEWS-1";
  EXPECT_EQ(members_bucket(s), "NEWS-1_members");
  EXPECT_EQ(feeds_bucket(s), "NEWS-1_feeds");
  EXPECT_EQ(subject_for("alert.mali"), "newswatch.alert.mali");
}

TEST(ClusterNames, StreamNames) {
  EXPECT_EQ(stream_name_problem("NEWSWATCH"), std::nullopt);
  EXPECT_EQ(stream_name_problem("a_b-C9"), std::nullopt);
  EXPECT_NE(stream_name_problem(""), std::nullopt);
  EXPECT_NE(stream_name_problem("a.b"), std::nullopt);
  EXPECT_NE(stream_name_problem("a b"), std::nullopt);
  EXPECT_NE(stream_name_problem("a*"), std::nullopt);
  EXPECT_NE(stream_name_problem(std::string(65, 'x')), std::nullopt);
}

TEST(ClusterNames, NodeNames) {
  EXPECT_EQ(node_name_problem("node-1"), std::nullopt);
  EXPECT_EQ(node_name_problem("host.example.org"), std::nullopt);
  EXPECT_NE(node_name_problem(""), std::nullopt);
  EXPECT_NE(node_name_problem(".a"), std::nullopt);
  EXPECT_NE(node_name_problem("a."), std::nullopt);
  EXPECT_NE(node_name_problem("a b"), std::nullopt);
  EXPECT_NE(node_name_problem("a/b"), std::nullopt);
  EXPECT_EQ(node_name_problem(default_node_name()), std::nullopt);
}

TEST(ClusterNames, TopicsAsSubjects) {
  EXPECT_EQ(topic_subject_problem("alert.mali"), std::nullopt);
  EXPECT_EQ(topic_subject_problem("desk-west.urgent"), std::nullopt);
  EXPECT_NE(topic_subject_problem(""), std::nullopt);
  EXPECT_NE(topic_subject_problem("alert."), std::nullopt);
  EXPECT_NE(topic_subject_problem("alert..x"), std::nullopt);
  EXPECT_NE(topic_subject_problem("alert.*"), std::nullopt);
  EXPECT_NE(topic_subject_problem("alert.>"), std::nullopt);
  EXPECT_NE(topic_subject_problem("alert mali"), std::nullopt);
  EXPECT_EQ(topic_subject_problem("alert.a*b"), std::nullopt);  // only a whole '*' token is a wildcard
}

TEST(ClusterNames, ServerUrls) {
  EXPECT_EQ(server_url_problem("nats://127.0.0.1:4222"), std::nullopt);
  EXPECT_EQ(server_url_problem("tls://nats.example.org"), std::nullopt);
  EXPECT_NE(server_url_problem("http://x"), std::nullopt);
  EXPECT_NE(server_url_problem("nats://"), std::nullopt);
  EXPECT_NE(server_url_problem("nats://a:1,nats://b:2"), std::nullopt);
}

}  // namespace
}  // namespace newswatch::cluster
