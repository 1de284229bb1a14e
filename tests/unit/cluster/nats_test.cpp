// Membership, StreamPublisher and StreamReader against a real nats-server with JetStream.
#include <gtest/gtest.h>

#include <cstdio>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "cluster/membership.hpp"
#include "cluster/nats_session.hpp"
#include "cluster/stream_publisher.hpp"
#include "cluster/stream_reader.hpp"
#include "nats_server.hpp"

namespace newswatch::cluster {
namespace {

using testing::NatsServer;
using namespace std::chrono_literals;

ClusterSettings settings_for(const NatsServer& server, const std::string& node) {
  ClusterSettings s;
  s.nats = {server.url()};
  s.node = node;
  s.stream = "TEST";
  s.member_ttl = 1s;
  s.duplicate_window = 1min;
  s.max_age = 1h;
  return s;
}

NatsSession connect_or_die(const ClusterSettings& s, SessionOptions o = {}) {
  auto session = NatsSession::connect(s, std::move(o));
  if (!session) ADD_FAILURE() << session.error().message;
  return std::move(*session);
}

std::string alert_payload(std::uint64_t seq, const std::string& feed, const std::string& item,
                          const std::string& detected_at = "2026-12-03T10:00:00Z") {
  return R"({"seq":)" + std::to_string(seq) + R"(,"filter":"mali","topic":"alert.mali","feed":")" + feed +
         R"(","detected_at":")" + detected_at + R"(","item":{"id":")" + item + R"(","title":"t"}})";
}

std::vector<StreamMessage> read_all(const NatsSession& session, const std::string& stream,
                                    std::optional<std::uint64_t> after = 0) {
  auto reader = StreamReader::open(session, stream, after);
  EXPECT_TRUE(reader) << (reader ? "" : reader.error().message);
  std::vector<StreamMessage> out;
  if (!reader) return out;
  for (;;) {
    auto m = reader->next(300);
    if (!m || !*m) break;
    out.push_back(std::move(**m));
  }
  return out;
}

TEST(NatsSession, RefusesAServerThatIsNotThere) {
  ClusterSettings s;
  s.nats = {"nats://127.0.0.1:" + std::to_string(testing::free_port())};
  auto session = NatsSession::connect(s, {});
  ASSERT_FALSE(session);
  EXPECT_NE(session.error().message.find("cannot connect to NATS at nats://127.0.0.1:"), std::string::npos)
      << session.error().message;
}

TEST(Membership, LiveMembersExpireAfterTheTtl) {
  NatsServer server;
  ASSERT_TRUE(server.running());
  auto sa = connect_or_die(settings_for(server, "node-a"));
  auto sb = connect_or_die(settings_for(server, "node-b"));
  auto a = Membership::open(sa, settings_for(server, "node-a"));
  ASSERT_TRUE(a) << a.error().message;
  auto b = Membership::open(sb, settings_for(server, "node-b"));
  ASSERT_TRUE(b) << b.error().message;
  auto none = a->live_members();
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());
  ASSERT_TRUE(a->heartbeat());
  ASSERT_TRUE(b->heartbeat());
  EXPECT_EQ(*a->live_members(), (std::vector<std::string>{"node-a", "node-b"}));
  // node-b stops beating; node-a keeps on. Within the TTL plus the server's expiry tick b is gone.
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> live;
  while (std::chrono::steady_clock::now() - start < 5s) {
    ASSERT_TRUE(a->heartbeat());
    live = *a->live_members();
    if (live.size() == 1) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(live, std::vector<std::string>{"node-a"});
  EXPECT_GE(std::chrono::steady_clock::now() - start, 800ms);
  // And comes back with one beat.
  ASSERT_TRUE(b->heartbeat());
  EXPECT_EQ(*a->live_members(), (std::vector<std::string>{"node-a", "node-b"}));
  // A clean leave is seen at once.
  ASSERT_TRUE(b->leave());
  EXPECT_EQ(*a->live_members(), std::vector<std::string>{"node-a"});
}

TEST(MessageId, SameAlertSameIdWhateverTheNodeSeqOrTime) {
  const auto id = message_id("alert.mali", alert_payload(7, "f1", "item-1"));
  EXPECT_EQ(id.size(), 32U);
  EXPECT_EQ(message_id("alert.mali", alert_payload(912, "f1", "item-1", "2026-12-03T11:00:00Z")), id);
  EXPECT_NE(message_id("alert.mali", alert_payload(7, "f1", "item-2")), id);
  EXPECT_NE(message_id("alert.mali", alert_payload(7, "f2", "item-1")), id);
  EXPECT_NE(message_id("story.mali", alert_payload(7, "f1", "item-1")), id);  // a story update is another message
  const std::string burst =
      R"({"seq":3,"filter":"mali","level":"watch","window":"3h","entity":null,"started_at":"2026-12-03T09:00:00Z","count":5})";
  const std::string burst_again =
      R"({"seq":44,"filter":"mali","level":"watch","window":"3h","entity":null,"started_at":"2026-12-03T09:00:00Z","count":6})";
  const std::string burst_higher =
      R"({"seq":45,"filter":"mali","level":"alert","window":"3h","entity":null,"started_at":"2026-12-03T09:00:00Z","count":9})";
  EXPECT_EQ(message_id("burst.mali", burst), message_id("burst.mali", burst_again));
  EXPECT_NE(message_id("burst.mali", burst), message_id("burst.mali", burst_higher));
  EXPECT_EQ(message_id("other", "not json"), message_id("other", "not json"));
  EXPECT_NE(message_id("other", "not json"), message_id("other", "not json either"));
}

// The id of "alert.x|filter|feed|item" as every node has computed it so far (nodes of
// different versions must agree): 128 bits from two FNV-1a passes, each mixed.
std::string id_of_key(std::string_view key) {
  const auto fnv = [](std::uint64_t h, std::string_view b) {
    for (const char c : b) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
    return h;
  };
  const auto mix = [](std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx",
                static_cast<unsigned long long>(mix(fnv(0xcbf29ce484222325ULL, key))),
                static_cast<unsigned long long>(mix(fnv(0x84222325cbf29ce4ULL, key) ^ key.size())));
  return out;
}

TEST(MessageId, AlertIdsReadTheirThreeFieldsWhereverTheyAre) {
  EXPECT_EQ(message_id("alert.mali", alert_payload(7, "f1", "item-1")), id_of_key("alert.mali|mali|f1|item-1"));
  EXPECT_EQ(message_id("story.mali", alert_payload(7, "f1", "item-1")), id_of_key("story.mali|mali|f1|item-1"));
  // Fields in another order, nested look-alikes, escapes: the same three values.
  EXPECT_EQ(
      message_id(
          "alert.mali",
          R"({"item":{"title":"t","links":[{"id":"no"}],"x":{"id":"no"},"id":"item-1"},"matches":[{"feed":"no"}],)"
          R"("feed":"f1","seq":3,"filter":"mali"})"),
      id_of_key("alert.mali|mali|f1|item-1"));
  EXPECT_EQ(message_id("alert.mali", R"({"filter":"mali","feed":"f\u00e9\"1","item":{"id":"a\/b"}})"),
            id_of_key("alert.mali|mali|f\xc3\xa9\"1|a/b"));
  // A value that is not a string reads as the full parse renders it; a missing one as "".
  EXPECT_EQ(message_id("alert.mali", R"({"filter":"mali","feed":12,"item":{"id":"i"}})"),
            id_of_key("alert.mali|mali|12|i"));
  EXPECT_EQ(message_id("alert.mali", R"({"filter":"mali","item":{"id":"i"}})"), id_of_key("alert.mali|mali||i"));
  EXPECT_EQ(message_id("alert.mali", R"({"filter":"mali","feed":null,"item":{"id":"i"}})"),
            id_of_key("alert.mali|mali||i"));
}

TEST(StreamPublisher, ARepublicationIsADuplicateTheStreamDrops) {
  NatsServer server;
  auto sa = connect_or_die(settings_for(server, "node-a"));
  auto sb = connect_or_die(settings_for(server, "node-b"));
  auto a = StreamPublisher::open(sa, settings_for(server, "node-a"), {});
  ASSERT_TRUE(a) << a.error().message;
  auto b = StreamPublisher::open(sb, settings_for(server, "node-b"), {});
  ASSERT_TRUE(b) << b.error().message;
  auto first = (*a)->publish(1, "alert.mali", alert_payload(1, "f1", "i1"));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->stream_seq, 1U);
  auto again = (*a)->publish(1, "alert.mali", alert_payload(1, "f1", "i1"));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->duplicate);
  // Node b took feed f1 over and alerted the same item under its own seq, later.
  auto takeover = (*b)->publish(40, "alert.mali", alert_payload(40, "f1", "i1", "2026-12-03T10:05:00Z"));
  ASSERT_TRUE(takeover);
  EXPECT_TRUE(takeover->duplicate);
  auto other = (*b)->publish(41, "alert.mali", alert_payload(41, "f1", "i2"));
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->duplicate);
  EXPECT_EQ(other->stream_seq, 2U);

  const auto all = read_all(sa, "TEST");
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].stream_seq, 1U);
  EXPECT_EQ(all[0].topic, "alert.mali");
  EXPECT_EQ(all[0].node, "node-a");
  EXPECT_EQ(all[0].payload, alert_payload(1, "f1", "i1"));
  EXPECT_EQ(all[1].node, "node-b");
  const auto after_one = read_all(sa, "TEST", 1);
  ASSERT_EQ(after_one.size(), 1U);
  EXPECT_EQ(after_one[0].stream_seq, 2U);
}

TEST(StreamPublisher, OpeningTwiceKeepsOneStreamAndAdjustsItsWindow) {
  NatsServer server;
  auto s = settings_for(server, "n");
  auto session = connect_or_die(s);
  auto js = session.jetstream();
  ASSERT_TRUE(js);
  ASSERT_TRUE(ensure_stream(js->get(), s));
  s.duplicate_window = 5min;
  ASSERT_TRUE(ensure_stream(js->get(), s));
  jsStreamInfo* info = nullptr;
  ASSERT_EQ(js_GetStreamInfo(&info, js->get(), "TEST", nullptr, nullptr), NATS_OK);
  JsStreamInfoHandle held(info);
  EXPECT_EQ(info->Config->Duplicates, std::chrono::nanoseconds(5min).count());
}

// What the daemon's outbox relies on: async publishes are answered (ok or not) even across a
// NATS restart, and publishing again whatever was not acknowledged leaves exactly one copy.
// "i<seq>", built with append: GCC 12 at -O3 warns (-Wrestrict, falsely) on "i" + to_string.
std::string item_id(std::uint64_t seq) {
  std::string id = "i";
  id.append(std::to_string(seq));
  return id;
}

TEST(StreamPublisher, AsyncAcrossANatsRestartNothingLostNothingTwice) {
  NatsServer server;
  const auto s = settings_for(server, "node-a");
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::uint64_t, PublishAck> acks;
  std::atomic<int> answers{0};
  SessionOptions o;
  o.connect_in_background = true;
  auto session = connect_or_die(s, o);
  {
    auto pub = StreamPublisher::open(
        session, s,
        [&](const PublishAck& a) {
          std::lock_guard lock(mu);
          acks[a.local_seq] = a;
          ++answers;
          cv.notify_all();
        },
        1000);
    ASSERT_TRUE(pub) << pub.error().message;
    const auto wait_for = [&](int n) {
      std::unique_lock lock(mu);
      return cv.wait_for(lock, 10s, [&] { return answers.load() >= n; });
    };
    for (std::uint64_t seq = 1; seq <= 50; ++seq)
      ASSERT_TRUE((*pub)->publish_async(seq, "alert.mali", alert_payload(seq, "f", item_id(seq))));
    ASSERT_TRUE(wait_for(50));
    server.stop();
    for (std::uint64_t seq = 51; seq <= 100; ++seq) {
      // While the server is away libnats buffers; a refusal is also fine (the outbox retries).
      (void)(*pub)->publish_async(seq, "alert.mali", alert_payload(seq, "f", item_id(seq)));
    }
    std::this_thread::sleep_for(300ms);
    server.start();
    (void)wait_for(100);  // answers may be errors, or lost with the connection: the loop below covers both
    // Whatever was not acknowledged goes again, as the outbox does, until every seq is.
    for (int round = 0; round < 20; ++round) {
      std::vector<std::uint64_t> missing;
      {
        std::lock_guard lock(mu);
        for (std::uint64_t seq = 1; seq <= 100; ++seq) {
          auto it = acks.find(seq);
          if (it == acks.end() || !it->second.ok) missing.push_back(seq);
        }
      }
      if (missing.empty()) break;
      for (auto seq : missing) {
        auto r = (*pub)->publish(seq, "alert.mali", alert_payload(seq, "f", item_id(seq)));
        if (r) {
          std::lock_guard lock(mu);
          acks[seq] = *r;
        }
      }
      std::this_thread::sleep_for(200ms);
    }
    const auto all = read_all(session, "TEST");
    std::map<std::string, int> copies;
    for (const auto& m : all)
      ++copies[m.payload];
    EXPECT_EQ(copies.size(), 100U);
    for (const auto& [payload, n] : copies)
      EXPECT_EQ(n, 1) << payload;
    session.close();  // before the publisher goes: no answer may arrive after it
  }
}

}  // namespace
}  // namespace newswatch::cluster
