// Scheduler + HttpFetcher on a real io_context against real HTTP servers on 127.0.0.1
// (tests/integration/scripted_server.py): limits seen from the server side, conditional
// GET across cycles, redirects, 410, Retry-After, fairness, config changes in flight.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "feeds/scheduler.hpp"
#include "scripted_server.hpp"

namespace newswatch::feeds {
namespace {

using namespace std::chrono_literals;
using test::ScriptedServer;

FetchOptions quick_fetch() {
  FetchOptions o;
  o.connect_timeout = 2s;
  o.timeout = 3s;
  o.low_speed_time = 2s;
  return o;
}

// "prefix" + std::to_string(n) trips a false -Wrestrict in GCC 12 at -O3 (bug 105329).
std::string cat(const char* prefix, long n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

SchedulerOptions quick_schedule(int per_host = 2, int max_in_flight = 64) {
  SchedulerOptions o;
  o.bounds.default_interval = 1s;
  o.bounds.min_interval = 1s;
  o.bounds.max_interval = 60s;
  o.bounds.max_backoff = 60s;
  o.startup_delay = 0ms;
  o.startup_spread = 1ms;
  o.per_host_connections = per_host;
  o.max_in_flight = max_in_flight;
  return o;
}

// Feeds <name>0 .. <name>(n-1), served at /feed/<name><k><query>.
std::vector<FeedSpec> numbered_feeds(const ScriptedServer& server, const char* name, int n,
                                     const std::string& query = "") {
  std::vector<FeedSpec> out;
  for (int k = 0; k < n; ++k)
    out.push_back({cat(name, k), server.url("/feed/" + cat(name, k) + query), {}, {}});
  return out;
}

// The delay the scheduler last chose for `id`, in seconds.
double chosen_delay(const Scheduler& s, const std::string& id) {
  auto sch = s.schedule_of(id);
  return sch ? std::chrono::duration<double>(sch->delay).count() : -1;
}

// One io_context, fetcher and scheduler; records every result and state change.
struct Rig {
  explicit Rig(SchedulerOptions so = quick_schedule(), FetchOptions fo = quick_fetch())
      : fetcher(io, fo),
        scheduler(
            io, fetcher, so,
            [this](const FeedSpec& spec, FetchResult& r, VerdictSink done) {
              results.emplace_back(spec.id, r);
              if (hold_verdicts) {
                held.push_back(std::move(done));
                return;
              }
              done(verdict_for ? verdict_for(spec, r) : FetchVerdict{});
            },
            [this](const FeedSpec& spec, const FeedRuntime& rt) { states.emplace_back(spec.id, rt); }) {}

  void once() {
    bool finished = false;
    scheduler.run_once([&] {
      finished = true;
      io.stop();
    });
    io.restart();
    io.run_for(30s);
    ASSERT_TRUE(finished) << "run_once did not finish";
  }
  // Runs the loop until `pred` holds or `limit` passes.
  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    io.restart();
    while (!pred() && std::chrono::steady_clock::now() < deadline)
      io.run_for(20ms);
    return pred();
  }
  std::size_t results_for(const std::string& id) const {
    std::size_t n = 0;
    for (const auto& [fid, r] : results)
      n += fid == id ? 1 : 0;
    return n;
  }

  asio::io_context io;
  HttpFetcher fetcher;
  Scheduler scheduler;
  std::function<FetchVerdict(const FeedSpec&, FetchResult&)> verdict_for;
  bool hold_verdicts = false;  // verdicts wait in `held` (as for a group commit) until given
  std::vector<VerdictSink> held;
  std::vector<std::pair<std::string, FetchResult>> results;
  std::vector<std::pair<std::string, FeedRuntime>> states;
};

TEST(SchedulerTest, PerHostLimitSeenFromTheServer) {
  ScriptedServer server;
  Rig rig(quick_schedule(/*per_host=*/3));
  rig.scheduler.set_feeds(numbered_feeds(server, "f", 24, "?delay=0.1"));
  rig.once();
  EXPECT_EQ(rig.results.size(), 24U);
  const auto log = server.log();
  EXPECT_EQ(log["requests"].size(), 24U);
  EXPECT_EQ(log["max_connections"], 3) << "never more than 3, and the limit was actually used";
}

TEST(SchedulerTest, ThousandFeedsFromOneServerInOneCycle) {
  ScriptedServer server;
  Rig rig(quick_schedule(/*per_host=*/8, /*max_in_flight=*/64));
  rig.scheduler.set_feeds(numbered_feeds(server, "feed-", 1000, "?etag=1"));
  const auto t0 = std::chrono::steady_clock::now();
  rig.once();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(rig.results.size(), 1000U);
  const auto log = server.log();
  std::set<std::string> paths;
  for (const auto& r : log["requests"])
    paths.insert(r["path"].get<std::string>());
  EXPECT_EQ(log["requests"].size(), 1000U);
  EXPECT_EQ(paths.size(), 1000U) << "each feed exactly once";
  EXPECT_LE(log["max_connections"].get<int>(), 8);
  EXPECT_EQ(rig.scheduler.totals().count(FetchOutcome::ok), 1000U);
  RecordProperty("cycle_ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));

  // The next cycle sends the stored ETags: all 304, and nothing to persist.
  rig.states.clear();
  rig.once();
  EXPECT_EQ(rig.scheduler.totals().count(FetchOutcome::not_modified), 1000U);
  EXPECT_TRUE(rig.states.empty()) << "an unchanged 304 writes nothing";
}

TEST(SchedulerTest, ValidatorsKeptOnlyWhenRecorded) {
  ScriptedServer server;
  Rig rig;
  rig.verdict_for = [](const FeedSpec& spec, FetchResult&) {
    FetchVerdict v;
    v.recorded = spec.id != "unrecorded";
    return v;
  };
  rig.scheduler.set_feeds({{"recorded", server.url("/feed/a?etag=1&lm=1"), {}, {}},
                           {"unrecorded", server.url("/feed/b?etag=1&lm=1"), {}, {}}});
  rig.once();
  rig.once();
  auto a = server.requests("/feed/a");
  auto b = server.requests("/feed/b");
  ASSERT_EQ(a.size(), 2U);
  ASSERT_EQ(b.size(), 2U);
  EXPECT_EQ(a[1]["status"], 304);
  EXPECT_EQ(a[1]["ims"], "Thu, 20 Dec 2012 18:05:00 GMT");
  EXPECT_EQ(b[1]["status"], 200) << "items not recorded: the feed must come again in full";
  EXPECT_TRUE(b[1]["inm"].is_null());
}

// A verdict given later (after a group commit) is what the validators wait for, and until it
// comes the feed is not fetched again, however often it falls due.
TEST(SchedulerTest, AHeldVerdictKeepsTheFeedInFlightAndItsValidatorsBack) {
  ScriptedServer server;
  Rig rig;
  rig.hold_verdicts = true;
  rig.scheduler.set_feeds({{"held", server.url("/feed/held?etag=1"), 1s, {}}});
  ASSERT_TRUE(rig.run_until([&] { return rig.held.size() == 1; }, 3000ms));
  rig.run_until([] { return false; }, 2500ms);  // more than two intervals
  EXPECT_EQ(server.requests("/feed/held").size(), 1U) << "fetched again while its verdict was pending";
  EXPECT_EQ(rig.scheduler.in_flight(), 0U) << "its connection slot is free meanwhile";
  EXPECT_TRUE(rig.scheduler.runtime("held")->etag.empty()) << "validators before the verdict";
  EXPECT_TRUE(rig.states.empty());
  rig.hold_verdicts = false;
  auto done = std::move(rig.held.front());
  rig.held.clear();
  done(FetchVerdict{});
  done(FetchVerdict{});  // a second call is ignored
  EXPECT_FALSE(rig.scheduler.runtime("held")->etag.empty());
  ASSERT_EQ(rig.states.size(), 1U) << "persisted once, after the verdict";
  ASSERT_TRUE(rig.run_until([&] { return server.requests("/feed/held").size() == 2; }, 3000ms));
  EXPECT_EQ(server.requests("/feed/held")[1]["status"], 304);
}

// feed_count()/failing_count() follow additions, removals, failures and recoveries.
TEST(SchedulerTest, CountsFollowTheFeeds) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"ok", server.url("/feed/ok"), {}, {}},
                           {"bad", server.url("/status/500"), {}, {}},
                           {"gone", server.url("/status/410"), {}, {}}});
  EXPECT_EQ(rig.scheduler.feed_count(), 3U);
  EXPECT_EQ(rig.scheduler.failing_count(), 0U);
  rig.once();
  EXPECT_EQ(rig.scheduler.failing_count(), 2U);
  rig.scheduler.set_feeds({{"ok", server.url("/feed/ok"), {}, {}}, {"bad", server.url("/feed/fixed"), {}, {}}});
  EXPECT_EQ(rig.scheduler.feed_count(), 2U);
  EXPECT_EQ(rig.scheduler.failing_count(), 0U) << "a changed URL starts afresh; a removed feed is not counted";
  rig.once();
  EXPECT_EQ(rig.scheduler.failing_count(), 0U);
  rig.scheduler.set_feeds({});
  EXPECT_EQ(rig.scheduler.feed_count(), 0U);
}

TEST(SchedulerTest, PermanentRedirectMovesTheFeedTemporaryDoesNot) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"moved", server.url("/redirect/301/feed/new"), {}, {}},
                           {"visiting", server.url("/redirect/302/feed/elsewhere"), {}, {}}});
  rig.once();
  EXPECT_EQ(rig.scheduler.runtime("moved")->url, server.url("/feed/new"));
  EXPECT_EQ(rig.scheduler.runtime("moved")->config_url, server.url("/redirect/301/feed/new"));
  EXPECT_EQ(rig.scheduler.runtime("visiting")->url, server.url("/redirect/302/feed/elsewhere"));
  rig.once();
  EXPECT_EQ(server.requests("/redirect/301").size(), 1U) << "the second cycle goes straight to the new URL";
  EXPECT_EQ(server.requests("/feed/new").size(), 2U);
  EXPECT_EQ(server.requests("/redirect/302").size(), 2U);
  // The move is persisted.
  bool saved = false;
  for (const auto& [id, rt] : rig.states)
    saved = saved || (id == "moved" && rt.url == server.url("/feed/new"));
  EXPECT_TRUE(saved);
}

TEST(SchedulerTest, GoneFeedStopsUntilTheConfigChanges) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"gone", server.url("/status/410"), {}, {}}, {"alive", server.url("/feed/alive"), {}, {}}});
  ASSERT_TRUE(rig.run_until([&] { return rig.results_for("alive") >= 3; }, 6000ms));
  EXPECT_EQ(server.requests("/status/410").size(), 1U);
  EXPECT_TRUE(rig.scheduler.runtime("gone")->gone);
  EXPECT_EQ(rig.scheduler.failing_count(), 1U);
  ASSERT_FALSE(rig.states.empty());
  bool saved = false;
  for (const auto& [id, rt] : rig.states)
    saved = saved || (id == "gone" && rt.gone);
  EXPECT_TRUE(saved) << "gone is persisted";
  // A reload with the same config keeps it gone; a changed URL brings it back.
  rig.scheduler.set_feeds({{"gone", server.url("/status/410"), {}, {}}, {"alive", server.url("/feed/alive"), {}, {}}});
  rig.run_until([] { return false; }, 300ms);
  EXPECT_EQ(server.requests("/status/410").size(), 1U);
  rig.scheduler.set_feeds({{"gone", server.url("/feed/back"), {}, {}}, {"alive", server.url("/feed/alive"), {}, {}}});
  EXPECT_TRUE(rig.run_until([&] { return server.requests("/feed/back").size() == 1; }, 3000ms));
}

// 429 and 503, Retry-After as delta-seconds and as an HTTP-date: no fetch before then.
TEST(SchedulerTest, RetryAfterIsHonoured) {
  ScriptedServer server;
  Rig rig;
  const std::map<std::string, double> min_gap = {
      {"/status/429?retry_after=3", 3.0},
      {"/status/503?retry_after=3", 3.0},
      // An HTTP-date has whole seconds: "now + 4 s" is at least 3 s away once truncated.
      {"/status/429?retry_after_date=4", 3.0},
      {"/status/503?retry_after_date=4", 3.0},
  };
  std::vector<FeedSpec> feeds;
  int n = 0;
  for (const auto& [path, gap] : min_gap)
    feeds.push_back({cat("r", n++), server.url(path), {}, {}});
  rig.scheduler.set_feeds(feeds);
  ASSERT_TRUE(rig.run_until(
      [&] {
        for (const auto& [path, gap] : min_gap)
          if (server.requests(path).size() < 2) return false;
        return true;
      },
      8000ms));
  for (const auto& [path, gap] : min_gap) {
    auto reqs = server.requests(path);
    const double seen = reqs[1]["t"].get<double>() - reqs[0]["t"].get<double>();
    EXPECT_GE(seen, gap - 0.05) << path;
  }
  // What the scheduler decided for the latest answer (the wall clock can only add to it): the
  // server's word, not backed off further. A date counts whole seconds from when it is read.
  for (int k = 0; k < n; ++k) {
    const double chosen = chosen_delay(rig.scheduler, cat("r", k));
    EXPECT_GE(chosen, 2.0) << cat("r", k);
    EXPECT_LE(chosen, 4.0) << cat("r", k) << ": honoured as given, not backed off further";
  }
  EXPECT_EQ(rig.scheduler.stats().size(), 4U);
}

// "Retry-After: 0" and a date already past are the server's word too, but taken literally
// they refetched at once, every time: a hot loop against a failing server.
TEST(SchedulerTest, RetryAfterNowWaitsASecond) {
  ScriptedServer server;
  Rig rig;
  const std::string paths[] = {"/status/503?retry_after=0", "/status/429?retry_after_date=-30"};
  rig.scheduler.set_feeds({{"zero", server.url(paths[0]), {}, {}}, {"past", server.url(paths[1]), {}, {}}});
  rig.run_until([] { return false; }, 1500ms);
  for (const auto& path : paths) {
    auto reqs = server.requests(path);
    ASSERT_GE(reqs.size(), 2U) << path << ": retried";
    EXPECT_LE(reqs.size(), 3U) << path << ": at most one fetch a second";
    EXPECT_GE(reqs[1]["t"].get<double>() - reqs[0]["t"].get<double>(), 0.95) << path;
  }
}

TEST(SchedulerTest, FailuresBackOff) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"missing", server.url("/status/404"), {}, {}}});
  ASSERT_TRUE(rig.run_until([&] { return rig.results.size() >= 2; }, 5000ms));
  auto reqs = server.requests("/status/404");
  ASSERT_GE(reqs.size(), 2U);
  const double gap = reqs[1]["t"].get<double>() - reqs[0]["t"].get<double>();
  EXPECT_GE(gap, 1.8) << "1 s interval doubled after one failure (±10% jitter)";
  EXPECT_EQ(rig.scheduler.runtime("missing")->failures, 2);
  EXPECT_NEAR(chosen_delay(rig.scheduler, "missing"), 4.0, 0.41) << "doubled again after the second";
  EXPECT_EQ(rig.scheduler.stats()[0].second.count(FetchOutcome::http_error), 2U);
}

// RSS <ttl> stretches the interval, and still does after a 304 (which has no body to parse).
TEST(SchedulerTest, TtlOutlivesNotModified) {
  ScriptedServer server;
  Rig rig;
  rig.verdict_for = [](const FeedSpec&, FetchResult& r) {
    FetchVerdict v;
    if (r.outcome == FetchOutcome::ok) v.ttl = 2s;  // what the parser would read from <ttl>
    return v;
  };
  rig.scheduler.set_feeds({{"slow-news", server.url("/feed/ttl?etag=1"), {}, {}}});  // interval 1 s
  ASSERT_TRUE(rig.run_until([&] { return server.requests("/feed/ttl").size() >= 3; }, 7000ms));
  auto reqs = server.requests("/feed/ttl");
  EXPECT_EQ(reqs[1]["status"], 304);
  EXPECT_GE(reqs[1]["t"].get<double>() - reqs[0]["t"].get<double>(), 1.75) << "ttl after a 200";
  EXPECT_GE(reqs[2]["t"].get<double>() - reqs[1]["t"].get<double>(), 1.75) << "ttl after a 304";
  EXPECT_NEAR(chosen_delay(rig.scheduler, "slow-news"), 2.0, 0.21);
}

// A reload's new bounds govern the next interval the scheduler computes.
TEST(SchedulerTest, NewOptionsGovernTheNextInterval) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"news", server.url("/feed/news"), {}, {}}});  // 1 s interval
  ASSERT_TRUE(rig.run_until([&] { return rig.results.size() >= 1; }, 3000ms));
  EXPECT_NEAR(chosen_delay(rig.scheduler, "news"), 1.0, 0.11) << "before the change";
  SchedulerOptions slower = quick_schedule();
  slower.bounds.min_interval = 3s;
  rig.scheduler.set_options(slower);
  ASSERT_TRUE(rig.run_until([&] { return server.requests("/feed/news").size() >= 3; }, 8000ms));
  const auto reqs = server.requests("/feed/news");
  // The second poll was due before the change; the third is spaced by the new minimum.
  EXPECT_GE(reqs[2]["t"].get<double>() - reqs[1]["t"].get<double>(), 2.7) << "min_interval 3 s (±10% jitter)";
  EXPECT_NEAR(chosen_delay(rig.scheduler, "news"), 3.0, 0.31);
}

// A reload raising the per-host limit lets waiting feeds of a busy host start at once, as the
// daemon applies it: new options, then the feed list.
TEST(SchedulerTest, AHigherHostLimitStartsWaitingFeeds) {
  ScriptedServer server;
  Rig rig(quick_schedule(/*per_host=*/1));
  const auto feeds = numbered_feeds(server, "slow", 3, "?delay=2");
  rig.scheduler.set_feeds(feeds);
  ASSERT_TRUE(rig.run_until([&] { return server.requests("/feed/slow").size() >= 1; }, 4000ms));
  rig.scheduler.set_options(quick_schedule(/*per_host=*/3));
  rig.scheduler.set_feeds(feeds);
  ASSERT_TRUE(rig.run_until([&] { return server.requests("/feed/slow").size() >= 3; }, 4000ms));
  const auto reqs = server.requests("/feed/slow");
  // With one slot, the others would wait for the first's 2 s answer to end.
  EXPECT_TRUE(!reqs[0].contains("end") || reqs[2]["t"].get<double>() < reqs[0]["end"].get<double>())
      << "the third started only after the first had ended";
  EXPECT_EQ(server.log()["max_connections"], 3);
}

// Cache-Control: max-age longer than the interval is the server saying when news can change.
TEST(SchedulerTest, MaxAgeStretchesTheInterval) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"fresh", server.url("/feed/fresh?maxage=2"), {}, {}},  // interval 1 s
                           {"plain", server.url("/feed/plain"), {}, {}}});
  ASSERT_TRUE(rig.run_until([&] { return server.requests("/feed/fresh").size() >= 2; }, 6000ms));
  const auto fresh = server.requests("/feed/fresh");
  EXPECT_GE(fresh[1]["t"].get<double>() - fresh[0]["t"].get<double>(), 1.75) << "max-age=2 over a 1 s interval";
  EXPECT_NEAR(chosen_delay(rig.scheduler, "fresh"), 2.0, 0.21);
  EXPECT_NEAR(chosen_delay(rig.scheduler, "plain"), 1.0, 0.11) << "without it, the 1 s interval";
}

// A host whose feeds are slow must not starve another host's feeds.
TEST(SchedulerTest, HostsTakeTurns) {
  ScriptedServer busy;
  ScriptedServer quiet;
  Rig rig(quick_schedule(/*per_host=*/2, /*max_in_flight=*/3));
  auto feeds = numbered_feeds(busy, "busy", 30, "?delay=0.1");
  const auto quiet_feeds = numbered_feeds(quiet, "quiet", 4);
  feeds.insert(feeds.end(), quiet_feeds.begin(), quiet_feeds.end());
  rig.scheduler.set_feeds(feeds);
  rig.once();
  ASSERT_EQ(rig.results.size(), 34U);
  std::size_t last_quiet = 0;
  for (std::size_t i = 0; i < rig.results.size(); ++i)
    if (rig.results[i].first.rfind("quiet", 0) == 0) last_quiet = i;
  EXPECT_LT(last_quiet, 12U) << "the quiet host's feeds waited behind the busy host's";
}

TEST(SchedulerTest, FeedChangedWhileInFlightIsNeverFetchedTwiceAtOnce) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"x", server.url("/feed/old?delay=1"), {}, {}}});
  ASSERT_TRUE(rig.run_until([&] { return rig.scheduler.in_flight() == 1; }, 2000ms));
  rig.scheduler.set_feeds({{"x", server.url("/feed/new"), {}, {}}});
  ASSERT_TRUE(rig.run_until([&] { return !rig.results.empty(); }, 4000ms));
  auto old_reqs = server.requests("/feed/old");
  auto new_reqs = server.requests("/feed/new");
  ASSERT_EQ(old_reqs.size(), 1U);
  ASSERT_EQ(new_reqs.size(), 1U);
  EXPECT_GE(new_reqs[0]["t"].get<double>(), old_reqs[0]["end"].get<double>()) << "two fetches of one feed at once";
  ASSERT_EQ(rig.results.size(), 1U) << "the result for the old URL is dropped";
  EXPECT_EQ(rig.results[0].second.effective_url, server.url("/feed/new"));
}

TEST(SchedulerTest, RemovedWhileInFlightIsDroppedAndOnceStillFinishes) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds(
      {{"keep", server.url("/feed/keep"), {}, {}}, {"drop", server.url("/feed/drop?delay=0.5"), {}, {}}});
  bool finished = false;
  rig.scheduler.run_once([&] { finished = true; });
  ASSERT_TRUE(rig.run_until([&] { return rig.scheduler.in_flight() == 1 && rig.results.size() == 1; }, 3000ms));
  rig.scheduler.set_feeds({{"keep", server.url("/feed/keep"), {}, {}}});
  ASSERT_TRUE(rig.run_until([&] { return finished; }, 3000ms));
  rig.run_until([] { return false; }, 700ms);
  EXPECT_EQ(rig.results_for("drop"), 0U);
  EXPECT_EQ(rig.scheduler.feed_count(), 1U);
  EXPECT_EQ(rig.scheduler.in_flight(), 0U);
}

TEST(SchedulerTest, OutcomesAreCountedPerFeed) {
  ScriptedServer server;
  Rig rig(quick_schedule(), [] {
    auto o = quick_fetch();
    o.max_body_size = 10000;
    return o;
  }());
  rig.verdict_for = [](const FeedSpec& spec, FetchResult&) {
    FetchVerdict v;
    v.parse_failed = spec.id == "garbled";
    return v;
  };
  rig.scheduler.set_feeds({{"fine", server.url("/feed/fine?etag=1"), {}, {}},
                           {"garbled", server.url("/feed/garbled"), {}, {}},
                           {"broken", server.url("/status/500"), {}, {}},
                           {"huge", server.url("/big?size=100000"), {}, {}}});
  rig.once();
  rig.once();
  std::map<std::string, FeedStats> by_id;
  for (auto& [id, s] : rig.scheduler.stats())
    by_id[id] = s;
  EXPECT_EQ(by_id["fine"].count(FetchOutcome::ok), 1U);
  EXPECT_EQ(by_id["fine"].count(FetchOutcome::not_modified), 1U);
  EXPECT_TRUE(by_id["fine"].last_success.has_value());
  EXPECT_GT(by_id["fine"].bytes, 0U);
  EXPECT_EQ(by_id["garbled"].count(FetchOutcome::parse_error), 2U);
  EXPECT_EQ(by_id["garbled"].count(FetchOutcome::ok), 0U);
  EXPECT_FALSE(by_id["garbled"].last_success.has_value());
  EXPECT_EQ(by_id["broken"].count(FetchOutcome::http_error), 2U);
  EXPECT_EQ(by_id["huge"].count(FetchOutcome::too_large), 2U);
  EXPECT_EQ(rig.scheduler.totals().total(), 8U);
  EXPECT_EQ(rig.scheduler.runtime("garbled")->last_outcome, "parse_error");
}

TEST(SchedulerTest, StopDropsResultsInFlight) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"slow", server.url("/feed/slow?delay=0.3"), {}, {}}});
  ASSERT_TRUE(rig.run_until([&] { return rig.scheduler.in_flight() == 1; }, 2000ms));
  rig.scheduler.stop();
  rig.fetcher.cancel_all();
  rig.run_until([] { return false; }, 500ms);
  EXPECT_TRUE(rig.results.empty()) << "a cancelled fetch is not a failure of the feed";
  EXPECT_TRUE(rig.states.empty());
}

// What the daemon's shutdown grace period is for: a transfer still running at stop() that
// completes in time is recorded (its items, then its validators), and nothing comes after it.
TEST(SchedulerTest, StopStillRecordsAFetchThatFinishesInTime) {
  ScriptedServer server;
  Rig rig;
  rig.scheduler.set_feeds({{"slow", server.url("/feed/slow?delay=0.3&etag=1"), {}, {}}});
  ASSERT_TRUE(rig.run_until([&] { return rig.scheduler.in_flight() == 1; }, 2000ms));
  rig.scheduler.stop();
  ASSERT_TRUE(rig.run_until([&] { return !rig.results.empty(); }, 3000ms)) << "the result was dropped";
  EXPECT_EQ(rig.results[0].second.outcome, FetchOutcome::ok);
  ASSERT_EQ(rig.states.size(), 1U) << "the validators of the recorded fetch are saved";
  EXPECT_FALSE(rig.states[0].second.etag.empty());
  rig.run_until([] { return false; }, 1500ms);  // longer than the 1 s interval
  EXPECT_EQ(rig.results.size(), 1U);
  EXPECT_EQ(server.log()["requests"].size(), 1U) << "nothing is fetched after stop()";
}

}  // namespace
}  // namespace newswatch::feeds
