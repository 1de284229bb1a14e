#include "feeds/scheduler.hpp"

#include <algorithm>

namespace newswatch::feeds {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

Scheduler::Scheduler(asio::io_context& io, HttpFetcher& fetcher, SchedulerOptions options, ResultHandler on_result,
                     StateHandler on_state)
    : io_(io),
      fetcher_(fetcher),
      options_(options),
      on_result_(std::move(on_result)),
      on_state_(std::move(on_state)),
      timer_(io),
      rng_(std::random_device{}()) {}

Scheduler::~Scheduler() { timer_.cancel(); }

std::size_t Scheduler::failing_count() const {
  return static_cast<std::size_t>(std::count_if(feeds_.begin(), feeds_.end(), [](const auto& kv) {
    return kv.second->runtime.failures > 0 || kv.second->runtime.gone;
  }));
}

std::string Scheduler::host_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {};
  const auto start = scheme_end + 3;
  auto end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::transform(authority.begin(), authority.end(), authority.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return authority;  // host:port: a different port is a different server
}

void Scheduler::set_feeds(const std::vector<FeedSpec>& specs, const std::map<std::string, FeedRuntime>& restored) {
  std::unordered_map<std::string, const FeedSpec*> wanted;
  for (const auto& s : specs)
    wanted.emplace(s.id, &s);
  for (auto it = feeds_.begin(); it != feeds_.end();) {
    if (wanted.count(it->first) == 0) {
      it->second->removed = true;
      it->second->generation = 0;  // invalidates queued entries
      if (!it->second->in_flight) {
        it = feeds_.erase(it);
        continue;
      }
    }
    ++it;
  }
  std::uniform_int_distribution<long long> spread(0, std::max<long long>(options_.startup_spread.count(), 1) - 1);
  for (const auto& spec : specs) {
    auto it = feeds_.find(spec.id);
    if (it != feeds_.end() && !it->second->removed && it->second->spec.url == spec.url &&
        it->second->spec.interval == spec.interval) {
      continue;  // unchanged: keeps schedule, validators and state
    }
    auto state = std::make_unique<FeedState>();
    state->spec = spec;
    if (auto r = restored.find(spec.id); r != restored.end() && r->second.config_url == spec.url) {
      state->runtime = r->second;
    }
    state->runtime.config_url = spec.url;
    if (state->runtime.url.empty()) state->runtime.url = spec.url;
    state->runtime.gone = false;  // a config change (or restart) gives a gone feed another chance
    state->interval = success_interval(options_.bounds, spec.interval, std::nullopt, std::nullopt);
    if (it != feeds_.end() && it->second->in_flight) {
      // Changed while fetching: the old fetch's result is dropped by generation.
      state->in_flight = false;
    }
    FeedState& ref = *state;
    feeds_[spec.id] = std::move(state);
    schedule(ref, options_.startup_delay + milliseconds(spread(rng_)));
  }
  arm_timer();
}

void Scheduler::run_once(std::function<void()> done) {
  once_done_ = std::move(done);
  once_pending_ = 0;
  for (auto& [id, f] : feeds_) {
    if (f->removed || f->runtime.gone) continue;
    ++once_pending_;
    schedule(*f, Clock::duration::zero());
  }
  if (once_pending_ == 0) {
    asio::post(io_, [cb = std::move(once_done_)] {
      if (cb) cb();
    });
    return;
  }
  arm_timer();
}

void Scheduler::stop() {
  stopped_ = true;
  timer_.cancel();
  due_.clear();
  host_waiting_.clear();
  global_waiting_.clear();
}

void Scheduler::schedule(FeedState& f, Clock::duration delay) {
  f.generation = next_generation_++;
  f.queued = true;
  due_.emplace(Clock::now() + delay, std::make_pair(f.spec.id, f.generation));
  f.due = Clock::now() + delay;
}

void Scheduler::arm_timer() {
  if (stopped_ || due_.empty()) return;
  timer_.expires_at(due_.begin()->first);
  timer_.async_wait([this, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted || life.expired()) return;
    on_timer();
  });
}

void Scheduler::on_timer() {
  if (stopped_) return;
  const auto now = Clock::now();
  while (!due_.empty() && due_.begin()->first <= now) {
    auto [id, generation] = due_.begin()->second;
    due_.erase(due_.begin());
    auto it = feeds_.find(id);
    if (it == feeds_.end() || it->second->generation != generation || it->second->removed) continue;
    global_waiting_.push_back(id);
  }
  dispatch();
  arm_timer();
}

void Scheduler::dispatch() {
  std::vector<std::string> still_waiting;
  for (auto& id : global_waiting_) {
    auto it = feeds_.find(id);
    if (it == feeds_.end() || it->second->removed) continue;
    if (in_flight_ >= static_cast<std::size_t>(options_.max_in_flight) || !try_start(*it->second)) {
      if (!it->second->in_flight) still_waiting.push_back(id);
    }
  }
  global_waiting_.swap(still_waiting);
}

bool Scheduler::try_start(FeedState& f) {
  if (f.in_flight) return true;  // never two fetches of one feed: this due time is absorbed
  const std::string host = host_of(f.runtime.url);
  int& active = host_active_[host];
  if (active >= options_.per_host_connections) return false;
  ++active;
  ++in_flight_;
  f.in_flight = true;
  f.queued = false;
  FetchRequest request{f.runtime.url, f.runtime.etag, f.runtime.last_modified};
  fetcher_.start(std::move(request), [this, id = f.spec.id, generation = f.generation, host,
                                      life = std::weak_ptr<int>(life_)](FetchResult r) {
    if (life.expired()) return;
    --host_active_[host];
    --in_flight_;
    on_fetched(id, generation, std::move(r));
    dispatch();
    arm_timer();
  });
  return true;
}

void Scheduler::on_fetched(const std::string& id, std::uint64_t generation, FetchResult result) {
  auto it = feeds_.find(id);
  if (it == feeds_.end()) return;
  FeedState& f = *it->second;
  f.in_flight = false;
  const bool counted_once = once_pending_ > 0;
  if (f.removed) {
    feeds_.erase(it);
  } else if (f.generation == generation) {
    FetchVerdict verdict;
    try {
      verdict = on_result_ ? on_result_(f.spec, result) : FetchVerdict{};
    } catch (...) {
      verdict.recorded = false;
      verdict.parse_failed = true;
    }
    const auto now_sys = std::chrono::system_clock::now();
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const auto success = result.outcome == FetchOutcome::ok || result.outcome == FetchOutcome::not_modified;
    std::optional<Clock::duration> next;
    f.runtime.last_outcome = to_string(result.outcome);
    if (success && !verdict.parse_failed) {
      f.runtime.failures = 0;
      if (verdict.recorded) {
        // Store validators only once the items are safely recorded (else a lost batch hides forever).
        if (result.outcome == FetchOutcome::ok) {
          f.runtime.etag = result.etag;
          f.runtime.last_modified = result.last_modified;
        } else {
          if (!result.etag.empty()) f.runtime.etag = result.etag;
          if (!result.last_modified.empty()) f.runtime.last_modified = result.last_modified;
        }
      }
      if (!result.permanent_url.empty()) f.runtime.url = result.permanent_url;
      std::optional<seconds> freshness = parse_max_age(result.cache_control);
      if (!freshness && !result.expires.empty()) freshness = parse_expires(result.expires, now_sys);
      f.interval = success_interval(options_.bounds, f.spec.interval, verdict.ttl, freshness);
      next = with_jitter(f.interval, 0.1, unit(rng_));
    } else if (result.status == 410) {
      f.runtime.gone = true;  // stops until the config changes or the daemon restarts
    } else {
      ++f.runtime.failures;
      const auto base = success_interval(options_.bounds, f.spec.interval, std::nullopt, std::nullopt);
      std::optional<seconds> retry;
      if (result.status == 429 || result.status == 503) retry = parse_retry_after(result.retry_after, now_sys);
      if (retry) {
        next = retry_after_delay(options_.bounds, *retry);  // the server's word: no jitter
      } else {
        next = with_jitter(failure_delay(options_.bounds, base, f.runtime.failures), 0.1, unit(rng_));
      }
    }
    if (on_state_) on_state_(f.spec, f.runtime);
    if (next && !stopped_ && !once_done_) schedule(f, *next);
  }
  if (counted_once && --once_pending_ == 0 && once_done_) {
    auto cb = std::move(once_done_);
    once_done_ = nullptr;
    asio::post(io_, [cb = std::move(cb)] { cb(); });
  }
}

}  // namespace newswatch::feeds
