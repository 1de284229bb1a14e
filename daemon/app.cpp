#include "daemon/app.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <zmq.hpp>

#include "alerts/alert.hpp"
#include "alerts/alert_journal.hpp"
#include "alerts/alert_publisher.hpp"
#include "alerts/curve.hpp"
#include "alerts/replay_server.hpp"
#include "alerts/zap_handler.hpp"
#include "common/asio.hpp"
#include "common/sqlite_db.hpp"
#include "daemon/config_watcher.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics.hpp"
#include "daemon/metrics_server.hpp"
#include "feeds/feed_parser.hpp"
#include "feeds/feed_store.hpp"
#include "feeds/http_fetcher.hpp"
#include "feeds/scheduler.hpp"
#include "filters/language_id.hpp"
#include "filters/matcher.hpp"

namespace newswatch::daemon {

namespace {

using SystemClock = std::chrono::system_clock;

feeds::FetchOptions fetch_options(const Config& c) {
  feeds::FetchOptions o;
  o.user_agent = c.fetch.user_agent;
  o.connect_timeout = c.fetch.connect_timeout;
  o.timeout = c.fetch.timeout;
  o.max_body_size = c.fetch.max_body_size;
  o.max_redirects = c.fetch.max_redirects;
  o.allow_file_urls = c.fetch.allow_file_urls;
  o.block_private_addresses = c.fetch.block_private_addresses;
  o.max_host_connections = c.fetch.per_host_connections;  // also curl's: it sees redirects to other hosts
  return o;
}

feeds::SchedulerOptions scheduler_options(const Config& c, bool once) {
  feeds::SchedulerOptions o;
  o.bounds = {c.scheduler.default_interval, c.scheduler.min_interval, c.scheduler.max_interval,
              c.scheduler.max_backoff};
  o.startup_delay = once ? std::chrono::milliseconds(0) : c.scheduler.startup_delay;
  o.startup_spread = once ? std::chrono::milliseconds(1) : std::chrono::milliseconds(2000);
  o.per_host_connections = c.fetch.per_host_connections;
  o.max_in_flight = c.fetch.max_in_flight;
  return o;
}

std::vector<feeds::FeedSpec> feed_specs(const Config& c) {
  std::vector<feeds::FeedSpec> out;
  out.reserve(c.feeds.size());
  for (const auto& f : c.feeds)
    out.push_back({f.id, f.url, f.interval});
  return out;
}

std::string state_dir_for(const Config& c) {
  // systemd's StateDirectory= wins over the built-in default, not over an explicit setting.
  if (const char* env = std::getenv("STATE_DIRECTORY");
      env != nullptr && c.daemon.state_dir == Config{}.daemon.state_dir) {
    std::string dir = env;
    if (auto colon = dir.find(':'); colon != std::string::npos) dir.resize(colon);
    return dir;
  }
  return c.daemon.state_dir;
}

// A compiled config: swapped whole on reload.
struct Snapshot {
  Config config;
  std::shared_ptr<const filters::Matcher> matcher;
  std::uint64_t generation = 0;
};

// Loads and compiles a whole new snapshot. Pure with respect to the running App: it is
// called on a worker thread during a reload and touches nothing shared.
struct ReloadOutcome {
  std::shared_ptr<Snapshot> snapshot;  // null when invalid
  std::vector<std::string> errors;
};

ReloadOutcome build_snapshot(const std::string& path) {
  ReloadOutcome out;
  auto loaded = load_compiled_config(path);
  if (!loaded) {
    out.errors = std::move(loaded.error());
    return out;
  }
  out.snapshot = std::make_shared<Snapshot>(Snapshot{std::move(loaded->config), std::move(loaded->matcher), 0});
  return out;
}

std::uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec) / 1000ULL;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

class App::Impl {
 public:
  Impl(Config config, AppOptions options, std::shared_ptr<const filters::Matcher> matcher, SqliteDb db)
      : options_(std::move(options)),
        db_(std::move(db)),
        signals_(io_, SIGINT, SIGTERM, SIGHUP),
        heartbeat_(io_),
        watchdog_(io_),
        grace_(io_),
        prune_timer_(io_),
        fetcher_(io_, fetch_options(config)),
        scheduler_(
            io_, fetcher_, scheduler_options(config, options_.once),
            [this](const feeds::FeedSpec& spec, feeds::FetchResult& r) { return on_fetched(spec, r); },
            [this](const feeds::FeedSpec& spec, const feeds::FeedRuntime& rt) { on_feed_state(spec, rt); }) {
    snapshot_ = std::make_shared<Snapshot>(Snapshot{std::move(config), std::move(matcher), 1});
    // What the sockets and the state folder were set up from (the watchlist is not needed).
    started_ = snapshot_->config;
    started_.feeds.clear();
    started_.entities.clear();
    started_.filters.clear();
  }

  Result<Ok> init() {
    auto store = feeds::FeedStore::open(db_);
    if (!store) return store.error();
    store_.emplace(std::move(*store));
    auto journal = alerts::AlertJournal::open(db_);
    if (!journal) return journal.error();
    journal_.emplace(std::move(*journal));
    const auto& publish = snapshot_->config.publish;
    // CURVE: the ZAP handler must be listening before a CURVE socket binds, or the first
    // handshakes would find no one to ask (and be refused, since the domain is enforced).
    std::optional<alerts::CurveKeyPair> curve;
    if (!publish.curve_secret_key_file.empty()) {
      auto keys = alerts::load_server_keys(publish.curve_secret_key_file);
      if (!keys) return keys.error();
      curve = std::move(*keys);
      if (publish.curve_allowed_keys_dir.empty())
        return make_error(
            "curve_secret_key_file needs curve_allowed_keys_dir: without an allow-list anyone could "
            "subscribe");
      auto zap = alerts::ZapHandler::start(io_, zmq_, publish.curve_allowed_keys_dir);
      if (!zap) return zap.error();
      zap_ = std::move(*zap);
      spdlog::info("curve: on; server public key {}; {} client key(s) allowed", curve->public_z85,
                   zap_->allowed_count());
    } else if (!publish.curve_allowed_keys_dir.empty()) {
      return make_error("curve_allowed_keys_dir is set but curve_secret_key_file is not");
    }
    const alerts::CurveKeyPair* curve_ptr = curve ? &*curve : nullptr;
    auto pub = alerts::AlertPublisher::bind(zmq_, publish.endpoint, publish.send_hwm, curve_ptr);
    if (!pub) return pub.error();
    publisher_ = std::move(*pub);
    const auto& listen = snapshot_->config.metrics.listen;
    if (!listen.empty() && !options_.once) {
      auto server = MetricsServer::start(io_, listen, [this](const std::string& method, const std::string& target) {
        return serve_http(method, target);
      });
      if (!server) return server.error();
      metrics_server_ = std::move(*server);
    }
    metrics_.declare_filters(filter_ids());
    if (!publish.replay_endpoint.empty()) {
      auto replay = alerts::ReplayServer::bind(io_, zmq_, publish.replay_endpoint, *journal_, curve_ptr);
      if (!replay) return replay.error();
      replay_ = std::move(*replay);
    }
    return Ok{};
  }

  int run() {
    signals_wait();
    auto restored = store_->load_runtime();
    if (!restored) spdlog::warn("cannot read feed state, starting fresh: {}", restored.error().message);
    scheduler_.set_feeds(feed_specs(snapshot_->config),
                         restored ? *restored : std::map<std::string, feeds::FeedRuntime>{});
    forget_removed_feeds();
    spdlog::info("newswatchd started: {} feeds, {} filters, {} entities; publishing on {}; replay on {}; last seq {}",
                 snapshot_->config.feeds.size(), snapshot_->config.filters.size(), snapshot_->config.entities.size(),
                 publisher_->endpoint(), replay_ ? replay_->endpoint() : "(off)", journal_->last_seq());
    if (options_.once) {
      scheduler_.run_once([this] {
        spdlog::info("poll cycle done: {} alerts published", published_);
        shutdown();
      });
    } else {
      heartbeat();
      start_watchdog();
      if (snapshot_->config.daemon.watch_config) watch_config();
      schedule_prune(std::chrono::seconds(1));
    }
    sd_notify(0, "READY=1");
    notify_status();
    io_.run();
    // Every batch was committed as it came; folding the WAL back leaves a tidy file.
    if (auto r = db_.exec("PRAGMA wal_checkpoint(TRUNCATE)"); !r) spdlog::warn("checkpoint: {}", r.error().message);
    spdlog::info("stopped cleanly; last seq {}", journal_->last_seq());
    return exit_code_;
  }

 private:
  std::vector<std::string> filter_ids() const {
    std::vector<std::string> ids;
    for (const auto& f : snapshot_->config.filters)
      ids.push_back(f.id);
    return ids;
  }

  HttpReply serve_http(const std::string& method, const std::string& target) {
    if (method != "GET" && method != "HEAD") return {405, "text/plain; charset=utf-8", "method not allowed\n"};
    if (target == "/metrics") {
      const LiveGauges live{publisher_->dropped(), snapshot_->generation, journal_->last_seq(), scheduler_.feed_count(),
                            scheduler_.failing_count()};
      return {200, "text/plain; version=0.0.4; charset=utf-8",
              metrics_.render(scheduler_.totals(), scheduler_.stats(), live)};
    }
    if (target == "/healthz") {
      // Answered from the loop itself, so a stuck loop cannot answer at all.
      const bool healthy = !stopping_ && snapshot_ && snapshot_->matcher;
      return {healthy ? 200 : 503, "text/plain; charset=utf-8", healthy ? "ok\n" : "unhealthy\n"};
    }
    return {404, "text/plain; charset=utf-8", "not found: try /metrics or /healthz\n"};
  }

  void start_watchdog() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    watchdog_period_ = std::chrono::microseconds(usec / 2);
    ping_watchdog();
  }

  void ping_watchdog() {
    sd_notify(0, "WATCHDOG=1");
    watchdog_.expires_after(watchdog_period_);
    watchdog_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) ping_watchdog();
    });
  }

  void watch_config() {
    auto watcher = ConfigWatcher::start(io_, options_.config_path, std::chrono::milliseconds(500), [this] {
      spdlog::info("config files changed: reloading");
      reload();
    });
    if (!watcher) {
      spdlog::warn("not watching config files: {}", watcher.error().message);
      return;
    }
    config_watcher_ = std::move(*watcher);
  }

  void signals_wait() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        reload();
        signals_wait();
        return;
      }
      spdlog::info("signal {}: stopping", signo);
      shutdown();
    });
  }

  // Stops scheduling, lets in-flight fetches finish for a short grace period (their
  // items are recorded as usual), cancels the rest, then leaves the loop.
  void shutdown() {
    if (stopping_) return;
    stopping_ = true;
    sd_notify(0, "STOPPING=1");
    scheduler_.stop();
    heartbeat_.cancel();
    watchdog_.cancel();
    prune_timer_.cancel();
    signals_.cancel();
    config_watcher_.reset();
    if (metrics_server_) metrics_server_->stop();
    wait_for_fetches(std::chrono::steady_clock::now() + snapshot_->config.daemon.shutdown_grace);
  }

  void wait_for_fetches(std::chrono::steady_clock::time_point deadline) {
    if (fetcher_.in_flight() == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (fetcher_.in_flight() > 0) spdlog::info("cancelling {} fetches still in flight", fetcher_.in_flight());
      fetcher_.cancel_all();
      // Cancelled transfers complete through posted handlers; let them run, then stop.
      asio::post(io_, [this] { io_.stop(); });
      return;
    }
    grace_.expires_after(std::chrono::milliseconds(50));
    grace_.async_wait([this, deadline](const boost::system::error_code&) { wait_for_fetches(deadline); });
  }

  // Compiles the new snapshot on a worker thread, then swaps it in on the loop. A reload
  // asked for while one runs is done once more afterwards, so no edit is missed.
  void reload() {
    if (stopping_) return;
    if (reloading_) {
      reload_again_ = true;
      return;
    }
    reloading_ = true;
    const std::string notify = "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec());
    sd_notify(0, notify.c_str());
    asio::post(reload_pool_, [this, path = options_.config_path, life = std::weak_ptr<int>(life_)] {
      auto outcome = std::make_shared<ReloadOutcome>(build_snapshot(path));
      asio::post(io_, [this, outcome, life] {
        if (!life.expired()) finish_reload(std::move(*outcome));
      });
    });
  }

  void finish_reload(ReloadOutcome outcome) {
    reloading_ = false;
    if (stopping_) return;
    const bool ok = outcome.snapshot != nullptr;
    if (ok) {
      // Against what is running, not the last reload: an edit reverted is no longer pending.
      restart_note_.clear();
      for (const auto& key : settings_needing_restart(started_, outcome.snapshot->config)) {
        spdlog::warn("reload: {} changed; it takes effect at the next restart", key);
        restart_note_ += (restart_note_.empty() ? "restart needed for " : ", ") + key;
      }
      outcome.snapshot->generation = snapshot_->generation + 1;
      snapshot_ = std::move(outcome.snapshot);
      set_log_level(snapshot_->config.daemon.log_level);
      fetcher_.set_options(fetch_options(snapshot_->config));
      scheduler_.set_options(scheduler_options(snapshot_->config, options_.once));
      scheduler_.set_feeds(feed_specs(snapshot_->config));
      forget_removed_feeds();
      metrics_.declare_filters(filter_ids());
      spdlog::info("reload: generation {} live ({} feeds, {} filters, {} entities)", snapshot_->generation,
                   snapshot_->config.feeds.size(), snapshot_->config.filters.size(), snapshot_->config.entities.size());
    } else {
      for (const auto& e : outcome.errors)
        spdlog::error("reload: {}", e);
      spdlog::error("reload failed: keeping generation {}", snapshot_->generation);
    }
    ++metrics_.reloads_by_result[ok ? "ok" : "error"];
    publish_system("sys.reload", {{"ok", ok}, {"errors", outcome.errors}, {"generation", snapshot_->generation}});
    sd_notify(0, "READY=1");
    notify_status(ok ? "" : "reload failed: " + outcome.errors.front());
    if (reload_again_) {
      reload_again_ = false;
      reload();
    }
  }

  void heartbeat() {
    publish_system("sys.heartbeat",
                   {{"last_seq", journal_->last_seq()},
                    {"time", feeds::format_rfc3339(std::chrono::floor<std::chrono::seconds>(SystemClock::now()))}});
    heartbeat_.expires_after(std::chrono::seconds(5));
    heartbeat_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) heartbeat();
    });
  }

  void notify_status(const std::string& note = "") {
    std::string status = "feeds " + std::to_string(scheduler_.feed_count()) + ", failing " +
                         std::to_string(scheduler_.failing_count()) + ", last seq " +
                         std::to_string(journal_->last_seq()) + ", generation " + std::to_string(snapshot_->generation);
    if (!note.empty()) status += "; " + note;
    if (!restart_note_.empty()) status += "; " + restart_note_;  // until a restart or a revert
    sd_notify(0, ("STATUS=" + status).c_str());
  }

  // Journal retention and seen-item expiry, off the hot path. Pruning goes in slices so a
  // large backlog never holds the loop for long; a full slice continues at once.
  void schedule_prune(std::chrono::milliseconds after) {
    prune_timer_.expires_after(after);
    prune_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) schedule_prune(prune_once() ? std::chrono::milliseconds(0) : snapshot_->config.journal.prune_interval);
    });
  }

  // Feeds gone from the config (since the last run, or at this reload) keep no listing, so
  // their seen items age out by the plain age.
  void forget_removed_feeds() {
    std::set<std::string, std::less<>> configured;
    for (const auto& f : snapshot_->config.feeds)
      configured.insert(f.id);
    if (auto r = store_->forget_listings_except(configured); !r) spdlog::error("dedup: {}", r.error().message);
  }

  // True when there is more to prune.
  bool prune_once() {
    constexpr std::int64_t kSlice = 10000;
    const auto& c = snapshot_->config;
    const std::int64_t now = std::chrono::floor<std::chrono::seconds>(SystemClock::now()).time_since_epoch().count();
    const std::int64_t max_count = c.journal.max_count > 0 ? c.journal.max_count : std::int64_t{1} << 62;
    auto journal = journal_->prune(now - c.journal.max_age.count(), max_count, kSlice);
    if (!journal) {
      spdlog::error("journal: prune: {}", journal.error().message);
      return false;
    }
    auto seen = store_->prune_seen(now, c.dedup.seen_max_age.count(), kSlice);
    if (!seen) spdlog::error("dedup: prune: {}", seen.error().message);
    if (*journal > 0 || (seen && *seen > 0)) {
      auto first = journal_->first_kept();
      spdlog::info("pruned {} journalled alerts (replay horizon now seq {}) and {} seen items", *journal,
                   first ? *first : 0, seen ? *seen : 0);
    }
    return *journal == kSlice || (seen && *seen == kSlice);
  }

  void publish_system(const std::string& topic, const nlohmann::json& body) {
    // A drop is counted by the publisher itself; /metrics reads it from there.
    (void)publisher_->send(topic, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

  // Feed state (validators, URL, failures) is written without its own fsync: losing the
  // last few on power loss only costs a full refetch, whose items are already seen. A
  // SIGKILL loses nothing either way, and the items' transaction keeps synchronous=FULL.
  void on_feed_state(const feeds::FeedSpec& spec, const feeds::FeedRuntime& rt) {
    (void)db_.exec("PRAGMA synchronous=NORMAL");
    if (auto r = store_->save_runtime(spec.id, rt); !r) {
      spdlog::warn("feed {}: cannot save state: {}", spec.id, r.error().message);
    }
    (void)db_.exec("PRAGMA synchronous=FULL");
  }

  feeds::FetchVerdict on_fetched(const feeds::FeedSpec& spec, feeds::FetchResult& r) {
    metrics_.fetch_seconds.observe(std::chrono::duration<double>(r.elapsed).count());
    try {
      return handle_fetch(spec, r);
    } catch (const std::exception& e) {  // the scheduler decides what it means; only we can say what it was
      spdlog::error("feed {}: {}", spec.id, e.what());
      throw;
    }
  }

  feeds::FetchVerdict handle_fetch(const feeds::FeedSpec& spec, feeds::FetchResult& r) {
    feeds::FetchVerdict verdict;
    switch (r.outcome) {
      case feeds::FetchOutcome::not_modified:
        spdlog::debug("feed {}: not modified", spec.id);
        return verdict;
      case feeds::FetchOutcome::ok:
        break;
      default: {
        const bool gone = r.status == 410;
        spdlog::warn("feed {}: {}: {}", spec.id, feeds::to_string(r.outcome), r.error);
        publish_system(
            gone ? "sys.feed.gone" : "sys.feed.error",
            {{"feed", spec.id}, {"status", r.status}, {"outcome", feeds::to_string(r.outcome)}, {"message", r.error}});
        return verdict;
      }
    }
    const auto parse_start = std::chrono::steady_clock::now();
    // LANGUAGES (issue 18): Content-Language is the last declared fallback for items' language.
    auto parsed = feeds::parse_feed(r.body, {r.effective_url, r.content_type, r.content_language});
    metrics_.parse_seconds.observe(seconds_since(parse_start));
    if (!parsed) {
      spdlog::warn("feed {}: parse error: {}", spec.id, parsed.error().message);
      publish_system(
          "sys.feed.error",
          {{"feed", spec.id}, {"status", r.status}, {"outcome", "parse_error"}, {"message", parsed.error().message}});
      verdict.parse_failed = true;
      verdict.recorded = false;
      return verdict;
    }
    metrics_.items_parsed += parsed->items.size();
    for (const auto& problem : parsed->problems)
      spdlog::warn("feed {}: {}", spec.id, problem);
    if (parsed->ttl_minutes && *parsed->ttl_minutes > 0) verdict.ttl = std::chrono::minutes(*parsed->ttl_minutes);
    // A document recovered from broken XML keeps no validators: if it was cut short, a 304
    // would hide its missing items until the feed changes; the next poll reads it whole.
    verdict.recorded = record_items(spec, *parsed) && !parsed->incomplete;
    return verdict;
  }

  // Marks the feed's new items seen and journals their alerts in one transaction, then
  // publishes. False when nothing could be recorded (the items come again next time).
  bool record_items(const feeds::FeedSpec& spec, const feeds::Feed& feed) {
    const auto snapshot = snapshot_;  // one snapshot for the whole batch, even across a reload
    const auto now = std::chrono::floor<std::chrono::seconds>(SystemClock::now());
    const std::int64_t unix_now = now.time_since_epoch().count();
    // Until the batch commits, the seqs it takes go back however it ends (a failure below, or
    // an exception on its way out), so no seq is skipped; the transaction rolls back with them.
    struct SeqsTaken {
      alerts::AlertJournal& journal;
      std::uint64_t before;
      bool committed = false;
      ~SeqsTaken() {
        if (!committed) journal.rollback_to(before);
      }
    } seqs{*journal_, journal_->last_seq()};
    // Any failure is logged once and counted; the items come again with the next fetch.
    const auto give_up = [&](const char* what, const Error& e) {
      spdlog::error("feed {}: {}: {}", spec.id, what, e.message);
      ++metrics_.batches_unrecorded;
      return false;
    };
    std::vector<const feeds::Item*> fresh;
    std::vector<const feeds::Item*> still_listed;  // seen long ago: refresh so they never expire while listed
    const std::int64_t refresh_before = unix_now - snapshot->config.dedup.seen_max_age.count() / 4;
    std::set<std::string_view> batch;
    // Feeds list newest first: walk backwards so alerts go out oldest first.
    for (auto it = feed.items.rbegin(); it != feed.items.rend(); ++it) {
      if (!batch.insert(it->id).second) continue;
      auto seen = store_->seen_at(spec.id, it->id);
      if (!seen) return give_up("state database", seen.error());
      if (!*seen) {
        fresh.push_back(&*it);
      } else if (**seen < refresh_before) {
        still_listed.push_back(&*it);
      }
    }
    // The listing is recorded at least every quarter of seen_max_age, like the items in it:
    // pruning spares what the feed listed then (see FeedStore::prune_seen). A document
    // recovered from broken XML may lack items the feed still lists, so it is no listing.
    const bool record_listing = !feed.incomplete;
    bool listing_stale = false;
    if (record_listing) {
      const auto listed = store_->listed_at(spec.id);
      if (!listed) return give_up("state database", listed.error());
      listing_stale = !*listed || **listed < refresh_before;
    }
    if (fresh.empty() && still_listed.empty() && !listing_stale) return true;
    std::vector<alerts::Alert> out;
    std::vector<std::string> out_filters;
    auto tx = SqliteTransaction::begin(db_);
    if (!tx) return give_up("state database", tx.error());
    // LANGUAGES (issue 18, lead: carry into daemon/ingest): the feed's configured language, once
    // per batch; each item gets its final language before matching and encoding.
    const auto feed_def = std::find_if(snapshot->config.feeds.begin(), snapshot->config.feeds.end(),
                                       [&](const FeedDef& d) { return d.id == spec.id; });
    const std::string configured_language = feed_def != snapshot->config.feeds.end() ? feed_def->language : "";
    for (const auto* listed : fresh) {
      feeds::Item with_language = *listed;  // LANGUAGES
      with_language.language =
          filters::item_language(filters::LanguageIdentifier::standard(), *listed, configured_language);
      const auto* item = &with_language;  // LANGUAGES: the rest of the loop reads the item with its language
      const auto match_start = std::chrono::steady_clock::now();
      auto result = snapshot->matcher->match({item->title, item->summary, item->content, item->language}, spec.id);
      metrics_.match_seconds.observe(seconds_since(match_start));
      if (!result) return give_up("matcher", result.error());
      if (result->truncated) spdlog::warn("feed {}: item {}: {}", spec.id, item->id, filters::truncation_note());
      for (const auto& fm : result->filters) {
        const auto& def = snapshot->matcher->filters()[fm.filter_index];
        alerts::Alert a;
        a.seq = journal_->next_seq();
        a.topic = def.topic;
        a.payload = alerts::encode_alert_payload(a.seq, def.id, def.topic, spec.id, now, *item, fm, result->entities);
        if (auto r = journal_->append(a, unix_now); !r) return give_up("journal", r.error());
        out.push_back(std::move(a));
        out_filters.push_back(def.id);
      }
      if (auto r = store_->mark_seen(spec.id, item->id, unix_now); !r) return give_up("state database", r.error());
    }
    for (const auto* item : still_listed) {
      if (auto r = store_->touch_seen(spec.id, item->id, unix_now); !r) return give_up("state database", r.error());
    }
    if (record_listing) {
      if (auto r = store_->set_listed(spec.id, unix_now); !r) return give_up("state database", r.error());
    }
    if (auto r = tx->commit(); !r) return give_up("commit", r.error());
    seqs.committed = true;
    if (!fresh.empty()) spdlog::info("feed {}: {} new items, {} alerts", spec.id, fresh.size(), out.size());
    metrics_.items_new += fresh.size();
    for (std::size_t i = 0; i < out.size(); ++i) {
      const auto& a = out[i];
      if (!publisher_->send(a.topic, a.payload)) spdlog::warn("alert seq {} not published (replay has it)", a.seq);
      ++metrics_.alerts_by_filter[out_filters[i]];
      ++published_;
    }
    if (!out.empty()) notify_status();
    return true;
  }

  AppOptions options_;
  SqliteDb db_;
  asio::io_context io_;
  zmq::context_t zmq_{1};
  asio::signal_set signals_;
  asio::steady_timer heartbeat_;
  asio::steady_timer watchdog_;
  asio::steady_timer grace_;
  std::chrono::microseconds watchdog_period_{0};
  asio::steady_timer prune_timer_;
  feeds::HttpFetcher fetcher_;
  feeds::Scheduler scheduler_;
  std::optional<feeds::FeedStore> store_;
  std::optional<alerts::AlertJournal> journal_;
  std::unique_ptr<alerts::AlertPublisher> publisher_;
  std::unique_ptr<alerts::ZapHandler> zap_;
  std::unique_ptr<alerts::ReplayServer> replay_;
  std::shared_ptr<const Snapshot> snapshot_;
  Metrics metrics_;
  std::unique_ptr<MetricsServer> metrics_server_;
  std::unique_ptr<ConfigWatcher> config_watcher_;
  asio::thread_pool reload_pool_{1};  // compiles snapshots off the loop
  std::shared_ptr<int> life_ = std::make_shared<int>(0);
  bool reloading_ = false;
  bool reload_again_ = false;
  std::uint64_t published_ = 0;
  bool stopping_ = false;
  int exit_code_ = 0;
  Config started_;            // the start-up config, without its watchlist
  std::string restart_note_;  // settings edited since the start that wait for a restart
};

Result<std::unique_ptr<App>> App::create(CompiledConfig loaded, AppOptions options) {
  Config& config = loaded.config;
  const std::string dir = state_dir_for(config);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto db = SqliteDb::open((std::filesystem::path(dir) / "newswatch.db").string());
  if (!db) return db.error();
  auto impl = std::make_unique<Impl>(std::move(config), std::move(options), std::move(loaded.matcher), std::move(*db));
  if (auto r = impl->init(); !r) return r.error();
  return std::unique_ptr<App>(new App(std::move(impl)));
}

App::App(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
App::~App() = default;
int App::run() { return impl_->run(); }

}  // namespace newswatch::daemon
