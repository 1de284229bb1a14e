#pragma once
// ClusterNode: what a daemon with [cluster] does besides its single-node work
// (docs/cluster.md): keeps its membership alive, tells the scheduler which feeds it owns,
// publishes every journalled message to the stream from a durable cursor (the outbox), and
// shares the seen identities and stories of its feeds so a node taking one over alerts
// nothing twice and keeps the feed's items in their stories.
//
// All of its state lives on the daemon's event loop; libnats calls (blocking) run on one
// worker thread of its own and hand their results back with asio::post.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "alerts/alert_journal.hpp"
#include "cluster/cluster_settings.hpp"
#include "common/asio.hpp"
#include "common/result.hpp"
#include "common/sqlite_db.hpp"
#include "daemon/commit_group.hpp"
#include "daemon/story_stage.hpp"
#include "feeds/feed_store.hpp"
#include "feeds/scheduler.hpp"

namespace newswatch::daemon {

struct ClusterCounters {
  std::uint64_t membership_changes = 0;  // live member lists that differed from the previous one
  std::uint64_t feeds_taken_over = 0;    // feeds this node started polling after the first list
  std::uint64_t feeds_given_up = 0;
  std::uint64_t published = 0;   // stream acknowledgements (duplicates included)
  std::uint64_t duplicates = 0;  // of which the stream already had
  std::uint64_t publish_errors = 0;
  std::uint64_t nats_errors = 0;      // membership or state calls that failed
  std::uint64_t stories_adopted = 0;  // feeds taken over with the previous owner's stories
};

class ClusterNode {
 public:
  struct Parts {
    asio::io_context& io;
    SqliteDb& db;
    CommitGroup& group;
    feeds::FeedStore& store;
    alerts::AlertJournal& journal;
    StoryStage* stories = nullptr;  // the feeds' stories move with them when given
  };
  // Receives the feeds this node polls now (a subset of set_feeds()), for Scheduler::set_feeds.
  using OwnedFeeds = std::function<void(const std::vector<feeds::FeedSpec>&)>;

  // Connects (in the background if NATS is not there yet) and starts the heartbeat.
  static Result<std::unique_ptr<ClusterNode>> start(Parts parts, const cluster::ClusterSettings& settings,
                                                    std::chrono::seconds seen_max_age, OwnedFeeds owned);
  ~ClusterNode();
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Every configured feed (at start and at each reload); the node polls those it owns.
  void set_feeds(const std::vector<feeds::FeedSpec>& all);
  // Leaves the cluster (its hosts move at once) and stops the worker. Idempotent.
  void stop();

  const std::string& node() const;
  std::vector<std::string> members() const;
  // host (ownership key) -> owning node, over the configured feeds.
  std::map<std::string, std::string> host_owners() const;
  const ClusterCounters& counters() const;
  std::uint64_t acked_seq() const;  // every journalled seq up to this one is in the stream

  class Impl;

 private:
  explicit ClusterNode(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

// GET /cluster on the metrics listener: {"node", "members", "hosts": {host: node},
// "acked_seq", "counters": {...}}.
std::string cluster_status_json(const ClusterNode& node);

}  // namespace newswatch::daemon
