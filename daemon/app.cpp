#include "daemon/app.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <zmq.hpp>

#include "alerts/alert_journal.hpp"
#include "alerts/alert_publisher.hpp"
#include "alerts/curve.hpp"
#include "alerts/replay_server.hpp"
#include "alerts/system_messages.hpp"
#include "alerts/zap_handler.hpp"
#include "common/asio.hpp"
#include "common/sqlite_db.hpp"
#include "daemon/burst_config.hpp"
#include "daemon/burst_stage.hpp"
#include "daemon/cluster_node.hpp"  // cluster mode
#include "daemon/commit_group.hpp"
#include "daemon/config_watcher.hpp"
#include "daemon/feed_report.hpp"
#include "daemon/ingest.hpp"
#include "daemon/logging.hpp"
#include "daemon/metrics.hpp"
#include "daemon/metrics_server.hpp"
#include "daemon/preflight.hpp"
#include "daemon/retention.hpp"
#include "daemon/service_face.hpp"
#include "daemon/snapshot.hpp"
#include "daemon/snapshot_reloader.hpp"
#include "daemon/story_stage.hpp"
#include "feeds/feed_store.hpp"
#include "feeds/http_fetcher.hpp"
#include "feeds/scheduler.hpp"

namespace newswatch::daemon {

namespace {

using SystemClock = std::chrono::system_clock;

feeds::TimePoint now_seconds() { return std::chrono::floor<std::chrono::seconds>(SystemClock::now()); }

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
    out.push_back({f.id, f.url, f.interval, f.language});
  return out;
}

}  // namespace

// The wiring: which part feeds which. Each job lives in its own unit (Ingest, CommitGroup,
// ServiceFace, Retention, SnapshotReloader); App creates them, connects them and starts the loop.
class App::Impl {
 public:
  Impl(Config config, AppOptions options, std::shared_ptr<const filters::Matcher> matcher, SqliteDb db)
      : options_(std::move(options)),
        db_(std::move(db)),
        grace_(io_),
        fetcher_(io_, fetch_options(config)),
        scheduler_(
            io_, fetcher_, scheduler_options(config, options_.once),
            [this](const feeds::FeedSpec& spec, feeds::FetchResult& r, feeds::VerdictSink done) {
              ingest_->on_fetched(snapshot_, spec, r, std::move(done));
            },
            [this](const feeds::FeedSpec& spec, const feeds::FeedRuntime& rt) { save_feed_state(spec, rt); }),
        face_(io_, {[this](int signo) {
                      spdlog::info("signal {}: stopping", signo);
                      shutdown();
                    },
                    [this] {
                      spdlog::info("SIGHUP: reloading");
                      reload();
                    },
                    [this] {
                      heartbeat();
                      notify_status();
                    }}),
        reloader_(io_, options_.config_path, [this](SnapshotBuild build) { finish_reload(std::move(build)); }) {
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
    auto stories = StoryStage::open(db_, snapshot_->config.stories.window);
    if (!stories) return stories.error();
    stories_.emplace(std::move(*stories));
    auto bursts = BurstStage::open(db_, *journal_, burst_settings(snapshot_->config), burst_filters(snapshot_->config),
                                   entity_types(snapshot_->config));
    if (!bursts) return bursts.error();
    bursts_.emplace(std::move(*bursts));
    group_.emplace(io_, db_, *journal_, *publisher_);
    ingest_.emplace(*store_, *journal_, *publisher_, *group_, *stories_, *bursts_, metrics_);
    retention_.emplace(io_, *store_, *journal_, *stories_, [this]() -> const Config& { return snapshot_->config; });
    if (snapshot_->config.cluster && !options_.once) {  // cluster mode: daemon/cluster_node.hpp
      auto node = ClusterNode::start(
          {io_, db_, *group_, *store_, *journal_}, *snapshot_->config.cluster, snapshot_->config.dedup.seen_max_age,
          [this](const std::vector<feeds::FeedSpec>& owned) { scheduler_.set_feeds(owned); });
      if (!node) return node.error();
      cluster_ = std::move(*node);
    }
    return Ok{};
  }

  int run() {
    auto restored = store_->load_runtime();
    if (!restored) spdlog::warn("cannot read feed state, starting fresh: {}", restored.error().message);
    if (cluster_) {  // cluster mode: the node hands the scheduler the feeds it owns
      cluster_->set_feeds(feed_specs(snapshot_->config));
    } else {
      scheduler_.set_feeds(feed_specs(snapshot_->config),
                           restored ? *restored : std::map<std::string, feeds::FeedRuntime>{});
    }
    retention_->forget_feeds_except(snapshot_->config.feeds);
    spdlog::info("newswatchd started: {} feeds, {} filters, {} entities; publishing on {}; replay on {}; last seq {}",
                 snapshot_->config.feeds.size(), snapshot_->config.filters.size(), snapshot_->config.entities.size(),
                 publisher_->endpoint(), replay_ ? replay_->endpoint() : "(off)", journal_->last_seq());
    face_.start(!options_.once);
    if (options_.once) {
      scheduler_.run_once([this] {
        spdlog::info("poll cycle done: {} {} published", ingest_->published(),
                     ingest_->published() == 1 ? "alert" : "alerts");  // [wave3-ops] singular
        shutdown();
      });
    } else {
      if (snapshot_->config.daemon.watch_config) watch_config();
      retention_->start(std::chrono::seconds(1));
    }
    face_.ready();
    notify_status();
    io_.run();
    // What the last loop turns recorded (feed state after the final verdicts, the bursts'
    // checkpoint) is committed here.
    ingest_->checkpoint();
    group_->flush();
    // Every batch was committed as it came; folding the WAL back leaves a tidy file.
    if (auto r = db_.exec("PRAGMA wal_checkpoint(TRUNCATE)"); !r) spdlog::warn("checkpoint: {}", r.error().message);
    spdlog::info("stopped cleanly; last seq {}", journal_->last_seq());
    return 0;
  }

 private:
  std::vector<std::string> filter_ids() const {
    std::vector<std::string> ids;
    for (const auto& f : snapshot_->config.filters)
      ids.push_back(f.id);
    return ids;
  }

  std::string cluster_series() const {
    if (!cluster_) return {};
    const auto last = journal_->last_seq();
    const auto acked = cluster_->acked_seq();
    return render_cluster_series(cluster_->counters(), cluster_->members().size(), last > acked ? last - acked : 0);
  }

  HttpReply serve_http(const std::string& method, const std::string& target) {
    if (method != "GET" && method != "HEAD") return {405, "text/plain; charset=utf-8", "method not allowed\n"};
    if (target == "/metrics") {
      const LiveGauges live{publisher_->dropped(), snapshot_->generation, journal_->last_seq(), scheduler_.feed_count(),
                            scheduler_.failing_count()};
      return {200, "text/plain; version=0.0.4; charset=utf-8",
              metrics_.render(scheduler_.totals(), scheduler_.stats(), live) + render_feed_series(scheduler_.views()) +
                  cluster_series()};
    }
    if (target == "/feeds") {  // per-feed status (daemon/feed_report.hpp), for `newswatch status`
      return {200, "application/json",
              feed_report_json(scheduler_.views(), std::chrono::steady_clock::now(), std::chrono::system_clock::now())};
    }
    if (target == "/cluster" && cluster_) return {200, "application/json", cluster_status_json(*cluster_)};
    if (target == "/healthz") {
      // Answered from the loop itself, so a stuck loop cannot answer at all.
      const bool healthy = !stopping_ && snapshot_ && snapshot_->matcher;
      return {healthy ? 200 : 503, "text/plain; charset=utf-8", healthy ? "ok\n" : "unhealthy\n"};
    }
    return {404, "text/plain; charset=utf-8", "not found: try /metrics, /feeds or /healthz\n"};
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

  // Stops scheduling, lets in-flight fetches finish for a short grace period (their
  // items are recorded as usual), cancels the rest, then leaves the loop.
  void shutdown() {
    if (stopping_) return;
    stopping_ = true;
    face_.stopping();
    scheduler_.stop();
    if (cluster_) cluster_->stop();  // cluster mode: leave, so our hosts move at once
    retention_->stop();
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

  void reload() {
    if (stopping_) return;
    if (reloader_.request()) face_.reloading();
  }

  // On the loop: swap a valid snapshot in and hand its settings to every part, or keep the old.
  void finish_reload(SnapshotBuild build) {
    if (stopping_) return;
    const bool ok = build.snapshot != nullptr;
    if (ok) {
      // Against what is running, not the last reload: an edit reverted is no longer pending.
      for (const auto& key : settings_needing_restart(started_, build.snapshot->config))
        spdlog::warn("reload: {} changed; it takes effect at the next restart", key);
      // Warnings are the config's, not the start's: an edit that brings one says so now.
      for (const auto& w : build.snapshot->config.warnings)
        spdlog::warn("reload: {}", format_warning(w));
      restart_note_ = restart_note(started_, build.snapshot->config);
      build.snapshot->generation = snapshot_->generation + 1;
      snapshot_ = std::move(build.snapshot);
      set_log_level(snapshot_->config.daemon.log_level);
      fetcher_.set_options(fetch_options(snapshot_->config));
      scheduler_.set_options(scheduler_options(snapshot_->config, options_.once));
      if (cluster_) {  // cluster mode
        cluster_->set_feeds(feed_specs(snapshot_->config));
      } else {
        scheduler_.set_feeds(feed_specs(snapshot_->config));
      }
      retention_->forget_feeds_except(snapshot_->config.feeds);
      metrics_.declare_filters(filter_ids());
      spdlog::info("reload: generation {} live ({} feeds, {} filters, {} entities)", snapshot_->generation,
                   snapshot_->config.feeds.size(), snapshot_->config.filters.size(), snapshot_->config.entities.size());
    } else {
      for (const auto& e : build.errors)
        spdlog::error("reload: {}", e);
      spdlog::error("reload failed: keeping generation {}", snapshot_->generation);
    }
    ++metrics_.reloads_by_result[ok ? "ok" : "error"];
    publish(alerts::reload_message(ok, build.errors, snapshot_->generation));
    face_.ready();
    notify_status(ok ? "" : "reload failed: " + build.errors.front());
  }

  void heartbeat() { publish(alerts::heartbeat_message(journal_->last_seq(), now_seconds())); }

  void notify_status(const std::string& note = "") {
    std::string status = "feeds " + std::to_string(scheduler_.feed_count()) + ", failing " +
                         std::to_string(scheduler_.failing_count()) + ", last seq " +
                         std::to_string(journal_->last_seq()) + ", generation " + std::to_string(snapshot_->generation);
    if (!note.empty()) status += "; " + note;
    if (!restart_note_.empty()) status += "; " + restart_note_;  // until a restart or a revert
    face_.status(status);
  }

  void publish(const alerts::SystemMessage& m) {
    // A drop is counted by the publisher itself; /metrics reads it from there.
    (void)publisher_->send(m.topic, m.payload);
  }

  // Feed state (validators, URL, failures) comes after the verdict, so after its items'
  // commit; it rides in the next group (a crash before that costs a full refetch of items
  // already seen, nothing more).
  void save_feed_state(const feeds::FeedSpec& spec, const feeds::FeedRuntime& rt) {
    const auto unsaved = [&](const Error& e) {
      spdlog::warn("feed {}: cannot save state: {}", spec.id, e.message);
      ++metrics_.feed_states_unsaved;
    };
    auto batch = group_->open_batch();
    if (!batch) return unsaved(batch.error());
    if (auto r = store_->save_runtime(spec.id, rt); !r) return unsaved(r.error());  // the batch rolls back
    group_->seal(std::move(*batch), {}, 1, nullptr);
  }

  AppOptions options_;
  SqliteDb db_;
  Metrics metrics_;  // before the parts that count into it: they may still report as they go
  asio::io_context io_;
  zmq::context_t zmq_{1};
  asio::steady_timer grace_;
  feeds::HttpFetcher fetcher_;
  feeds::Scheduler scheduler_;
  std::optional<feeds::FeedStore> store_;
  std::optional<alerts::AlertJournal> journal_;
  std::unique_ptr<alerts::AlertPublisher> publisher_;
  std::unique_ptr<alerts::ZapHandler> zap_;
  std::unique_ptr<alerts::ReplayServer> replay_;
  std::optional<StoryStage> stories_;
  std::optional<BurstStage> bursts_;
  std::optional<CommitGroup> group_;
  std::optional<Ingest> ingest_;
  std::optional<Retention> retention_;
  std::unique_ptr<ClusterNode> cluster_;  // cluster mode only
  std::shared_ptr<const Snapshot> snapshot_;
  std::unique_ptr<MetricsServer> metrics_server_;
  std::unique_ptr<ConfigWatcher> config_watcher_;
  ServiceFace face_;
  SnapshotReloader reloader_;
  bool stopping_ = false;
  Config started_;            // the start-up config, without its watchlist
  std::string restart_note_;  // settings edited since the start that wait for a restart
};

Result<std::unique_ptr<App>> App::create(CompiledConfig loaded, AppOptions options) {
  Config& config = loaded.config;
  // [wave3-ops] the state folder and database are made private (0750/0640) before SQLite opens them.
  auto db_path = prepare_state_database(effective_state_dir(config));
  if (!db_path) return db_path.error();
  auto db = SqliteDb::open(*db_path);
  if (!db) return db.error();
  auto impl = std::make_unique<Impl>(std::move(config), std::move(options), std::move(loaded.matcher), std::move(*db));
  if (auto r = impl->init(); !r) return r.error();
  return std::unique_ptr<App>(new App(std::move(impl)));
}

App::App(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
App::~App() = default;
int App::run() { return impl_->run(); }

}  // namespace newswatch::daemon
