#include "daemon/metrics.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/version.hpp"
#include "feeds/http_fetcher.hpp"

namespace newswatch::daemon {
namespace {

// Exact for whole numbers (counters, seconds since the epoch) up to 2^53, and otherwise the
// shortest "%g" text that reads back as the same double (so bucket bounds stay "0.0001"):
// "%.9g" rounded a timestamp to tens of seconds and a counter past 10^9 to its ninth digit.
std::string number(double v) {
  char buf[64];
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// Label values escape backslash, quote and newline per the text format.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, const std::string& name, const std::string& labels, double value) {
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += ' ';
  out += number(value);
  out += '\n';
}

// A series of one unlabelled sample: its header, then the sample.
void series(std::string& out, const char* name, const char* type, const char* help, double value) {
  header(out, name, type, help);
  sample(out, name, "", value);
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i])
    ++i;
  ++counts_[i];
  sum_ += value;
  ++count_;
}

void Histogram::render(const std::string& name, std::string& out) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    sample(out, name + "_bucket", "le=\"" + number(bounds_[i]) + "\"", static_cast<double>(cumulative));
  }
  sample(out, name + "_bucket", "le=\"+Inf\"", static_cast<double>(count_));
  sample(out, name + "_sum", "", sum_);
  sample(out, name + "_count", "", static_cast<double>(count_));
}

Metrics::Metrics()
    : parse_seconds({0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1}),
      match_seconds({0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05}),
      fetch_seconds({0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}),
      story_size({1, 2, 3, 5, 10, 20, 50, 100, 500}) {}

void Metrics::declare_filters(const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    alerts_by_filter.try_emplace(id, 0);
    story_updates_by_filter.try_emplace(id, 0);
  }
}

std::string Metrics::render(const feeds::FeedStats& totals,
                            const std::vector<std::pair<std::string, feeds::FeedStats>>& per_feed,
                            const LiveGauges& live) const {
  std::string out;
  out.reserve(4096);
  header(out, "newswatch_build_info", "gauge", "Always 1; the label says which version of newswatchd is running.");
  sample(out, "newswatch_build_info", "version=\"" + label(version()) + "\"", 1);
  header(out, "newswatch_fetches_total", "counter", "Feed fetches by outcome.");
  for (std::size_t i = 0; i < feeds::kFetchOutcomeCount; ++i) {
    const auto o = static_cast<feeds::FetchOutcome>(i);
    if (o == feeds::FetchOutcome::cancelled) continue;  // shutdown's doing, not the feed's
    sample(out, "newswatch_fetches_total", std::string("outcome=\"") + feeds::to_string(o) + "\"",
           static_cast<double>(totals.count(o)));
  }
  series(out, "newswatch_fetched_bytes_total", "counter", "Body bytes received (decoded).",
         static_cast<double>(totals.bytes));
  series(out, "newswatch_items_parsed_total", "counter", "Items parsed from fetched feeds.",
         static_cast<double>(items_parsed));
  series(out, "newswatch_items_new_total", "counter", "Items not seen before.", static_cast<double>(items_new));
  series(out, "newswatch_batches_unrecorded_total", "counter",
         "Fetches whose new items could not be recorded (state database, journal or matcher error, logged with the "
         "feed id); their items come again with the feed's next fetch.",
         static_cast<double>(batches_unrecorded));
  series(out, "newswatch_feed_states_unsaved_total", "counter",
         "Feed states (validators, URL, failures) that could not be written, logged with the feed id; the state is "
         "written again after the feed's next fetch, and until then a restart refetches the feed in full.",
         static_cast<double>(feed_states_unsaved));
  header(out, "newswatch_alerts_total", "counter", "Alerts journalled and published, by filter.");
  for (const auto& [k, v] : alerts_by_filter)
    sample(out, "newswatch_alerts_total", "filter=\"" + label(k) + "\"", static_cast<double>(v));
  header(out, "newswatch_story_updates_total", "counter",
         "Matches sent as story.<filter> updates instead of alerts (the filter's collapse), by filter.");
  for (const auto& [k, v] : story_updates_by_filter)
    sample(out, "newswatch_story_updates_total", "filter=\"" + label(k) + "\"", static_cast<double>(v));
  series(out, "newswatch_stories_total", "counter", "Stories started (an item unlike every story of the window).",
         static_cast<double>(stories_started));
  series(out, "newswatch_copies_total", "counter", "New items judged copies of an earlier item of the window.",
         static_cast<double>(story_copies));
  header(out, "newswatch_story_size", "histogram", "A story's size (items) as of each new item assigned to it.");
  story_size.render("newswatch_story_size", out);
  header(out, "newswatch_bursts_total", "counter", "burst.<filter> announcements, by level.");
  for (const auto& [k, v] : bursts_by_level)
    sample(out, "newswatch_bursts_total", "level=\"" + label(k) + "\"", static_cast<double>(v));
  series(out, "newswatch_publish_dropped_total", "counter",
         "Messages the PUB socket failed to send to anyone (a slow subscriber's losses at its high-water mark are not "
         "seen here: it detects them by seq and replays).",
         static_cast<double>(live.publish_dropped));
  header(out, "newswatch_reloads_total", "counter", "Config reloads by result.");
  for (const auto& [k, v] : reloads_by_result)
    sample(out, "newswatch_reloads_total", "result=\"" + label(k) + "\"", static_cast<double>(v));
  series(out, "newswatch_snapshot_generation", "gauge", "Generation of the live config snapshot.",
         static_cast<double>(live.snapshot_generation));
  series(out, "newswatch_last_seq", "gauge", "Highest alert sequence number assigned.",
         static_cast<double>(live.last_seq));
  series(out, "newswatch_feeds", "gauge", "Configured feeds.", static_cast<double>(live.feeds_total));
  series(out, "newswatch_feeds_failing", "gauge", "Feeds whose last fetch failed or that are gone.",
         static_cast<double>(live.feeds_failing));
  header(out, "newswatch_feed_last_success_timestamp_seconds", "gauge",
         "Time of the last successful poll, per feed; 0 when it has not succeeded since the daemon started.");
  for (const auto& [feed, stats] : per_feed) {
    // [wave3-ops] a feed that never succeeded has its series too, at 0
    const double t =
        stats.last_success ? std::chrono::duration<double>(stats.last_success->time_since_epoch()).count() : 0.0;
    sample(out, "newswatch_feed_last_success_timestamp_seconds", "feed=\"" + label(feed) + "\"", t);
  }
  header(out, "newswatch_parse_duration_seconds", "histogram", "Time to parse one fetched feed.");
  parse_seconds.render("newswatch_parse_duration_seconds", out);
  header(out, "newswatch_match_duration_seconds", "histogram", "Time to normalise and match one item.");
  match_seconds.render("newswatch_match_duration_seconds", out);
  header(out, "newswatch_fetch_duration_seconds", "histogram", "Time of one HTTP transfer.");
  fetch_seconds.render("newswatch_fetch_duration_seconds", out);
  return out;
}

// [wave3-ops] per-feed failure series (issue 19 item 4)
std::string render_feed_series(const std::vector<feeds::FeedView>& feeds) {
  std::string out;
  header(out, "newswatch_feed_consecutive_failures", "gauge",
         "Fetches of the feed that failed in a row (0 after a success); it backs off from 2.");
  for (const auto& f : feeds)
    sample(out, "newswatch_feed_consecutive_failures", "feed=\"" + label(f.spec.id) + "\"",
           static_cast<double>(f.runtime.failures));
  header(out, "newswatch_feed_gone", "gauge",
         "1 when the feed answered 410 Gone and is not polled until the config changes or a restart.");
  for (const auto& f : feeds)
    sample(out, "newswatch_feed_gone", "feed=\"" + label(f.spec.id) + "\"", f.runtime.gone ? 1 : 0);
  return out;
}

std::string render_cluster_series(const ClusterCounters& c, std::size_t members, std::uint64_t lag) {
  std::string out;
  series(out, "newswatch_cluster_members", "gauge", "Live members of the cluster as this node last saw them.",
         static_cast<double>(members));
  series(out, "newswatch_cluster_membership_changes_total", "counter", "Live member lists that differed from the last.",
         static_cast<double>(c.membership_changes));
  series(out, "newswatch_cluster_feeds_taken_over_total", "counter",
         "Feeds this node started polling because their host moved to it.", static_cast<double>(c.feeds_taken_over));
  series(out, "newswatch_cluster_feeds_taken_over_with_stories_total", "counter",
         "Feeds taken over whose previous owner's stories came with them.", static_cast<double>(c.stories_adopted));
  series(out, "newswatch_cluster_feeds_given_up_total", "counter", "Feeds whose host moved to another node.",
         static_cast<double>(c.feeds_given_up));
  series(out, "newswatch_cluster_stream_published_total", "counter",
         "Messages the stream acknowledged (duplicates it dropped included).", static_cast<double>(c.published));
  series(out, "newswatch_cluster_stream_duplicates_total", "counter",
         "Re-publications the stream dropped as duplicates.", static_cast<double>(c.duplicates));
  series(out, "newswatch_cluster_stream_errors_total", "counter",
         "Stream publications that failed (retried from the journal) and failed NATS calls.",
         static_cast<double>(c.publish_errors + c.nats_errors));
  series(out, "newswatch_cluster_stream_lag", "gauge", "Journalled messages not yet acknowledged by the stream.",
         static_cast<double>(lag));
  return out;
}

}  // namespace newswatch::daemon
