#include "feeds/scheduler.hpp"

#include <algorithm>
#include <climits>

namespace newswatch::feeds {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::uint64_t FeedStats::total() const {
  std::uint64_t n = 0;
  for (auto c : outcomes)
    n += c;
  return n;
}

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

void Scheduler::recount(FeedState& f) {
  const bool live = !f.removed;
  const bool failing = live && (f.runtime.failures > 0 || f.runtime.gone);
  if (live != f.counted_live) live ? ++live_count_ : --live_count_;
  if (failing != f.counted_failing) failing ? ++failing_count_ : --failing_count_;
  f.counted_live = live;
  f.counted_failing = failing;
}

std::vector<std::pair<std::string, FeedStats>> Scheduler::stats() const {
  std::vector<std::pair<std::string, FeedStats>> out;
  out.reserve(feeds_.size());
  for (const auto& [id, f] : feeds_) {
    if (!f->removed) out.emplace_back(id, f->stats);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

std::optional<FeedRuntime> Scheduler::runtime(const std::string& id) const {
  auto it = feeds_.find(id);
  if (it == feeds_.end() || it->second->removed) return std::nullopt;
  return it->second->runtime;
}

std::optional<Scheduler::Schedule> Scheduler::schedule_of(const std::string& id) const {
  auto it = feeds_.find(id);
  if (it == feeds_.end() || it->second->removed) return std::nullopt;
  return Schedule{it->second->delay, it->second->due};
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

std::chrono::milliseconds Scheduler::startup_jitter() {
  std::uniform_int_distribution<long long> spread(0, std::max<long long>(options_.startup_spread.count(), 1) - 1);
  return options_.startup_delay + milliseconds(spread(rng_));
}

std::chrono::milliseconds Scheduler::jittered(std::chrono::milliseconds d) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return with_jitter(d, 0.1, unit(rng_));
}

std::chrono::seconds Scheduler::configured_interval(const FeedSpec& spec) const {
  return success_interval(options_.bounds, spec.interval, std::nullopt, std::nullopt);
}

void Scheduler::set_options(SchedulerOptions options) {
  options_ = std::move(options);
  // A higher per-host limit may free slots for hosts that were waiting; they are started
  // by the next dispatch (set_feeds ends with one), once a reload's removals are known.
  for (auto& [host, q] : hosts_)
    offer_host(host, q);
}

void Scheduler::set_feeds(const std::vector<FeedSpec>& specs, const std::map<std::string, FeedRuntime>& restored) {
  std::unordered_set<std::string> wanted;
  for (const auto& s : specs)
    wanted.insert(s.id);
  for (auto it = feeds_.begin(); it != feeds_.end();) {
    FeedState& f = *it->second;
    if (wanted.count(it->first) == 0 && !f.removed) {
      f.removed = true;  // queued entries of it are now stale
      recount(f);
      once_finished(it->first);
    }
    if (f.removed && !f.in_flight) {
      it = feeds_.erase(it);  // an in-flight one is erased when its fetch ends
      continue;
    }
    ++it;
  }
  const auto now = Clock::now();
  for (const auto& spec : specs) {
    auto it = feeds_.find(spec.id);
    if (it != feeds_.end() && !it->second->removed && it->second->spec.url == spec.url) {
      FeedState& f = *it->second;
      if (f.spec.interval == spec.interval) continue;  // unchanged: keeps schedule, validators and state
      // Only the interval changed: keep the state; poll sooner if the new interval asks for it.
      f.spec.interval = spec.interval;
      f.interval = configured_interval(spec);
      if (!f.in_flight && !f.runtime.gone && f.runtime.failures == 0 && !once_active_ && f.due > now + f.interval) {
        schedule(f, jittered(f.interval));
      }
      continue;
    }
    if (it == feeds_.end()) it = feeds_.emplace(spec.id, std::make_unique<FeedState>()).first;
    FeedState& f = *it->second;
    // New, re-added, or its URL changed: start afresh (restored state only if it is for this URL).
    f.removed = false;
    f.refetch = false;
    f.spec = spec;
    f.config_generation = next_generation_++;
    f.runtime = FeedRuntime{};
    f.ttl.reset();
    if (auto r = restored.find(spec.id); r != restored.end() && r->second.config_url == spec.url) {
      f.runtime = r->second;
    }
    f.runtime.config_url = spec.url;
    if (f.runtime.url.empty()) f.runtime.url = spec.url;
    f.runtime.gone = false;  // a config change (or restart) gives a gone feed another chance
    f.interval = configured_interval(spec);
    recount(f);
    // If a fetch of the old URL is in flight, its result is dropped and this due time
    // (or the end of that fetch, whichever is later) starts the new one.
    schedule(f, startup_jitter());
  }
  dispatch();  // slots freed by set_options, for the feeds that remain
  arm_timer();
}

void Scheduler::run_once(std::function<void()> done) {
  once_done_ = std::move(done);
  once_active_ = true;
  once_pending_.clear();
  for (auto& [id, f] : feeds_) {
    if (f->removed || f->runtime.gone) continue;
    once_pending_.insert(id);
    if (!f->in_flight) {
      schedule(*f, Clock::duration::zero());
    } else if (f->in_flight_config != f->config_generation) {
      f->refetch = true;  // the fetch in flight is for an old URL: fetch again when it ends
    }                     // else the fetch in flight counts as this cycle's
  }
  if (once_pending_.empty()) {
    once_finished({});
    return;
  }
  arm_timer();
}

void Scheduler::once_finished(const std::string& id) {
  if (!once_active_) return;
  once_pending_.erase(id);
  if (!once_pending_.empty()) return;
  once_active_ = false;
  // Posted: the caller may be deep inside a fetch completion.
  asio::post(io_, [cb = std::move(once_done_)] {
    if (cb) cb();
  });
  once_done_ = nullptr;
}

void Scheduler::stop() {
  stopped_ = true;
  timer_.cancel();
  timer_armed_ = false;
  due_ = {};
  hosts_.clear();
  ring_.clear();
}

Scheduler::FeedState* Scheduler::live(const Entry& e) {
  auto it = feeds_.find(e.id);
  if (it == feeds_.end()) return nullptr;
  FeedState* f = it->second.get();
  if (f->removed || f->schedule_generation != e.generation) return nullptr;
  return f;
}

void Scheduler::schedule(FeedState& f, Clock::duration delay) {
  if (stopped_) return;                        // results still arriving in the shutdown grace start nothing new
  f.schedule_generation = next_generation_++;  // earlier due and ready entries go stale
  f.due = Clock::now() + delay;
  f.delay = delay;
  due_.push(Due{f.due, Entry{f.spec.id, f.schedule_generation}});
}

void Scheduler::make_ready(FeedState& f) {
  if (stopped_) return;
  std::string host = host_of(f.runtime.url);
  HostQueue& q = hosts_[host];
  q.ready.push_back(Entry{f.spec.id, f.schedule_generation});
  offer_host(host, q);
}

int Scheduler::per_host_limit() const {
  return options_.per_host_connections > 0 ? options_.per_host_connections : INT_MAX;
}

void Scheduler::offer_host(const std::string& host, HostQueue& q) {
  if (!q.in_ring && !q.ready.empty() && q.active < per_host_limit()) {
    q.in_ring = true;
    ring_.push_back(host);
  }
}

void Scheduler::arm_timer() {
  if (stopped_) return;
  // Drop stale heads so the timer does not wake up for feeds that were rescheduled.
  while (!due_.empty() && live(due_.top().entry) == nullptr)
    due_.pop();
  if (due_.empty()) return;
  const auto when = due_.top().when;
  if (timer_armed_ && timer_.expiry() <= when) return;  // already waking up early enough
  timer_armed_ = true;
  timer_.expires_at(when);
  timer_.async_wait([this, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted || life.expired()) return;
    timer_armed_ = false;
    on_timer();
  });
}

void Scheduler::on_timer() {
  if (stopped_) return;
  const auto now = Clock::now();
  while (!due_.empty() && due_.top().when <= now) {
    const Entry entry = due_.top().entry;
    due_.pop();
    FeedState* f = live(entry);
    if (f == nullptr) continue;
    if (f->in_flight) {
      // Never two fetches of one feed. A fetch of the current URL absorbs this due time;
      // one of an old URL is followed by a fetch of the new one.
      if (f->in_flight_config != f->config_generation) f->refetch = true;
      continue;
    }
    make_ready(*f);
  }
  dispatch();
  arm_timer();
}

void Scheduler::dispatch() {
  if (stopped_) return;
  while (in_flight_ < static_cast<std::size_t>(std::max(options_.max_in_flight, 1)) && !ring_.empty()) {
    std::string host = std::move(ring_.front());
    ring_.pop_front();
    auto hit = hosts_.find(host);
    if (hit == hosts_.end()) continue;
    HostQueue& q = hit->second;
    q.in_ring = false;
    // Offered when it had a free slot; a reload may have lowered the limit since. It is
    // offered again when one of its fetches ends.
    if (q.active >= per_host_limit()) continue;
    FeedState* f = nullptr;
    while (f == nullptr && !q.ready.empty()) {
      f = live(q.ready.front());
      q.ready.pop_front();
      if (f != nullptr && f->in_flight) f = nullptr;
    }
    if (f != nullptr) {
      ++q.active;
      start(*f, host);
    }
    offer_host(host, q);  // back of the ring: hosts take turns
    if (q.ready.empty() && q.active == 0 && !q.in_ring) hosts_.erase(hit);
  }
}

void Scheduler::start(FeedState& f, const std::string& host) {
  ++in_flight_;
  f.in_flight = true;
  f.in_flight_config = f.config_generation;
  f.refetch = false;
  FetchRequest request{f.runtime.url, f.runtime.etag, f.runtime.last_modified};
  // The fetcher never runs `done` inside start(): it is always a later loop turn.
  fetcher_.start(std::move(request), [this, id = f.spec.id, config = f.config_generation, host,
                                      life = std::weak_ptr<int>(life_)](FetchResult r) {
    if (life.expired()) return;
    --in_flight_;
    if (auto h = hosts_.find(host); h != hosts_.end()) {
      --h->second.active;
      offer_host(host, h->second);
    }
    on_fetched(id, config, std::move(r));
    dispatch();
    arm_timer();
  });
}

void Scheduler::on_fetched(const std::string& id, std::uint64_t config_generation, FetchResult result) {
  auto it = feeds_.find(id);
  if (it == feeds_.end()) return;
  FeedState& f = *it->second;
  // Shutting down: a transfer that finished in the grace period is recorded as usual (schedule
  // and make_ready start nothing after stop); a cancelled one is fetched again by the next run.
  if (stopped_ && result.outcome == FetchOutcome::cancelled) {
    f.in_flight = false;
    return;
  }
  if (f.removed) {
    feeds_.erase(it);
    return;
  }
  if (config_generation != f.config_generation) {
    f.in_flight = false;
    // Fetched from a URL the config no longer names: count it, drop it, fetch the new one.
    if (result.outcome != FetchOutcome::cancelled) {
      ++f.stats.outcomes[static_cast<std::size_t>(result.outcome)];
      ++totals_.outcomes[static_cast<std::size_t>(result.outcome)];
    }
    if (f.refetch) {
      f.refetch = false;
      make_ready(f);
    }
    return;
  }
  apply_result(f, result);
}

void Scheduler::apply_result(FeedState& f, FetchResult& result) {
  if (result.outcome == FetchOutcome::cancelled) {  // not the feed's doing: try again later, no backoff
    f.in_flight = false;
    if (once_active_) {
      once_finished(f.spec.id);
    } else {
      schedule(f, jittered(f.interval));
    }
    return;
  }
  // The feed stays in flight until the verdict: its items may wait for a group commit. While
  // the handler runs the verdict reads `result` itself; after that, a copy without the body.
  struct Kept {
    const FetchResult* during_call = nullptr;
    FetchResult after;
  };
  auto kept = std::make_shared<Kept>();
  kept->during_call = &result;
  VerdictSink sink([this, life = std::weak_ptr<int>(life_), id = f.spec.id, config = f.config_generation,
                    kept](FetchVerdict verdict) {
    if (life.expired()) return;
    finish(id, config, kept->during_call != nullptr ? *kept->during_call : kept->after, verdict);
    dispatch();
    arm_timer();
  });
  try {
    if (on_result_) {
      on_result_(f.spec, result, sink);
    } else {
      sink(FetchVerdict{});
    }
  } catch (...) {  // no exception crosses the loop; a pipeline failure is this feed's parse failure
    FetchVerdict failed;
    failed.recorded = false;
    failed.parse_failed = true;
    sink(failed);
  }
  kept->during_call = nullptr;
  if (!sink.given()) {
    result.body.clear();
    result.body.shrink_to_fit();
    kept->after = std::move(result);
  }
}

// `result` is the fetch the verdict is about; its body may be gone.
void Scheduler::finish(const std::string& id, std::uint64_t config_generation, const FetchResult& result,
                       const FetchVerdict& verdict) {
  auto it = feeds_.find(id);
  if (it == feeds_.end()) return;
  FeedState& f = *it->second;
  f.in_flight = false;
  if (f.removed) {
    feeds_.erase(it);
    return;
  }
  if (config_generation != f.config_generation) {  // the URL changed while the verdict was pending
    if (f.refetch) {
      f.refetch = false;
      make_ready(f);
    }
    return;
  }
  const bool fetched = result.outcome == FetchOutcome::ok || result.outcome == FetchOutcome::not_modified;
  const bool success = fetched && !verdict.parse_failed;
  const FetchOutcome counted = fetched && verdict.parse_failed ? FetchOutcome::parse_error : result.outcome;
  for (FeedStats* s : {&f.stats, &totals_}) {
    ++s->outcomes[static_cast<std::size_t>(counted)];
    s->bytes += result.bytes;
    if (success) s->last_success = std::chrono::system_clock::now();
  }

  const FeedRuntime before = f.runtime;
  const auto now_sys = std::chrono::system_clock::now();
  std::optional<Clock::duration> next;
  f.runtime.last_outcome = to_string(counted);
  if (success) {
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
    if (result.outcome == FetchOutcome::ok) f.ttl = verdict.ttl;
    std::optional<seconds> freshness = parse_max_age(result.cache_control);
    if (!freshness && !result.expires.empty()) freshness = parse_expires(result.expires, now_sys);
    f.interval = success_interval(options_.bounds, f.spec.interval, f.ttl, freshness);
    next = jittered(f.interval);
  } else if (result.status == 410) {
    f.runtime.gone = true;  // stops until the config changes or the daemon restarts
  } else {
    ++f.runtime.failures;
    const auto base = configured_interval(f.spec);
    std::optional<seconds> retry;
    if (result.status == 429 || result.status == 503) retry = parse_retry_after(result.retry_after, now_sys);
    if (retry) {
      next = retry_after_delay(options_.bounds, *retry);  // the server's word: no jitter
    } else {
      next = jittered(failure_delay(options_.bounds, base, f.runtime.failures));
    }
  }
  recount(f);
  // last_outcome alone is diagnostic: not worth a database write per 304.
  const bool changed = before.url != f.runtime.url || before.etag != f.runtime.etag ||
                       before.last_modified != f.runtime.last_modified || before.failures != f.runtime.failures ||
                       before.gone != f.runtime.gone;
  if (changed && on_state_) on_state_(f.spec, f.runtime);
  if (once_active_) {
    once_finished(f.spec.id);
  } else if (next) {
    schedule(f, *next);
  }
}

}  // namespace newswatch::feeds
