#pragma once
// Ingest: one fetch result in, the scheduler's verdict out once its batch has committed. Owns
// an item's whole path after the fetch: parse → dedup → language → match → story → collapse →
// encode → journal (with any burst it raises) → commit → publish.
//
// The verdict says `recorded` only when the feed's new items are marked seen and their alerts
// journalled in a committed transaction; only then may the scheduler keep the response's
// validators (a lost batch must come again in full, not as a 304).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert.hpp"
#include "alerts/alert_journal.hpp"
#include "alerts/alert_publisher.hpp"
#include "bursts/burst_message.hpp"
#include "common/result.hpp"
#include "daemon/burst_stage.hpp"
#include "daemon/commit_group.hpp"
#include "daemon/metrics.hpp"
#include "daemon/snapshot.hpp"
#include "daemon/story_stage.hpp"
#include "feeds/feed.hpp"
#include "feeds/feed_store.hpp"
#include "feeds/scheduler.hpp"
#include "filters/matcher.hpp"

namespace newswatch::daemon {

// The alerts one item raises: one per matching filter, in filter order.
struct ItemAlerts {
  std::vector<alerts::Alert> alerts;
  std::vector<std::string> filter_ids;  // alongside `alerts`
  bool truncated = false;               // the item passed a matcher limit (see filters::truncation_note)
};

// The item → alerts step, pure: shared by the daemon and `newswatch match`. Seqs come from
// `next_seq`, called once per alert in order. An error only when the matcher refuses a scan.
Result<ItemAlerts> alerts_for_item(const filters::Matcher& matcher, const feeds::Item& item, std::string_view feed_id,
                                   feeds::TimePoint detected_at, const std::function<std::uint64_t()>& next_seq);

// One filter's alert on an item (with its story when stories are on): alerts_for_item's step.
alerts::Alert alert_for_match(const filters::FilterDef& filter, const filters::FilterMatch& match,
                              const filters::MatchResult& result, const feeds::Item& item, std::string_view feed_id,
                              feeds::TimePoint detected_at, std::uint64_t seq,
                              const stories::StoryAssignment* story = nullptr);

class Ingest {
 public:
  // Every part must outlive the Ingest; `publisher` also carries the sys.feed.* messages.
  Ingest(feeds::FeedStore& store, alerts::AlertJournal& journal, alerts::AlertPublisher& publisher, CommitGroup& group,
         StoryStage& stories, BurstStage& bursts, Metrics& metrics);

  // Judges one completed fetch by `snapshot` (kept alive until the batch is recorded) and tells
  // `done` the verdict, now or after the group commit. Never throws for bad input.
  void on_fetched(std::shared_ptr<const Snapshot> snapshot, const feeds::FeedSpec& spec, feeds::FetchResult& result,
                  feeds::VerdictSink done);

  std::uint64_t published() const { return published_; }  // alerts sent since start

  // Writes the burst detector's checkpoint into the open group (at shutdown, before the last
  // commit), so the next start has no journal to count again.
  void checkpoint();

  // What each journalled message of a batch is, for the counts made once it commits.
  enum class MessageKind { alert, story_update, burst_watch, burst_alert };

 private:
  struct BatchTally {
    std::vector<alerts::Alert> messages;  // in seq order
    std::vector<std::string> filters;     // alongside messages
    std::vector<MessageKind> kinds;       // alongside messages
    std::vector<std::size_t> story_sizes;
    std::vector<std::string> burst_lines;  // as tail prints them, for the log
    std::uint64_t stories = 0;             // started by this batch's items
    std::uint64_t copies = 0;
  };
  void count_committed(std::string_view feed_id, std::size_t fresh_count, const BatchTally& tally);
  // Where a batch's time went, from the end of its fetch to its alerts on the socket (once
  // they are sent), logged at debug level: the daemon's share of the item → wire latency.
  struct Spans {
    std::chrono::steady_clock::time_point fetch_ended, parsed, sealed;
  };
  void log_spans(std::string_view feed_id, const Spans& spans);
  // Marks the feed's new items seen and journals their alerts in one batch of the group.
  // False when nothing could be recorded: the items come again with the next fetch.
  // `spans` holds the fetch's end and the parse's; the seal is stamped here.
  void record_items(const Snapshot& snapshot, const feeds::FeedSpec& spec, feeds::Feed& feed,
                    feeds::FetchVerdict verdict, feeds::VerdictSink done, Spans spans);
  void publish_feed_error(std::string_view feed_id, int status, std::string_view outcome, std::string_view message);
  // A new snapshot's story window, burst settings and entity types reach the stages here.
  void follow(const Snapshot& snapshot);

  feeds::FeedStore& store_;
  alerts::AlertJournal& journal_;
  alerts::AlertPublisher& publisher_;
  CommitGroup& group_;
  StoryStage& stories_;
  BurstStage& bursts_;
  Metrics& metrics_;
  std::uint64_t generation_ = 0;  // of the snapshot the stages follow
  std::uint64_t published_ = 0;
};

}  // namespace newswatch::daemon
