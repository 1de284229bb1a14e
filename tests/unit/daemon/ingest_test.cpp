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
    sub_.connect(endpoint);
    // inproc connects at once, but the subscription reaches the PUB only when it next does I/O:
    // prime it until a probe arrives, so no test mistakes a slow join for a missing alert.
    for (int i = 0; i < 200 && received().empty(); ++i)
      (void)publisher_->send("alert.probe", "{}");
    while (!received().empty()) {
    }

    auto config = load_config_texts({{"t.toml", R"(
[[filter]]
id = "mali"
query = "Mali"
)"}});
    ASSERT_TRUE(config);
    auto matcher = compile_watchlist(*config);
    ASSERT_TRUE(matcher);
    snapshot_ = std::make_shared<Snapshot>(Snapshot{std::move(*config), std::move(*matcher), 1});
    group_.emplace(io_, *db_, *journal_, *publisher_);
    ingest_.emplace(*store_, *journal_, *publisher_, *group_, metrics_);
  }
  void TearDown() override {
    ingest_.reset();
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
    ingest_->on_fetched(snapshot_, {feed_id, "http://example.org/feed", {}}, r,
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

}  // namespace
}  // namespace newswatch::daemon
