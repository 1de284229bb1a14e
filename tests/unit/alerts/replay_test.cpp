#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "alerts/alert_journal.hpp"
#include "alerts/alert_sequencer.hpp"
#include "alerts/curve.hpp"
#include "alerts/replay_protocol.hpp"
#include "alerts/replay_server.hpp"
#include "alerts/zap_handler.hpp"

namespace newswatch::alerts {
namespace {

using nlohmann::json;

TEST(ReplayRequest, ParsesDefaultsAndCaps) {
  auto r = parse_replay_request(R"({"since": 7})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->since, 7u);
  EXPECT_EQ(r->limit, kDefaultReplayLimit);
  EXPECT_TRUE(r->topics.empty());
  r = parse_replay_request(R"({"since": 0, "limit": 99999999, "topics": ["alert.a", "alert.b"], "x": 1})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit, kMaxReplayLimit);
  EXPECT_EQ(r->topics, (std::vector<std::string>{"alert.a", "alert.b"}));
  r = parse_replay_request(R"({"since": 0, "topics": ["alert.a", ""]})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->topics.empty()) << "an empty prefix means every topic";
}

TEST(ReplayRequest, RejectsMalformed) {
  for (const char* bad :
       {"", "nope", "[]", "{}", R"({"since": -1})", R"({"since": 1.5})", R"({"since": "1"})",
        R"({"since": 1, "limit": 0})", R"({"since": 1, "limit": -3})", R"({"since": 1, "topics": "a"})",
        R"({"since": 1, "topics": [3]})", R"({"since": 18446744073709551615})"}) {
    EXPECT_FALSE(parse_replay_request(bad)) << bad;
  }
}

TEST(ReplayHorizon, SinceZeroNeverErrs) {
  EXPECT_FALSE(behind_horizon(0, 100));
  EXPECT_FALSE(behind_horizon(5, 6)) << "the client has 5, 6 is kept";
  EXPECT_TRUE(behind_horizon(4, 6)) << "5 was pruned";
  EXPECT_FALSE(behind_horizon(9, 6));
  EXPECT_FALSE(behind_horizon(3, 1));
}

TEST(ReplayReply, HeaderSemantics) {
  ReplayRequest req;
  req.since = 2;
  ReplayPage page;
  page.alerts = {{3, "alert.a", "{\"seq\":3}"}, {5, "alert.a", "{\"seq\":5}"}};
  page.last_examined = 6;
  page.exhausted = false;
  auto frames = build_replay_reply(req, page, 9);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(json::parse(frames[0]), json({{"ok", true}, {"count", 2}, {"last_seq", 6}, {"more", true}}));
  EXPECT_EQ(frames[1], "alert.a");
  EXPECT_EQ(frames[4], "{\"seq\":5}");
  page.exhausted = true;
  EXPECT_EQ(json::parse(build_replay_reply(req, page, 9)[0])["last_seq"], 9) << "caught up: the newest seq";
  page = ReplayPage{};
  req.since = 50;
  EXPECT_EQ(json::parse(build_replay_reply(req, page, 9)[0]),
            json({{"ok", true}, {"count", 0}, {"last_seq", 9}, {"more", false}}));
  const auto err = json::parse(build_replay_error("gone", 4));
  EXPECT_EQ(err, json({{"ok", false}, {"error", "gone"}, {"oldest_seq", 4}}));
}

TEST(ReplayEnvelope, ReqAndDealer) {
  auto req = split_envelope({"id", "", "{}"});
  EXPECT_EQ(req.envelope, (std::vector<std::string>{"id", ""}));
  EXPECT_EQ(req.body, (std::vector<std::string>{"{}"}));
  auto dealer = split_envelope({"id", "{}"});
  EXPECT_EQ(dealer.envelope, (std::vector<std::string>{"id"}));
  EXPECT_EQ(dealer.body, (std::vector<std::string>{"{}"}));
  auto proxied = split_envelope({"id1", "id2", "", "{}"});
  EXPECT_EQ(proxied.envelope.size(), 3u);
  EXPECT_EQ(proxied.body.size(), 1u);
}

class ReplayJournal : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/nw-replay-" + std::to_string(::getpid()) + ".db";
    std::filesystem::remove(path_);
    auto db = SqliteDb::open(path_);
    ASSERT_TRUE(db);
    db_.emplace(std::move(*db));
    auto j = AlertJournal::open(*db_);
    ASSERT_TRUE(j);
    journal_.emplace(std::move(*j));
    for (std::uint64_t s = 1; s <= 10; ++s) {
      ASSERT_TRUE(journal_->append(
          {s, s % 3 == 0 ? "alert.rare" : "alert.common", "{\"seq\":" + std::to_string(s) + "}"}, 100 + s));
    }
    journal_->committed();
  }
  void TearDown() override {
    journal_.reset();
    db_.reset();
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix);
  }
  json header(const std::vector<std::string>& frames) { return json::parse(frames.at(0)); }
  std::string path_;
  std::optional<SqliteDb> db_;
  std::optional<AlertJournal> journal_;
};

TEST_F(ReplayJournal, PagesUntilDone) {
  std::uint64_t since = 0;
  std::vector<std::string> payloads;
  int pages = 0;
  while (true) {
    ASSERT_LT(pages, 10) << "paging never ends";
    auto frames = answer_replay(*journal_, {R"({"since": )" + std::to_string(since) + R"(, "limit": 4})"});
    auto h = header(frames);
    ASSERT_TRUE(h["ok"]);
    for (std::size_t i = 2; i < frames.size(); i += 2)
      payloads.push_back(frames[i]);
    ++pages;
    since = h["last_seq"];
    if (!h["more"]) break;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(payloads.size(), 10u);
  EXPECT_EQ(payloads.front(), "{\"seq\":1}");
  EXPECT_EQ(payloads.back(), "{\"seq\":10}");
}

TEST_F(ReplayJournal, TopicFilterScanIsBounded) {
  auto page = journal_->scan_after(0, 100, {"alert.rare"}, 4);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->alerts.size(), 1u) << "only seq 3 within the first 4 rows";
  EXPECT_EQ(page->last_examined, 4u);
  EXPECT_FALSE(page->exhausted);
  auto frames = build_replay_reply({0, 100, {"alert.rare"}}, *page, journal_->last_seq());
  EXPECT_EQ(header(frames)["last_seq"], 4);
  EXPECT_EQ(header(frames)["more"], true);
}

TEST_F(ReplayJournal, HorizonAfterPrune) {
  ASSERT_EQ(*journal_->prune(0, 4, 2), 2) << "a batch of 2";
  ASSERT_EQ(*journal_->prune(0, 4), 4);
  EXPECT_EQ(*journal_->first_kept(), 7u);
  auto err = header(answer_replay(*journal_, {R"({"since": 3})"}));
  EXPECT_EQ(err["ok"], false);
  EXPECT_EQ(err["oldest_seq"], 7);
  EXPECT_EQ(header(answer_replay(*journal_, {R"({"since": 6})"}))["count"], 4);
  EXPECT_EQ(header(answer_replay(*journal_, {R"({"since": 0})"}))["count"], 4);
  EXPECT_EQ(header(answer_replay(*journal_, {"{}", "{}"}))["ok"], false);
  ASSERT_EQ(*journal_->prune(1000, 100), 4) << "all older than t=1000";
  auto empty = header(answer_replay(*journal_, {R"({"since": 3})"}));
  EXPECT_EQ(empty["oldest_seq"], 0);
  EXPECT_EQ(header(answer_replay(*journal_, {R"({"since": 10})"}))["ok"], true);
}

TEST_F(ReplayJournal, AgePruneTakesOnlyAPrefix) {
  // seq 11 carries an older time than 10 (a clock step back): pruning must not punch a hole.
  ASSERT_TRUE(journal_->append({11, "alert.common", "{}"}, 50));
  journal_->committed();
  ASSERT_EQ(*journal_->prune(106, 1000), 5) << "seq 1..5 are older than 106; 11 stays";
  EXPECT_EQ(*journal_->first_kept(), 6u);
  auto page = journal_->scan_after(0, 100, {});
  EXPECT_EQ(page->alerts.size(), 6u);
}

Alert A(std::uint64_t seq) { return {seq, "alert.x", std::to_string(seq)}; }
std::vector<std::uint64_t> seqs(const std::vector<Alert>& v) {
  std::vector<std::uint64_t> out;
  for (const auto& a : v)
    out.push_back(a.seq);
  return out;
}

TEST(Sequencer, ReplayThenLiveWithoutGapsOrRepeats) {
  auto s = AlertSequencer::after(0);
  EXPECT_TRUE(s.wants_replay());
  EXPECT_TRUE(s.on_live(A(4)).empty()) << "ahead of the replay: buffered";
  EXPECT_TRUE(s.on_live(A(5)).empty());
  EXPECT_EQ(seqs(s.on_replay({A(1), A(2)}, 2, true)), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_TRUE(s.wants_replay());
  EXPECT_EQ(seqs(s.on_replay({A(3), A(4)}, 4, false)), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_FALSE(s.wants_replay());
  EXPECT_TRUE(s.on_live(A(5)).empty()) << "duplicate dropped";
  EXPECT_EQ(seqs(s.on_live(A(6))), (std::vector<std::uint64_t>{6}));
  EXPECT_TRUE(s.on_live(A(9)).empty()) << "a jump: wait for the replay";
  EXPECT_TRUE(s.wants_replay());
  EXPECT_EQ(s.covered(), 6u);
  EXPECT_EQ(seqs(s.on_replay({A(8), A(9)}, 9, false)), (std::vector<std::uint64_t>{8, 9}))
      << "7 was another topic: the replay says so by covering it";
  EXPECT_TRUE(s.on_live(A(12)).empty());
  EXPECT_EQ(seqs(s.on_replay({}, 12, false)), (std::vector<std::uint64_t>{12}))
      << "a buffered alert missing from the page (pruned meanwhile) is delivered, not dropped";
}

TEST(Sequencer, HeartbeatRevealsSilentLoss) {
  auto s = AlertSequencer::live();
  EXPECT_FALSE(s.anchored());
  EXPECT_TRUE(s.on_heartbeat(10).empty());
  EXPECT_EQ(s.covered(), 10u);
  EXPECT_FALSE(s.wants_replay());
  s.on_heartbeat(12);
  EXPECT_TRUE(s.wants_replay()) << "11 and 12 never arrived";
  EXPECT_EQ(seqs(s.on_replay({A(11), A(12)}, 12, false)), (std::vector<std::uint64_t>{11, 12}));
}

TEST(Sequencer, HorizonSkipsTheLostRange) {
  auto s = AlertSequencer::after(2);
  EXPECT_EQ(s.on_horizon(6), 3u);
  EXPECT_EQ(s.covered(), 5u);
  EXPECT_EQ(seqs(s.on_replay({A(6)}, 6, false)), (std::vector<std::uint64_t>{6}));
}

TEST(Curve, KeyFilesAndZapDecisions) {
  auto pair = generate_key_pair();
  ASSERT_TRUE(pair);
  auto secret = parse_key_text(secret_key_file_text(*pair), KeyKind::secret_key);
  ASSERT_TRUE(secret);
  EXPECT_EQ(*secret, pair->secret_z85);
  EXPECT_EQ(*public_key_for(*secret), pair->public_z85);
  EXPECT_EQ(*parse_key_text(public_key_file_text(*pair), KeyKind::public_key), pair->public_z85);
  EXPECT_FALSE(parse_key_text(public_key_file_text(*pair), KeyKind::secret_key));
  EXPECT_EQ(*parse_key_text("# bare\n" + pair->public_z85 + "\n", KeyKind::public_key), pair->public_z85);
  EXPECT_FALSE(parse_key_text("public-key = \"short\"\n", KeyKind::public_key));
  // Z85 keys may contain '=' and '#': a bare key line is still a key.
  const std::string awkward = "0#abcdefgh=jklmnopqrstuvwxyzABCDEFGHIJKL";
  ASSERT_TRUE(valid_z85_key(awkward));
  EXPECT_EQ(*parse_key_text(awkward + "\n", KeyKind::public_key), awkward);
  EXPECT_EQ(*parse_key_text("public-key = \"" + awkward + "\"\n", KeyKind::public_key), awkward);

  std::string raw(32, '\0');
  ASSERT_NE(zmq_z85_decode(reinterpret_cast<std::uint8_t*>(raw.data()), pair->public_z85.c_str()), nullptr);
  const std::vector<std::string> request{"1.0", "7", kZapDomain, "127.0.0.1", "", "CURVE", raw};
  std::string refused;
  auto ok = zap_reply(request, {pair->public_z85}, &refused);
  EXPECT_EQ(ok[1], "7");
  EXPECT_EQ(ok[2], "200");
  EXPECT_TRUE(refused.empty());
  auto no = zap_reply(request, {}, &refused);
  EXPECT_EQ(no[2], "400");
  EXPECT_EQ(refused, pair->public_z85);
  auto other_domain = request;
  other_domain[2] = "elsewhere";
  EXPECT_EQ(zap_reply(other_domain, {pair->public_z85}, nullptr)[2], "400");
  EXPECT_EQ(zap_reply({"1.0", "1", kZapDomain, "x", "", "NULL"}, {pair->public_z85}, nullptr)[2], "400");
  EXPECT_EQ(zap_reply({"junk"}, {}, nullptr).size(), 6u);
}

}  // namespace
}  // namespace newswatch::alerts
