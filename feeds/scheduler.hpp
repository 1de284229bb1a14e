#pragma once
// Scheduler: per-feed due times with jitter on one Asio loop; hands due feeds to the
// HttpFetcher within per-host and global limits, never two fetches of one feed at once.
//
// Ready feeds wait in one FIFO per host; hosts with a free connection slot take turns in a
// round-robin ring, so one host with thousands of feeds cannot starve the others and a
// dispatch costs O(fetches started), not O(feeds).

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "feeds/http_fetcher.hpp"
#include "feeds/poll_policy.hpp"

namespace newswatch::feeds {

struct SchedulerOptions {
  PollBounds bounds;
  std::chrono::milliseconds startup_delay{1000};  // first polls spread over [delay, delay + spread)
  std::chrono::milliseconds startup_spread{2000};
  int per_host_connections = 2;
  int max_in_flight = 256;
};

struct FeedSpec {
  std::string id;
  std::string url;
  std::optional<std::chrono::seconds> interval;
};

// What the scheduler keeps per feed, and what it restores after a restart.
struct FeedRuntime {
  std::string config_url;  // the URL the config gave; a change resets the state
  std::string url;         // the URL as redirected permanently
  std::string etag;
  std::string last_modified;
  int failures = 0;
  bool gone = false;
  std::string last_outcome;
};

// What the pipeline tells the scheduler after handling one fetch.
struct FetchVerdict {
  bool recorded = true;                     // items safely stored: validators may be kept
  std::optional<std::chrono::seconds> ttl;  // RSS <ttl>
  bool parse_failed = false;
};

// Counters of one feed (or of all feeds together) for the metrics endpoint. They only grow.
struct FeedStats {
  // Indexed by FetchOutcome; a 2xx whose body did not parse counts as parse_error, not ok.
  std::array<std::uint64_t, kFetchOutcomeCount> outcomes{};
  std::uint64_t bytes = 0;                                            // decoded body bytes received
  std::optional<std::chrono::system_clock::time_point> last_success;  // 200 parsed or 304

  std::uint64_t count(FetchOutcome o) const { return outcomes[static_cast<std::size_t>(o)]; }
  std::uint64_t total() const;
};

// Hands the pipeline's verdict on one fetch back to the scheduler. Call it exactly once, now
// or later (after the batch's transaction commits); later calls are ignored. Until it is
// called the feed counts as in flight (never fetched twice at once), but its connection slot
// is already free. Safe to call after the scheduler is gone.
class VerdictSink {
 public:
  VerdictSink() = default;
  explicit VerdictSink(std::function<void(FetchVerdict)> deliver)
      : state_(std::make_shared<State>(State{std::move(deliver), false})) {}
  void operator()(FetchVerdict verdict) const {
    if (!state_ || state_->given) return;
    state_->given = true;
    if (state_->deliver) state_->deliver(verdict);
  }
  bool given() const { return state_ && state_->given; }

 private:
  struct State {
    std::function<void(FetchVerdict)> deliver;
    bool given = false;
  };
  std::shared_ptr<State> state_;  // shared by the copies: the first call wins
};

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;
  // Receives every completed fetch (cancelled ones aside); the body may be moved out.
  using ResultHandler = std::function<void(const FeedSpec&, FetchResult&, VerdictSink)>;
  // Called when a feed's persistent state changed (URL, validators, failures, gone), to
  // persist it. A 304 that changes nothing writes nothing.
  using StateHandler = std::function<void(const FeedSpec&, const FeedRuntime&)>;

  Scheduler(asio::io_context& io, HttpFetcher& fetcher, SchedulerOptions options, ResultHandler on_result,
            StateHandler on_state = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the feed list. Unchanged feeds keep their schedule and state; a feed whose
  // interval alone changed keeps its state; new feeds and feeds whose URL changed start
  // afresh, jittered. Removed ones stop (an in-flight fetch is let finish, its result dropped).
  // A feed changed while in flight is fetched again, from its new URL, once that fetch ends.
  void set_feeds(const std::vector<FeedSpec>& feeds, const std::map<std::string, FeedRuntime>& restored = {});
  // New bounds and limits (at a reload): they govern every interval computed and every
  // dispatch from now on; due times already set stand. Startup settings are spent by then.
  void set_options(SchedulerOptions options);
  // Fetches every feed (not gone) once, now, within the limits, then calls `done` (for --once).
  // Nothing is rescheduled meanwhile: 429/503 and failures are not retried.
  void run_once(std::function<void()> done);
  // Stops scheduling; results of fetches still in flight are dropped unseen.
  void stop();

  std::size_t in_flight() const { return in_flight_; }
  // Kept up to date as feeds change, so asking costs nothing (status lines ask often).
  std::size_t feed_count() const { return live_count_; }
  std::size_t failing_count() const { return failing_count_; }
  // Per-feed counters, sorted by feed id, and the totals over every feed ever scheduled
  // (removed ones included, so totals never go down).
  std::vector<std::pair<std::string, FeedStats>> stats() const;
  const FeedStats& totals() const { return totals_; }
  // The runtime state of one feed (for tests and diagnostics); nullopt when unknown.
  std::optional<FeedRuntime> runtime(const std::string& id) const;
  // The delay the scheduler chose when it last (re)scheduled the feed, and when that falls
  // due: what the scheduler decided, read without waiting for the wall clock to show it.
  struct Schedule {
    Clock::duration delay{};
    Clock::time_point due{};
  };
  std::optional<Schedule> schedule_of(const std::string& id) const;

 private:
  struct FeedState {
    FeedSpec spec;
    FeedRuntime runtime;
    FeedStats stats;
    std::chrono::seconds interval{0};
    // RSS <ttl> of the last parsed body: a 304 has no body but the ttl still holds.
    std::optional<std::chrono::seconds> ttl;
    Clock::time_point due{};  // of the latest schedule()
    Clock::duration delay{};  // the delay that schedule() was given
    // Bumps when the URL changes: a result fetched under an older one is dropped.
    std::uint64_t config_generation = 0;
    // Bumps on every (re)schedule: due and ready entries of an older one are stale.
    std::uint64_t schedule_generation = 0;
    bool in_flight = false;
    std::uint64_t in_flight_config = 0;  // config_generation of the fetch in flight
    bool refetch = false;                // came due while a fetch of an older URL was in flight
    bool removed = false;
    // What feed_count()/failing_count() currently count this feed as.
    bool counted_live = false;
    bool counted_failing = false;
  };
  struct Entry {
    std::string id;
    std::uint64_t generation = 0;
  };
  struct Due {
    Clock::time_point when;
    Entry entry;
    bool operator>(const Due& o) const { return when > o.when; }
  };
  struct HostQueue {
    std::deque<Entry> ready;
    int active = 0;
    bool in_ring = false;
  };

  FeedState* live(const Entry& e);
  void schedule(FeedState& f, Clock::duration delay);
  void make_ready(FeedState& f);
  void offer_host(const std::string& host, HostQueue& q);
  int per_host_limit() const;
  void arm_timer();
  void on_timer();
  void dispatch();
  void start(FeedState& f, const std::string& host);
  void on_fetched(const std::string& id, std::uint64_t config_generation, FetchResult result);
  void apply_result(FeedState& f, FetchResult& result);
  void finish(const std::string& id, std::uint64_t config_generation, const FetchResult& result,
              const FetchVerdict& verdict);
  void recount(FeedState& f);
  void once_finished(const std::string& id);
  std::chrono::milliseconds startup_jitter();
  // `d` spread by ±10%, so feeds due together drift apart instead of hitting hosts in step.
  std::chrono::milliseconds jittered(std::chrono::milliseconds d);
  // The feed's own interval (or the default), clamped to the bounds; no server hints.
  std::chrono::seconds configured_interval(const FeedSpec& spec) const;
  static std::string host_of(const std::string& url);

  asio::io_context& io_;
  HttpFetcher& fetcher_;
  SchedulerOptions options_;
  ResultHandler on_result_;
  StateHandler on_state_;
  asio::steady_timer timer_;
  bool timer_armed_ = false;
  std::unordered_map<std::string, std::unique_ptr<FeedState>> feeds_;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
  std::unordered_map<std::string, HostQueue> hosts_;
  std::deque<std::string> ring_;  // hosts with ready feeds and a free slot, in turn
  std::size_t in_flight_ = 0;
  std::size_t live_count_ = 0;
  std::size_t failing_count_ = 0;
  std::uint64_t next_generation_ = 1;
  bool stopped_ = false;
  std::minstd_rand rng_;
  FeedStats totals_;
  bool once_active_ = false;
  std::unordered_set<std::string> once_pending_;
  std::function<void()> once_done_;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);  // handlers hold weak refs to it
};

}  // namespace newswatch::feeds
