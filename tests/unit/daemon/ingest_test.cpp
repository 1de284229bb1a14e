// Ingest and CommitGroup against a real SQLite file and a real ZeroMQ SUB (inproc): one test
// per rule that keeps an alert from being lost or repeated. Each fails when its rule goes.
#include "daemon/ingest.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "daemon/burst_config.hpp"
#include "daemon/compiled_config.hpp"
#include "daemon/config.hpp"

namespace newswatch::daemon {
namespace {

std::string rss(const std::vector<std::string>& titles) {
  std::string items;
  for (std::size_t i = 0; i < titles.size(); ++i)
    items += "<item><title>" + titles[i] + "</title><guid>" + titles[i] + "</guid><link>http://example.org/" +
             std::to_string(i) + "</link></item>";
  return "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>" + items + "</channel></rss>";
}

feeds::FetchResult fetched(const std::string& body) {
  feeds::FetchResult r;
  r.outcome = feeds::FetchOutcome::ok;
  r.status = 200;
  r.body = body;
  r.effective_url = "http://example.org/feed";
  r.content_type = "application/rss+xml";
  r.etag = "\"v1\"";
  return r;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/nw-ingest-" + std::to_string(::getpid()) + ".db";
    remove_files();
    auto db = SqliteDb::open(path_);
    ASSERT_TRUE(db);
    db_.emplace(std::move(*db));
    auto store = feeds::FeedStore::open(*db_);
    ASSERT_TRUE(store);
    store_.emplace(std::move(*store));
    auto journal = alerts::AlertJournal::open(*db_);
    ASSERT_TRUE(journal);
    journal_.emplace(std::move(*journal));
    const std::string endpoint = "inproc://ingest-" + std::to_string(::getpid());
    auto pub = alerts::AlertPublisher::bind(zmq_, endpoint, 1000);
    ASSERT_TRUE(pub);
    publisher_ = std::move(*pub);
    sub_ = zmq::socket_t(zmq_, zmq::socket_type::sub);
    sub_.set(zmq::sockopt::subscribe, "alert.");
    sub_.set(zmq::sockopt::subscribe, "story.");
    sub_.set(zmq::sockopt::subscribe, "burst.");
    sub_.connect(endpoint);
    // inproc connects at once, but the subscription reaches the PUB only when it next does I/O:
    // prime it until a probe arrives, so no test mistakes a slow join for a missing alert.
    for (int i = 0; i < 200 && received().empty(); ++i)
      (void)publisher_->send("alert.probe", "{}");
    while (!received().empty()) {
    }

    use_config(R"(
[[filter]]
id = "mali"
query = "Mali"
)");
    group_.emplace(io_, *db_, *journal_, *publisher_);
    restart_stages();
  }
  void use_config(const std::string& text) {
    auto config = load_config_texts({{"t.toml", text}});
    ASSERT_TRUE(config);
    auto matcher = compile_watchlist(*config);
    ASSERT_TRUE(matcher);
    snapshot_ = std::make_shared<Snapshot>(Snapshot{std::move(*config), std::move(*matcher), 1});
  }
  // New stages and Ingest on the same database, as after a restart.
  void restart_stages() {
    ingest_.reset();
    auto stories = StoryStage::open(*db_, snapshot_->config.stories.window);
    ASSERT_TRUE(stories);
    stories_.emplace(std::move(*stories));
    auto bursts = BurstStage::open(*db_, *journal_, burst_settings(snapshot_->config), burst_filters(snapshot_->config),
                                   entity_types(snapshot_->config));
    ASSERT_TRUE(bursts);
    bursts_.emplace(std::move(*bursts));
    ingest_.emplace(*store_, *journal_, *publisher_, *group_, *stories_, *bursts_, metrics_);
  }
  void TearDown() override {
    ingest_.reset();
    bursts_.reset();
    stories_.reset();
    group_.reset();
    sub_.close();
    publisher_.reset();
    journal_.reset();
    store_.reset();
    db_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix);
  }

  // Every [topic, payload] waiting on the SUB, without blocking.
  std::vector<std::pair<std::string, std::string>> received() {
    std::vector<std::pair<std::string, std::string>> out;
    for (;;) {
      zmq::message_t topic;
      if (!sub_.recv(topic, zmq::recv_flags::dontwait)) return out;
      zmq::message_t payload;
      (void)sub_.recv(payload, zmq::recv_flags::dontwait);
      out.emplace_back(topic.to_string(), payload.to_string());
    }
  }

  // Feeds one fetch of `feed_id` to the Ingest; the verdict lands in the returned slot.
  std::shared_ptr<std::optional<feeds::FetchVerdict>> ingest(const std::string& feed_id, const std::string& body,
                                                             std::function<void()> on_verdict = {}) {
    auto verdict = std::make_shared<std::optional<feeds::FetchVerdict>>();
    auto r = fetched(body);
    ingest_->on_fetched(snapshot_, {feed_id, "http://example.org/feed", {}, {}}, r,
                        feeds::VerdictSink([verdict, on_verdict](feeds::FetchVerdict v) {
                          *verdict = v;
                          if (on_verdict) on_verdict();
                        }));
    return verdict;
  }

  // What a second connection (another process, a restart) sees of the seen items.
  bool seen_elsewhere(const std::string& feed_id, const std::string& item_id) {
    auto other = SqliteDb::open(path_);
    EXPECT_TRUE(other);
    auto q = other->prepare("SELECT 1 FROM seen_items WHERE feed_id = ?1 AND item_id = ?2");
    EXPECT_TRUE(q);
    q->bind(1, feed_id).bind(2, item_id);
    auto row = q->step();
    return row && *row;
  }

  void run_loop() {
    io_.restart();
    io_.run();
  }

  std::string path_;
  asio::io_context io_;
  zmq::context_t zmq_{1};
  std::optional<SqliteDb> db_;
  std::optional<feeds::FeedStore> store_;
  std::optional<alerts::AlertJournal> journal_;
  std::unique_ptr<alerts::AlertPublisher> publisher_;
  zmq::socket_t sub_;
  std::shared_ptr<Snapshot> snapshot_;
  Metrics metrics_;
  std::optional<CommitGroup> group_;
  std::optional<StoryStage> stories_;
  std::optional<BurstStage> bursts_;
  std::optional<Ingest> ingest_;
};

TEST_F(IngestTest, NothingIsPublishedBeforeTheCommit) {
  auto verdict = ingest("wire", rss({"Mali talks resume", "Harvest report"}));
  EXPECT_TRUE(group_->open()) << "the batch waits in the open group";
  EXPECT_TRUE(received().empty()) << "an alert went out before its commit";
  EXPECT_FALSE(verdict->has_value()) << "a verdict before the commit";
  EXPECT_EQ(journal_->last_seq(), 0u);
  run_loop();  // the group commits once the loop has run what was ready
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, "alert.mali");
  EXPECT_EQ(nlohmann::json::parse(got[0].second)["seq"], 1);
  ASSERT_TRUE(verdict->has_value());
  EXPECT_TRUE((*verdict)->recorded);
  EXPECT_EQ(journal_->last_seq(), 1u);
  EXPECT_EQ(ingest_->published(), 1u);
}

// The scheduler keeps a response's validators when the verdict says recorded: by then the
// items must be durable, or a crash would leave a 304 hiding items never recorded.
TEST_F(IngestTest, TheVerdictComesOnlyOnceTheItemsAreDurable) {
  bool durable_at_verdict = false;
  auto verdict = ingest("wire", rss({"Mali talks resume"}),
                        [&] { durable_at_verdict = seen_elsewhere("wire", "Mali talks resume"); });
  run_loop();
  ASSERT_TRUE(verdict->has_value());
  EXPECT_TRUE((*verdict)->recorded);
  EXPECT_TRUE(durable_at_verdict) << "the verdict came before the items were committed";
}

// Several fetches share one transaction; their alerts keep seq order and go out together.
TEST_F(IngestTest, BatchesOfOneLoopTurnShareOneCommit) {
  auto a = ingest("a", rss({"Mali one"}));
  auto b = ingest("b", rss({"Mali two", "Mali three"}));
  run_loop();
  EXPECT_EQ(group_->commits(), 1u);
  auto got = received();
  ASSERT_EQ(got.size(), 3u);
  for (std::size_t i = 0; i < got.size(); ++i)
    EXPECT_EQ(nlohmann::json::parse(got[i].second)["seq"], i + 1);
  EXPECT_TRUE((*a)->recorded);
  EXPECT_TRUE((*b)->recorded);
}

// A group sends every alert it holds before it tells any caller: a caller's follow-up (the
// scheduler, the feed's state, the log) must not hold back the alerts of the batches after it.
TEST_F(IngestTest, AGroupSendsAllItsAlertsBeforeTellingAnyCaller) {
  std::size_t out_at_first_verdict = 0;
  auto a = ingest("a", rss({"Mali one"}), [&] { out_at_first_verdict = received().size(); });
  auto b = ingest("b", rss({"Mali two"}));
  run_loop();
  EXPECT_EQ(group_->commits(), 1u);
  EXPECT_EQ(out_at_first_verdict, 2u) << "the second batch's alert waited for the first batch's caller";
  EXPECT_TRUE((*a)->recorded);
  EXPECT_TRUE((*b)->recorded);
}

// A batch that fails half-way (here the database refuses one item; the matcher refusing a
// scan takes the same way out) leaves nothing: no alert journalled or sent, no item seen, no
// seq spent, and the batches beside it in the group are unharmed.
TEST_F(IngestTest, ABatchGivenUpLeavesNoTrace) {
  ASSERT_TRUE(
      db_->exec("CREATE TRIGGER refuse BEFORE INSERT ON seen_items WHEN NEW.item_id = 'poison' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END;"));
  auto bad = ingest("bad", rss({"poison", "Mali first"}));  // oldest first: 'Mali first' is journalled
  auto good = ingest("good", rss({"Mali second"}));
  ASSERT_TRUE(bad->has_value()) << "a batch given up is told at once";
  EXPECT_FALSE((*bad)->recorded);
  run_loop();
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  const auto payload = nlohmann::json::parse(got[0].second);
  EXPECT_EQ(payload["feed"], "good");
  EXPECT_EQ(payload["seq"], 1) << "the seq the failed batch took was given back";
  EXPECT_TRUE((*good)->recorded);
  EXPECT_FALSE(seen_elsewhere("bad", "Mali first"));
  EXPECT_TRUE(seen_elsewhere("good", "Mali second"));
  auto page = journal_->scan_after(0, 10, {});
  ASSERT_TRUE(page);
  ASSERT_EQ(page->alerts.size(), 1u);
  EXPECT_EQ(page->alerts[0].seq, 1u);
  EXPECT_EQ(metrics_.batches_unrecorded, 1u);
}

// A commit that fails (a constraint checked only at COMMIT) publishes nothing, keeps nothing
// seen, and gives every seq of the group back: the next alert is seq 1.
TEST_F(IngestTest, AFailedCommitPublishesNothingAndReusesNoSeq) {
  ASSERT_TRUE(
      db_->exec("PRAGMA foreign_keys = ON;"
                "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                "CREATE TABLE child (parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);"));
  {
    auto batch = group_->open_batch();
    ASSERT_TRUE(batch);
    ASSERT_TRUE(db_->exec("INSERT INTO child VALUES (42)"));  // breaks the key only at COMMIT
    group_->seal(std::move(*batch), {}, 1, nullptr);
  }
  auto verdict = ingest("wire", rss({"Mali one", "Mali two"}));
  run_loop();
  EXPECT_EQ(group_->failed_commits(), 1u);
  EXPECT_TRUE(received().empty()) << "an alert of a failed commit went out";
  ASSERT_TRUE(verdict->has_value());
  EXPECT_FALSE((*verdict)->recorded) << "the items must come again";
  EXPECT_FALSE(seen_elsewhere("wire", "Mali one"));
  EXPECT_EQ(journal_->last_seq(), 0u);
  EXPECT_EQ(journal_->next_seq(), 1u);

  ASSERT_TRUE(db_->exec("DELETE FROM child"));
  auto again = ingest("wire", rss({"Mali one", "Mali two"}));
  run_loop();
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(got[0].second)["seq"], 1);
  EXPECT_EQ(nlohmann::json::parse(got[1].second)["seq"], 2);
  EXPECT_TRUE((*again)->recorded);
}

// Seen items are not alerted again, across a reopened database (a restart).
TEST_F(IngestTest, SeenItemsAreNotAlertedTwice) {
  ingest("wire", rss({"Mali one"}));
  run_loop();
  ASSERT_EQ(received().size(), 1u);
  auto second = ingest("wire", rss({"Mali one", "Mali two"}));
  run_loop();
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(got[0].second)["item"]["id"], "Mali two");
}

// A document recovered from broken XML is recorded, but is no reason to keep validators.
TEST_F(IngestTest, ARecoveredDocumentIsRecordedWithoutItsValidators) {
  auto body = rss({"Mali one"});
  body.resize(body.size() - std::string("</channel></rss>").size());  // cut short after its item
  auto verdict = ingest("wire", body);
  run_loop();
  ASSERT_TRUE(verdict->has_value());
  EXPECT_FALSE((*verdict)->recorded);
  EXPECT_FALSE((*verdict)->parse_failed);
  EXPECT_EQ(received().size(), 1u) << "its items still alert";
}

TEST_F(IngestTest, AnUnparsableBodyIsAParseFailure) {
  auto verdict = ingest("wire", "this is not a feed");
  ASSERT_TRUE(verdict->has_value());
  EXPECT_TRUE((*verdict)->parse_failed);
  EXPECT_FALSE((*verdict)->recorded);
  EXPECT_FALSE(group_->open()) << "nothing to write";
}

// One dispatch, two outlets: story tests. The copy differs only by an agency suffix.
const std::string kDispatch =
    "Mali: ECOWAS leaders agree to send three thousand troops to Bamako as talks in Ouagadougou stall";
const std::string kCopy = kDispatch + " - Reuters";

// collapse = "copies" (the default): a copy of an item the filter alerted on is a story update.
TEST_F(IngestTest, ACopyOfAnAlertedItemGoesOutAsAStoryUpdate) {
  ingest("wire", rss({kDispatch}));
  ingest("echo", rss({kCopy}));
  run_loop();
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, "alert.mali");
  EXPECT_EQ(got[1].first, "story.mali");
  const auto first = nlohmann::json::parse(got[0].second);
  const auto update = nlohmann::json::parse(got[1].second);
  EXPECT_EQ(first["story"]["size"], 1);
  EXPECT_TRUE(first["story"]["copy_of"].is_null());
  EXPECT_EQ(update["seq"], 2) << "a story update takes the next seq, like an alert";
  EXPECT_EQ(update["story"]["id"], first["story"]["id"]);
  EXPECT_EQ(update["story"]["copy_of"], kDispatch);
  EXPECT_EQ(update["story"]["sources"], 2);
  EXPECT_EQ(update["item"]["id"], kCopy);
  EXPECT_EQ(metrics_.story_copies, 1u);
  EXPECT_EQ(metrics_.story_updates_by_filter["mali"], 1u);
  EXPECT_EQ(metrics_.alerts_by_filter["mali"], 1u);
}

// collapse = "none": every match alerts, still carrying its story.
TEST_F(IngestTest, CollapseNoneAlertsEveryCopy) {
  use_config(R"(
[[filter]]
id = "mali"
query = "Mali"
collapse = "none"
)");
  ingest("wire", rss({kDispatch}));
  ingest("echo", rss({kCopy}));
  run_loop();
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].first, "alert.mali");
  EXPECT_EQ(nlohmann::json::parse(got[1].second)["story"]["copy_of"], kDispatch);
}

// The story and what the filter alerted on are in the database: after a restart a copy of an
// item alerted before it is still an update of the same story.
TEST_F(IngestTest, StoriesSurviveARestart) {
  ingest("wire", rss({kDispatch}));
  run_loop();
  auto before = received();
  ASSERT_EQ(before.size(), 1u);
  restart_stages();
  ingest("echo", rss({kCopy}));
  run_loop();
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, "story.mali");
  EXPECT_EQ(nlohmann::json::parse(got[0].second)["story"]["id"],
            nlohmann::json::parse(before[0].second)["story"]["id"]);
}

// A batch given up after its item was assigned a story leaves no story behind: the copy that
// comes next is judged against what was committed (nothing), so it alerts as an original.
TEST_F(IngestTest, ABatchGivenUpLeavesNoStory) {
  ASSERT_TRUE(
      db_->exec("CREATE TRIGGER refuse BEFORE INSERT ON seen_items WHEN NEW.item_id = 'poison' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END;"));
  auto bad = ingest("bad", rss({"poison", kDispatch}));  // oldest first: the dispatch is assigned first
  ASSERT_TRUE(bad->has_value());
  EXPECT_FALSE((*bad)->recorded);
  ingest("echo", rss({kCopy}));
  run_loop();
  auto got = received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].first, "alert.mali");
  const auto payload = nlohmann::json::parse(got[0].second);
  EXPECT_TRUE(payload["story"]["copy_of"].is_null()) << "a copy of an item that was never recorded";
  EXPECT_EQ(payload["story"]["size"], 1);
  auto q = db_->prepare("SELECT count(*) FROM story_items WHERE feed = 'bad'");
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->step());
  EXPECT_EQ(q->column_int(0), 0);
}

// Stories off: no story field, no collapse.
TEST_F(IngestTest, StoriesOffLeaveThePayloadAsItWas) {
  use_config(R"(
[stories]
enabled = false

[[filter]]
id = "mali"
query = "Mali"
)");
  ingest("wire", rss({kDispatch}));
  ingest("echo", rss({kCopy}));
  run_loop();
  auto got = received();
  ASSERT_EQ(got.size(), 2u);
  for (const auto& [topic, payload] : got) {
    EXPECT_EQ(topic, "alert.mali");
    EXPECT_FALSE(nlohmann::json::parse(payload).contains("story"));
  }
}

// Eight unrelated Mali stories from three outlets, for a filter that expects one a day. (At
// one a day, three stories are a watch and four or five an alert at any minute of the hour:
// the detector counts the current hour as far as it has gone, and the clock here is real.)
const std::vector<std::string> kSurge = {
    "Mali: floods in Mopti displace thousands of farmers", "Mali: gold exports climb for a third year",
    "Mali: national football side reaches the cup final",  "Mali: new rail link to Dakar opens for freight",
    "Mali: teachers strike over unpaid salaries in Kayes", "Mali: locust swarms reported near Gao",
    "Mali: hospital in Sikasso gets solar power",          "Mali: cotton harvest beats forecasts"};
const char* const kSurgeConfig = R"(
[bursts]
windows = ["3h"]

[[filter]]
id = "mali"
query = "Mali"
expected_per_day = 1
)";

// Many distinct stories from several outlets on a filter that expects one a day: a
// burst.<filter> message, journalled with the next seq after the alert that tipped it.
TEST_F(IngestTest, ASurgeOfDistinctStoriesRaisesABurst) {
  use_config(kSurgeConfig);
  restart_stages();
  for (std::size_t i = 0; i < kSurge.size(); ++i)
    ingest("outlet-" + std::to_string(i % 3), rss({kSurge[i]}));
  run_loop();
  auto got = received();
  std::vector<nlohmann::json> bursts;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto payload = nlohmann::json::parse(got[i].second);
    EXPECT_EQ(payload["seq"], i + 1) << "bursts and alerts share one seq line";
    if (got[i].first == "burst.mali") bursts.push_back(payload);
  }
  ASSERT_FALSE(bursts.empty()) << got.size() << " messages, no burst";
  EXPECT_EQ(bursts[0]["filter"], "mali");
  EXPECT_GE(bursts[0]["count"].get<int>(), 3);
  EXPECT_EQ(metrics_.bursts_by_level["watch"] + metrics_.bursts_by_level["alert"], bursts.size());
  auto page = journal_->scan_after(0, 100, {"burst."});
  ASSERT_TRUE(page);
  EXPECT_EQ(page->alerts.size(), bursts.size()) << "bursts are journalled for replay";
}

// The detector's series are checkpointed at most once a minute; a restart (or a SIGKILL)
// between checkpoints counts the journalled alerts after the last one again, so it neither
// forgets a burst it announced (and announces it twice) nor misses one.
TEST_F(IngestTest, BurstsResumeExactlyAfterARestartBetweenCheckpoints) {
  use_config(kSurgeConfig);
  restart_stages();
  std::vector<std::string> levels;
  const auto collect = [&] {
    for (const auto& [topic, payload] : received())
      if (topic == "burst.mali") levels.push_back(nlohmann::json::parse(payload)["level"]);
  };
  for (std::size_t i = 0; i < kSurge.size(); ++i) {
    ingest("outlet-" + std::to_string(i % 3), rss({kSurge[i]}));
    run_loop();  // one commit per item: only the first wrote a checkpoint
    collect();
    if (i == 3) restart_stages();
  }
  EXPECT_EQ(levels, (std::vector<std::string>{"watch", "alert"})) << "announced once each, before the restart";
}

}  // namespace
}  // namespace newswatch::daemon
