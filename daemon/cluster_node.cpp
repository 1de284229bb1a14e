#include "daemon/cluster_node.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "cluster/feed_state.hpp"
#include "cluster/host_ownership.hpp"
#include "cluster/membership.hpp"
#include "cluster/nats_session.hpp"
#include "cluster/stream_publisher.hpp"

namespace newswatch::daemon {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One thread for libnats' blocking calls, so the loop never waits on the network.
class NatsWorker {
 public:
  NatsWorker() : thread_([this] { run(); }) {}
  ~NatsWorker() { stop(); }
  NatsWorker(const NatsWorker&) = delete;
  NatsWorker& operator=(const NatsWorker&) = delete;

  // Drops the task if the worker is already busy with `limit` others (a stalled NATS must not
  // make the queue grow without bound; the next heartbeat asks again).
  void post(std::function<void()> task, std::size_t limit = 64) {
    std::lock_guard lock(mu_);
    if (stopping_ || tasks_.size() >= limit) return;
    tasks_.push_back(std::move(task));
    cv_.notify_one();
  }
  void stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_ && !thread_.joinable()) return;
      stopping_ = true;
      cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (stopping_) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

std::string hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (const unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

// A feed id may hold what a key-value key cannot ("..", a leading '.'): hex always fits.
std::string feed_key(std::string_view feed_id) { return "feed-" + hex(feed_id); }

constexpr std::int64_t kMaxSnapshotItems = 2000;  // past any feed's listing; keeps a value < 1 MB
// A feed's items of the story window that move with it, and the text kept of each field:
// enough for the story engine (it reads 160 words of title and summary together).
constexpr std::size_t kMaxStoryItems = 100;
constexpr std::size_t kMaxStoryText = 2048;
constexpr std::size_t kMaxOutstanding = 4000;  // publishes awaiting the stream's answer (libnats: 4096)
constexpr std::size_t kPageSize = 500;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Publish acknowledgements from libnats' thread, waiting for the loop.
struct AckInbox {
  std::mutex mu;
  std::vector<cluster::PublishAck> acks;
};

}  // namespace

class ClusterNode::Impl : public std::enable_shared_from_this<ClusterNode::Impl> {
 public:
  Impl(Parts parts, cluster::ClusterSettings settings, std::chrono::seconds seen_max_age, OwnedFeeds owned)
      : parts_(parts),
        settings_(std::move(settings)),
        seen_max_age_(seen_max_age),
        owned_sink_(std::move(owned)),
        beat_timer_(parts.io),
        outbox_timer_(parts.io) {}

  Result<Ok> init() {
    if (auto r = parts_.db.exec(
            "CREATE TABLE IF NOT EXISTS cluster_outbox (id INTEGER PRIMARY KEY CHECK (id = 1), acked_seq INTEGER NOT "
            "NULL)");
        !r) {
      return r.error();
    }
    auto read = parts_.db.prepare("SELECT acked_seq FROM cluster_outbox WHERE id = 1");
    if (!read) return read.error();
    auto row = read->step();
    if (!row) return row.error();
    if (*row) {
      acked_ = static_cast<std::uint64_t>(read->column_int(0));
    } else {
      // A node joining a cluster publishes from now on, not its single-node history.
      acked_ = parts_.journal.last_seq();
      if (auto r =
              parts_.db.exec("INSERT INTO cluster_outbox(id, acked_seq) VALUES (1, " + std::to_string(acked_) + ")");
          !r) {
        return r.error();
      }
    }
    persisted_ = acked_;
    sent_ = acked_;
    cluster::SessionOptions so;
    so.client_name = "newswatchd " + settings_.node;
    so.connect_in_background = true;
    std::weak_ptr<Impl> weak = weak_from_this();
    asio::io_context& io = parts_.io;
    so.on_connection_change = [weak, &io](bool connected) {
      asio::post(io, [weak, connected] {
        if (auto self = weak.lock()) self->on_connection(connected);
      });
    };
    auto session = cluster::NatsSession::connect(settings_, std::move(so));
    if (!session) return session.error();
    session_.emplace(std::move(*session));
    connected_ = session_->connected();
    spdlog::info("cluster: node {} of stream {} on {}{}", settings_.node, settings_.stream, settings_.nats.front(),
                 connected_ ? "" : " (not reachable yet: retrying in the background)");
    beat();
    arm_outbox(milliseconds(100));
    return Ok{};
  }

  void set_feeds(const std::vector<feeds::FeedSpec>& all) {
    all_.clear();
    for (const auto& f : all)
      all_[f.id] = f;
    reassign();
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    beat_timer_.cancel();
    outbox_timer_.cancel();
    persist_cursor(true);
    // The worker finishes its call in progress (bounded by the JetStream wait), then leaving
    // is one more quick call: our hosts move at once instead of after the TTL.
    beat_worker_.stop();
    worker_.stop();
    if (membership_ && connected_) (void)membership_->leave();
    if (session_) session_->close();
  }

  ~Impl() { stop(); }

  const std::string& node() const { return settings_.node; }
  std::vector<std::string> members() const { return members_; }
  std::map<std::string, std::string> host_owners() const {
    std::vector<std::string> keys;
    for (const auto& [id, f] : all_)
      keys.push_back(cluster::ownership_key(f.url));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return cluster::assign(keys, members_);
  }
  const ClusterCounters& counters() const { return counters_; }
  std::uint64_t acked_seq() const { return acked_; }

 private:
  // --- membership and ownership -------------------------------------------------------------

  milliseconds beat_period() const { return std::max(milliseconds(300), settings_.member_ttl / 3); }

  void beat() {
    if (stopped_) return;
    std::weak_ptr<Impl> weak = weak_from_this();
    // A worker of its own: feed-state puts (up to a megabyte each) on the other must never
    // delay the heartbeat past the TTL, or the others take our hosts while we still poll them.
    beat_worker_.post([weak, this] {
      // On the worker: `this` outlives it (stop() joins the worker before anything goes).
      Result<std::vector<std::string>> live = std::vector<std::string>{};
      if (!membership_) {
        auto m = cluster::Membership::open(*session_, settings_);
        if (!m) live = m.error();
        if (m) membership_.emplace(std::move(*m));
      }
      if (membership_) {
        auto hb = membership_->heartbeat();
        live = hb ? membership_->live_members() : Result<std::vector<std::string>>(hb.error());
      }
      asio::post(parts_.io, [weak, live = std::move(live)]() mutable {
        if (auto self = weak.lock()) self->on_members(std::move(live));
      });
    });
    beat_timer_.expires_after(beat_period());
    beat_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) self->beat();
    });
  }

  void on_members(Result<std::vector<std::string>> live) {
    if (stopped_) return;
    if (!live) {
      // NATS away: keep what we own (local duties go on); the others do the same or, if they
      // still reach NATS, take our hosts once our key expires (docs/cluster.md).
      ++counters_.nats_errors;
      if (!warned_) spdlog::warn("cluster: membership: {}", live.error().message);
      warned_ = true;
      return;
    }
    warned_ = false;
    auto list = std::move(*live);
    if (std::find(list.begin(), list.end(), settings_.node) == list.end()) {
      list.push_back(settings_.node);  // we just beat: our key is there even if the list raced it
      std::sort(list.begin(), list.end());
    }
    if (list != members_) {
      if (have_members_) ++counters_.membership_changes;
      std::string names;
      for (const auto& n : list)
        names += (names.empty() ? "" : ", ") + n;
      spdlog::info("cluster: live members: {}", names);
      previous_members_ = std::move(members_);
      members_ = std::move(list);
    }
    reassign();
    settle_ready();
    if (!have_members_) {
      have_members_ = true;
    }
    snapshot_feeds();
  }

  // Feeds lost stop at once; feeds gained from a live node start once a later member list
  // confirms them (settle_ready), feeds of a node gone start at once; both after their
  // shared state is loaded.
  void reassign() {
    if (members_.empty()) return;  // no list yet: own nothing rather than everything
    bool dropped = false;
    std::set<std::string> want;
    for (const auto& [id, f] : all_) {
      if (cluster::owner_of(cluster::ownership_key(f.url), members_) == settings_.node) want.insert(id);
    }
    for (auto it = active_.begin(); it != active_.end();) {
      const auto spec = all_.find(*it);
      if (want.count(*it) == 0 || spec == all_.end()) {
        ++counters_.feeds_given_up;
        it = active_.erase(it);
        dropped = true;
      } else {
        ++it;
      }
    }
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (want.count(*it) == 0) {
        settling_.erase(*it);
        it = pending_.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<std::string> now;  // their previous owner is gone: no one else polls them
    for (const auto& id : want) {
      if (active_.count(id) != 0 || pending_.count(id) != 0) continue;
      pending_.insert(id);
      const auto before = cluster::owner_of(cluster::ownership_key(all_[id].url), previous_members_);
      // Their previous owner lives, or we just started among others who may poll them
      // still: let it notice first (settle_ready()). A node whose first list holds only
      // itself starts at once: a node joining after that list sees it, and settles.
      const bool alive =
          before ? std::find(members_.begin(), members_.end(), *before) != members_.end() : members_.size() > 1;
      if (alive) {
        settling_.emplace(id, Clock::now());
      } else {
        now.push_back(id);
      }
    }
    if (dropped) push_owned();
    if (!now.empty()) load_states(now);
  }

  // The settling feeds that a member list taken at least a heartbeat period (plus a margin)
  // after they were gained still gives us: by then their previous owner has seen the same
  // list and stopped, and two nodes that started together have seen each other.
  void settle_ready() {
    const auto settled_after = beat_period() + milliseconds(200);
    std::vector<std::string> ready;
    for (auto it = settling_.begin(); it != settling_.end();) {
      if (Clock::now() - it->second >= settled_after) {
        ready.push_back(it->first);
        it = settling_.erase(it);
      } else {
        ++it;
      }
    }
    if (!ready.empty()) load_states(ready);
  }

  void load_states(const std::vector<std::string>& ids) {
    if (stopped_) return;
    std::vector<std::string> still;
    for (const auto& id : ids) {
      if (pending_.count(id) != 0) still.push_back(id);
    }
    if (still.empty()) return;
    std::weak_ptr<Impl> weak = weak_from_this();
    worker_.post(
        [weak, this, still] {
          std::map<std::string, std::string> found;
          if (!feeds_kv_) open_feeds_bucket();
          if (feeds_kv_) {
            for (const auto& id : still) {
              kvEntry* e = nullptr;
              if (kvStore_Get(&e, feeds_kv_.get(), feed_key(id).c_str()) == NATS_OK) {
                cluster::KvEntryHandle held(e);
                found[id] = std::string(static_cast<const char*>(kvEntry_Value(e)),
                                        static_cast<std::size_t>(kvEntry_ValueLen(e)));
              }
            }
          }
          asio::post(parts_.io, [weak, still, found = std::move(found)] {
            if (auto self = weak.lock()) self->import_states(still, found);
          });
        },
        1'000'000);  // a takeover must not be dropped: bounded by the feed count
  }

  // Marks the previous owner's seen identities as seen here and adopts its stories of the
  // feed, in one batch, then polls.
  void import_states(const std::vector<std::string>& ids, const std::map<std::string, std::string>& found) {
    if (stopped_) return;
    auto batch = parts_.group.open_batch();
    std::size_t items = 0;
    const auto now = unix_now();
    if (batch) {
      for (const auto& [id, text] : found) {
        auto state = cluster::decode_feed_state(text);
        const auto spec = all_.find(id);
        if (!state || spec == all_.end() || state->url != spec->second.url) continue;
        for (const auto& item : state->items) {
          if (auto r = parts_.store.mark_seen(id, item, now); !r) {
            spdlog::warn("cluster: feed {}: cannot import seen items: {}", id, r.error().message);
            break;
          }
          ++items;
        }
        if (parts_.stories && !state->stories.items.empty()) {
          if (auto r = parts_.stories->adopt(state->stories); !r) {
            spdlog::warn("cluster: feed {}: cannot adopt its stories: {}", id, r.error().message);
          } else {
            ++counters_.stories_adopted;
            spdlog::info("cluster: feed {}: adopted {} items of {} stories from {}", id, state->stories.items.size(),
                         state->stories.stories.size(), state->node);
          }
        }
      }
    } else {
      spdlog::warn("cluster: cannot import feed state: {}", batch.error().message);
    }
    const auto activate = [weak = weak_from_this(), ids](bool /*committed*/) {
      // Even without the state (a failed commit) the feed must be polled: the stream's
      // message ids still drop what the previous owner already published.
      if (auto self = weak.lock()) self->activate(ids);
    };
    if (batch) {
      parts_.group.seal(std::move(*batch), {}, std::max<std::size_t>(items, 1), activate);
    } else {
      activate(false);
    }
  }

  void activate(const std::vector<std::string>& ids) {
    if (stopped_) return;
    bool any = false;
    for (const auto& id : ids) {
      if (pending_.erase(id) == 0) continue;  // lost again meanwhile
      active_.insert(id);
      if (started_) ++counters_.feeds_taken_over;
      any = true;
    }
    started_ = true;
    if (any) push_owned();
  }

  void push_owned() {
    std::vector<feeds::FeedSpec> owned;
    for (const auto& id : active_) {
      if (auto it = all_.find(id); it != all_.end()) owned.push_back(it->second);
    }
    spdlog::info("cluster: polling {} of {} feeds", owned.size(), all_.size());
    owned_sink_(owned);
  }

  // On the worker.
  void open_feeds_bucket() {
    auto js = session_->jetstream(2000);
    if (!js) return;
    // No TTL: a feed's state must outlive any outage; history 1 keeps only the newest.
    auto kv = cluster::open_bucket(js->get(), cluster::feeds_bucket(settings_), 0, 1);
    if (!kv) {
      spdlog::warn("cluster: {}", kv.error().message);
      return;
    }
    feeds_js_ = std::move(*js);
    feeds_kv_ = std::move(*kv);
  }

  // Shares the seen identities of each feed whose listing changed since its last snapshot,
  // once the stream holds every alert journalled so far: a node loading the snapshot then
  // never skips an item whose alert is not in the stream. One query finds what moved since
  // the last pass (a heartbeat must not cost a lookup per feed), and the records (up to
  // 900 KiB each) are encoded on the worker, off the loop.
  void snapshot_feeds() {
    if (!connected_ || acked_ < parts_.journal.last_seq()) return;
    const std::int64_t now = unix_now();
    auto moved = parts_.store.listings_since(scanned_from_);
    if (!moved) return;
    scanned_from_ = now - 1;  // listed_at is in whole seconds: this second is looked at again
    for (const auto& [id, at] : *moved) {
      if (active_.count(id) == 0) continue;
      if (auto it = snapshotted_.find(id); it != snapshotted_.end() && it->second == at) continue;
      to_share_[id] = at;
    }
    std::vector<cluster::FeedState> states;
    std::map<std::string, std::int64_t> listed;
    const std::int64_t slack = seen_max_age_.count() / 4;  // touches lag the listing by up to this
    for (const auto& [id, at] : to_share_) {
      if (active_.count(id) == 0) continue;  // given up meanwhile: its new owner shares it now
      auto items = parts_.store.recent_items(id, at - slack, kMaxSnapshotItems);
      if (!items) continue;  // stays out of `listed`: tried again at the next listing change
      cluster::FeedState state;
      state.feed = id;
      state.url = all_[id].url;
      state.node = settings_.node;
      state.listed_at = at;
      state.items = std::move(*items);
      if (parts_.stories) {
        const stories::TimePoint at_now{std::chrono::seconds(now)};
        if (auto stories = parts_.stories->feed_stories(id, at_now, kMaxStoryItems, kMaxStoryText); stories) {
          state.stories = std::move(*stories);
        } else {
          spdlog::warn("cluster: feed {}: cannot read its stories: {}", id, stories.error().message);
        }
      }
      states.push_back(std::move(state));
      listed[id] = at;
    }
    to_share_.clear();
    if (states.empty()) return;
    std::weak_ptr<Impl> weak = weak_from_this();
    worker_.post([weak, this, states = std::move(states), listed = std::move(listed)]() mutable {
      if (!feeds_kv_) open_feeds_bucket();
      std::vector<std::string> done;
      if (feeds_kv_) {
        for (auto& state : states) {
          const std::string id = state.feed;
          const std::string value = cluster::encode_feed_state(std::move(state));
          uint64_t rev = 0;
          if (kvStore_Put(&rev, feeds_kv_.get(), feed_key(id).c_str(), value.data(), static_cast<int>(value.size())) ==
              NATS_OK)
            done.push_back(id);
        }
      }
      asio::post(parts_.io, [weak, done, listed] {
        auto self = weak.lock();
        if (!self) return;
        for (const auto& id : done)
          self->snapshotted_[id] = listed.at(id);
        if (done.size() < listed.size()) {
          ++self->counters_.nats_errors;
          // Not shared: try again at the next pass, unless the listing moved on meanwhile.
          for (const auto& [id, at] : listed) {
            if (std::find(done.begin(), done.end(), id) == done.end()) self->to_share_.emplace(id, at);
          }
        }
      });
    });
  }

  // --- the outbox: journal -> stream ---------------------------------------------------------

  void on_connection(bool connected) {
    if (connected && !connected_) {
      spdlog::info("cluster: NATS connection up; publishing from seq {}", acked_ + 1);
      rewind_ = true;  // what was in flight may be lost: send again, the stream drops copies
      if (!publisher_) open_publisher();
    } else if (!connected && connected_) {
      spdlog::warn("cluster: NATS connection lost; alerts wait in the journal");
    }
    connected_ = connected;
  }

  // Creating the stream is a round trip or two: on the worker, like every blocking call.
  void open_publisher() {
    if (opening_publisher_) return;
    opening_publisher_ = true;
    std::weak_ptr<Impl> weak = weak_from_this();
    worker_.post([weak, this] {
      asio::io_context& io = parts_.io;
      // Acknowledgements gather in an inbox the loop empties in one turn: one wake-up per
      // burst of answers, not one per message.
      auto inbox = std::make_shared<AckInbox>();
      auto p = cluster::StreamPublisher::open(*session_, settings_, [weak, &io, inbox](const cluster::PublishAck& a) {
        bool first = false;
        {
          std::lock_guard lock(inbox->mu);
          first = inbox->acks.empty();
          inbox->acks.push_back(a);
        }
        if (!first) return;
        asio::post(io, [weak, inbox] {
          std::vector<cluster::PublishAck> acks;
          {
            std::lock_guard lock(inbox->mu);
            acks.swap(inbox->acks);
          }
          if (auto self = weak.lock()) {
            for (const auto& ack : acks)
              self->on_ack(ack);
          }
        });
      });
      std::shared_ptr<cluster::StreamPublisher> opened;
      std::string error;
      if (p) {
        opened = std::move(*p);
      } else {
        error = p.error().message;
      }
      asio::post(parts_.io, [weak, opened, error] {
        auto self = weak.lock();
        if (!self) return;
        self->opening_publisher_ = false;
        if (!opened) {
          if (!self->publisher_warned_) spdlog::warn("cluster: stream: {}", error);
          self->publisher_warned_ = true;
          return;
        }
        self->publisher_warned_ = false;
        self->publisher_ = opened;
      });
    });
  }

  void arm_outbox(milliseconds after) {
    outbox_timer_.expires_after(after);
    outbox_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) self->pump();
    });
  }

  void pump() {
    pump_posted_ = false;
    if (stopped_) return;
    if (connected_ && !publisher_) open_publisher();
    if (rewind_) {
      sent_ = acked_;
      outstanding_.clear();
      rewind_ = false;
    }
    if (connected_ && publisher_) {
      while (parts_.journal.last_seq() > sent_ && outstanding_.size() < kMaxOutstanding) {
        auto page = parts_.journal.scan_after(sent_, kPageSize, {});
        if (!page) {
          spdlog::warn("cluster: outbox: {}", page.error().message);
          break;
        }
        bool failed = false;
        for (const auto& a : page->alerts) {
          if (auto r = publisher_->publish_async(a.seq, a.topic, a.payload); !r) {
            failed = true;  // libnats' window is full: try again at the next turn
            break;
          }
          outstanding_.insert(a.seq);
          sent_ = a.seq;
        }
        if (failed) break;
        if (page->alerts.empty()) {
          // Pruned away before it was published (a very long outage): nothing left to send.
          if (page->last_examined > sent_)
            spdlog::warn("cluster: outbox: seqs up to {} were pruned unpublished", page->last_examined);
          sent_ = std::max(sent_, page->last_examined);
          if (page->exhausted) break;
        }
      }
      advance();
    }
    persist_cursor(false);
    arm_outbox(milliseconds(outstanding_.empty() ? 50 : 20));
  }

  void on_ack(const cluster::PublishAck& a) {
    if (stopped_) return;
    if (!a.ok) {
      ++counters_.publish_errors;
      rewind_ = true;
      return;
    }
    ++counters_.published;
    if (a.duplicate) ++counters_.duplicates;
    outstanding_.erase(a.local_seq);
    advance();
    // Half the window answered: refill it now rather than at the next tick.
    if (outstanding_.size() <= kMaxOutstanding / 2 && !pump_posted_ && parts_.journal.last_seq() > sent_) {
      pump_posted_ = true;
      asio::post(parts_.io, [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->pump();
      });
    }
  }

  void advance() {
    const std::uint64_t upto = outstanding_.empty() ? sent_ : *outstanding_.begin() - 1;
    acked_ = std::max(acked_, upto);
  }

  // The cursor rides in the commit group (or commits by itself when the loop is idle): a crash
  // loses at most the last second of progress, which only means re-publishing duplicates.
  void persist_cursor(bool now) {
    if (acked_ == persisted_) return;
    if (!now && Clock::now() - persisted_at_ < std::chrono::seconds(1)) return;
    auto batch = parts_.group.open_batch();
    if (!batch) return;
    auto st = parts_.db.prepare("UPDATE cluster_outbox SET acked_seq = ?1 WHERE id = 1");
    if (!st || !st->bind(1, static_cast<std::int64_t>(acked_)).run()) return;  // the batch rolls back
    parts_.group.seal(std::move(*batch), {}, 1, nullptr);
    if (now) (void)parts_.group.flush();
    persisted_ = acked_;
    persisted_at_ = Clock::now();
  }

  Parts parts_;
  cluster::ClusterSettings settings_;
  std::chrono::seconds seen_max_age_;
  OwnedFeeds owned_sink_;
  asio::steady_timer beat_timer_;
  asio::steady_timer outbox_timer_;
  std::optional<cluster::NatsSession> session_;
  // Used on the worker only (created there lazily).
  std::optional<cluster::Membership> membership_;
  cluster::JsContextHandle feeds_js_;
  cluster::KvStoreHandle feeds_kv_;
  // Loop state.
  std::shared_ptr<cluster::StreamPublisher> publisher_;
  bool opening_publisher_ = false;
  std::map<std::string, feeds::FeedSpec> all_;
  std::vector<std::string> members_;
  std::vector<std::string> previous_members_;          // the list before the last change
  std::set<std::string> active_;                       // polled now
  std::set<std::string> pending_;                      // owned, waiting to settle and load their state
  std::map<std::string, Clock::time_point> settling_;  // of those, gained while their owner lived: since when
  std::map<std::string, std::int64_t> snapshotted_;
  std::map<std::string, std::int64_t> to_share_;  // listings that moved, not yet shared
  std::int64_t scanned_from_ = 0;                 // listings before this were looked at
  bool have_members_ = false;
  bool started_ = false;
  bool warned_ = false;
  bool publisher_warned_ = false;
  bool connected_ = false;
  bool rewind_ = false;
  bool stopped_ = false;
  bool pump_posted_ = false;  // a pump() is queued on the loop
  std::uint64_t acked_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t persisted_ = 0;
  Clock::time_point persisted_at_{};
  std::set<std::uint64_t> outstanding_;
  ClusterCounters counters_;
  NatsWorker worker_;       // last: their threads may use everything above until joined
  NatsWorker beat_worker_;  // membership only (beat())
};

Result<std::unique_ptr<ClusterNode>> ClusterNode::start(Parts parts, const cluster::ClusterSettings& settings,
                                                        std::chrono::seconds seen_max_age, OwnedFeeds owned) {
  auto impl = std::make_shared<Impl>(parts, settings, seen_max_age, std::move(owned));
  if (auto r = impl->init(); !r) return r.error();
  return std::unique_ptr<ClusterNode>(new ClusterNode(std::move(impl)));
}

ClusterNode::ClusterNode(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
ClusterNode::~ClusterNode() { impl_->stop(); }
void ClusterNode::set_feeds(const std::vector<feeds::FeedSpec>& all) { impl_->set_feeds(all); }
void ClusterNode::stop() { impl_->stop(); }
const std::string& ClusterNode::node() const { return impl_->node(); }
std::vector<std::string> ClusterNode::members() const { return impl_->members(); }
std::map<std::string, std::string> ClusterNode::host_owners() const { return impl_->host_owners(); }
const ClusterCounters& ClusterNode::counters() const { return impl_->counters(); }
std::uint64_t ClusterNode::acked_seq() const { return impl_->acked_seq(); }

std::string cluster_status_json(const ClusterNode& node) {
  const auto& c = node.counters();
  nlohmann::json j = {{"node", node.node()},
                      {"members", node.members()},
                      {"hosts", node.host_owners()},
                      {"acked_seq", node.acked_seq()},
                      {"counters",
                       {{"membership_changes", c.membership_changes},
                        {"feeds_taken_over", c.feeds_taken_over},
                        {"feeds_given_up", c.feeds_given_up},
                        {"published", c.published},
                        {"duplicates", c.duplicates},
                        {"publish_errors", c.publish_errors},
                        {"nats_errors", c.nats_errors},
                        {"stories_adopted", c.stories_adopted}}}};
  return j.dump();
}

}  // namespace newswatch::daemon
