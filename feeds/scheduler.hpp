#pragma once
// Scheduler: per-feed due times with jitter on one Asio loop; hands due feeds to the
// HttpFetcher within per-host and global limits, never two fetches of one feed at once.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
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

class Scheduler {
 public:
  using ResultHandler = std::function<FetchVerdict(const FeedSpec&, FetchResult&)>;
  // Called after every state change of a feed (to persist it) and when a feed is gone.
  using StateHandler = std::function<void(const FeedSpec&, const FeedRuntime&)>;

  Scheduler(asio::io_context& io, HttpFetcher& fetcher, SchedulerOptions options, ResultHandler on_result,
            StateHandler on_state = {});
  ~Scheduler();

  // Replaces the feed list; unchanged feeds keep their schedule and state, new ones
  // start jittered, removed ones stop (an in-flight fetch of one is let finish).
  void set_feeds(const std::vector<FeedSpec>& feeds, const std::map<std::string, FeedRuntime>& restored = {});
  // Fetches every feed once, now, then calls `done` (for --once).
  void run_once(std::function<void()> done);
  // Stops scheduling; in-flight transfers are left to the fetcher.
  void stop();

  std::size_t in_flight() const { return in_flight_; }
  std::size_t feed_count() const { return feeds_.size(); }
  std::size_t failing_count() const;

 private:
  struct FeedState {
    FeedSpec spec;
    FeedRuntime runtime;
    std::chrono::steady_clock::time_point due;
    std::chrono::seconds interval{0};
    bool in_flight = false;
    bool queued = false;  // in due_ or a host queue
    bool removed = false;
    std::uint64_t generation = 0;
  };

  void schedule(FeedState& f, std::chrono::steady_clock::duration delay);
  void arm_timer();
  void on_timer();
  void dispatch();
  bool try_start(FeedState& f);
  void on_fetched(const std::string& id, std::uint64_t generation, FetchResult result);
  static std::string host_of(const std::string& url);

  asio::io_context& io_;
  HttpFetcher& fetcher_;
  SchedulerOptions options_;
  ResultHandler on_result_;
  StateHandler on_state_;
  asio::steady_timer timer_;
  std::unordered_map<std::string, std::unique_ptr<FeedState>> feeds_;
  std::multimap<std::chrono::steady_clock::time_point, std::pair<std::string, std::uint64_t>> due_;
  std::unordered_map<std::string, std::vector<std::string>> host_waiting_;
  std::unordered_map<std::string, int> host_active_;
  std::vector<std::string> global_waiting_;
  std::size_t in_flight_ = 0;
  std::uint64_t next_generation_ = 1;
  bool stopped_ = false;
  std::minstd_rand rng_;
  std::function<void()> once_done_;
  std::size_t once_pending_ = 0;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
};

}  // namespace newswatch::feeds
