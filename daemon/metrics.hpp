#pragma once
// Metrics: the daemon's counters, gauges and histograms, rendered in the Prometheus text
// format (0.0.4). Owned by the App and touched only on the loop thread: no locking.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "daemon/cluster_node.hpp"
#include "feeds/scheduler.hpp"

namespace newswatch::daemon {

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  // Appends the _bucket/_sum/_count lines for metric `name`.
  void render(const std::string& name, std::string& out) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// Values owned elsewhere (publisher, journal, scheduler, snapshot), read at scrape time.
struct LiveGauges {
  std::uint64_t publish_dropped = 0;
  std::uint64_t snapshot_generation = 0;
  std::uint64_t last_seq = 0;
  std::uint64_t feeds_total = 0;
  std::uint64_t feeds_failing = 0;
};

struct Metrics {
  Metrics();

  std::uint64_t items_parsed = 0;
  std::uint64_t items_new = 0;
  std::uint64_t batches_unrecorded = 0;   // a fetch's new items not recorded (come again next fetch)
  std::uint64_t feed_states_unsaved = 0;  // validators/failures not written (written again after the next fetch)
  std::map<std::string, std::uint64_t> alerts_by_filter;
  std::map<std::string, std::uint64_t> story_updates_by_filter;
  std::map<std::string, std::uint64_t> bursts_by_level{{"watch", 0}, {"alert", 0}};
  std::uint64_t stories_started = 0;
  std::uint64_t story_copies = 0;
  std::map<std::string, std::uint64_t> reloads_by_result{{"ok", 0}, {"error", 0}};
  Histogram parse_seconds;
  Histogram match_seconds;
  Histogram fetch_seconds;
  Histogram story_size;  // a story's size as of each new item in it

  // Ensures every configured filter has a series (at zero) before its first alert.
  void declare_filters(const std::vector<std::string>& ids);
  // Fetch counts come from the scheduler, which owns them: totals (never decreasing) and
  // per-feed stats for the last-success gauge.
  std::string render(const feeds::FeedStats& totals,
                     const std::vector<std::pair<std::string, feeds::FeedStats>>& per_feed,
                     const LiveGauges& live) const;
};

// [wave3-ops] Per-feed health from the scheduler's views, one series per configured feed
// (so a feed that has never succeeded shows too): newswatch_feed_consecutive_failures and
// newswatch_feed_gone. Appended after Metrics::render's text.
std::string render_feed_series(const std::vector<feeds::FeedView>& feeds);

// Cluster mode's series (docs/cluster.md): members, takeovers, stream publishing.
std::string render_cluster_series(const ClusterCounters& counters, std::size_t members, std::uint64_t lag);

}  // namespace newswatch::daemon
