#include "daemon/commit_group.hpp"

#include <spdlog/spdlog.h>

namespace newswatch::daemon {

CommitGroup::Batch::Batch(Batch&& other) noexcept
    : group_(std::exchange(other.group_, nullptr)), seq_before_(other.seq_before_) {}

CommitGroup::Batch::~Batch() {
  if (group_ != nullptr) group_->abandon(*this);
}

CommitGroup::CommitGroup(asio::io_context& io, SqliteDb& db, alerts::AlertJournal& journal,
                         alerts::AlertPublisher& publisher, CommitGroupOptions options)
    : io_(io), db_(db), journal_(journal), publisher_(publisher), options_(options), timer_(io) {}

CommitGroup::~CommitGroup() {
  timer_.cancel();
  if (!tx_) return;
  tx_.reset();  // rolls back
  journal_.rollback_to(group_seq_before_);
  for (auto& s : sealed_)
    if (s.done) s.done(false);
}

Result<CommitGroup::Batch> CommitGroup::open_batch() {
  if (batch_open_) return make_error("a batch is already open");
  if (!tx_) {
    auto tx = SqliteTransaction::begin(db_);
    if (!tx) return tx.error();
    tx_.emplace(std::move(*tx));
    group_seq_before_ = journal_.last_seq();
    schedule_flush();
  }
  if (auto r = db_.run_cached("SAVEPOINT batch"); !r) return r.error();
  batch_open_ = true;
  return Batch(*this, journal_.next_seq() - 1);
}

void CommitGroup::abandon(Batch& batch) {
  batch.group_ = nullptr;
  batch_open_ = false;
  journal_.rollback_to(batch.seq_before_);
  if (db_.run_cached("ROLLBACK TO batch").ok() && db_.run_cached("RELEASE batch").ok()) return;
  // The savepoint could not be undone, so nothing in the transaction can be trusted: the
  // whole group goes, and every batch in it is told so.
  spdlog::error("state database: cannot roll a batch back ({}); dropping the group", db_.last_error());
  tx_.reset();
  journal_.rollback_to(group_seq_before_);
  ++failed_commits_;
  auto sealed = std::move(sealed_);
  sealed_.clear();
  items_ = 0;
  for (auto& s : sealed)
    if (s.done) s.done(false);
}

void CommitGroup::seal(Batch batch, std::vector<alerts::Alert> alerts, std::size_t items, Done done) {
  if (batch.group_ != this) return;  // already given up (a moved-from or abandoned batch)
  if (!db_.run_cached("RELEASE batch")) {
    abandon(batch);
    if (done) done(false);
    return;
  }
  batch.group_ = nullptr;
  batch_open_ = false;
  sealed_.push_back({std::move(alerts), std::move(done)});
  items_ += items;
  if (items_ >= options_.max_items) flush();
}

void CommitGroup::schedule_flush() {
  const auto run = [this, life = std::weak_ptr<int>(life_)] {
    if (life.expired()) return;
    flush_posted_ = false;
    if (tx_ && !batch_open_) flush();
  };
  if (options_.max_delay.count() > 0) {
    timer_.expires_after(options_.max_delay);
    timer_.async_wait([run](const boost::system::error_code& ec) {
      if (!ec) run();
    });
    return;
  }
  if (flush_posted_) return;
  flush_posted_ = true;
  asio::post(io_, run);  // after the handlers that are ready now: they join this group
}

bool CommitGroup::flush() {
  if (!tx_ || batch_open_) return !batch_open_;
  timer_.cancel();
  auto sealed = std::move(sealed_);
  sealed_.clear();
  items_ = 0;
  const auto committed = tx_->commit();
  tx_.reset();  // a failed commit rolls back here
  if (!committed) {
    spdlog::error("state database: commit failed: {}", committed.error().message);
    journal_.rollback_to(group_seq_before_);
    ++failed_commits_;
    for (auto& s : sealed)
      if (s.done) s.done(false);
    return false;
  }
  journal_.committed();
  ++commits_;
  // Every alert of the group goes out before any caller is told: a caller's follow-up (the
  // scheduler, the feed's state, the log) would otherwise delay the next batch's alerts.
  for (const auto& s : sealed) {
    for (const auto& a : s.alerts) {
      if (!publisher_.send(a.topic, a.payload)) spdlog::warn("alert seq {} not published (replay has it)", a.seq);
    }
  }
  for (auto& s : sealed)
    if (s.done) s.done(true);
  return true;
}

}  // namespace newswatch::daemon
