#pragma once
// CommitGroup: the batches of fetches that finish close together share one SQLite transaction,
// each in its own savepoint; their alerts are sent, and their callers told, only after it commits.
//
// The rules that make an alert neither lost nor repeated live here: nothing is published before
// its commit; a batch given up or a failed commit publishes nothing, keeps nothing, and gives
// its seqs back (the next alert reuses none: seqs stay gapless).

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "alerts/alert.hpp"
#include "alerts/alert_journal.hpp"
#include "alerts/alert_publisher.hpp"
#include "common/asio.hpp"
#include "common/result.hpp"
#include "common/sqlite_db.hpp"

namespace newswatch::daemon {

struct CommitGroupOptions {
  // A group commits once it holds this many items, or when the loop has run what was ready
  // (so an idle daemon commits at once), or `max_delay` after it opened, whichever is first.
  std::size_t max_items = 2000;
  std::chrono::microseconds max_delay{0};  // 0: no extra wait, group what is ready now
};

class CommitGroup {
 public:
  // Told once per sealed batch: true when its writes committed and its alerts were handed to
  // the publisher, false when the group failed (nothing of it was kept or sent).
  using Done = std::function<void(bool committed)>;

  // One fetch's writes, between open_batch() and seal(): a savepoint of the group's
  // transaction. Destroyed unsealed (an error, an exception), it is rolled back whole.
  class Batch {
   public:
    Batch(Batch&& other) noexcept;
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    Batch& operator=(Batch&&) = delete;
    ~Batch();

   private:
    friend class CommitGroup;
    explicit Batch(CommitGroup& group, std::uint64_t seq_before) : group_(&group), seq_before_(seq_before) {}
    CommitGroup* group_;
    std::uint64_t seq_before_;
  };

  CommitGroup(asio::io_context& io, SqliteDb& db, alerts::AlertJournal& journal, alerts::AlertPublisher& publisher,
              CommitGroupOptions options = {});
  ~CommitGroup();  // an open group is rolled back: nothing of it was promised to anyone
  CommitGroup(const CommitGroup&) = delete;
  CommitGroup& operator=(const CommitGroup&) = delete;

  // Opens the group's transaction if needed, then a savepoint for one batch. One batch at a time.
  Result<Batch> open_batch();
  // The batch's writes are done: its `alerts` (journalled in it, in seq order) go out after the
  // commit, then `done` is told. `items` counts toward max_items.
  void seal(Batch batch, std::vector<alerts::Alert> alerts, std::size_t items, Done done);
  // Commits now (shutdown, tests). Returns false when the commit failed.
  bool flush();

  void set_options(CommitGroupOptions options) { options_ = options; }
  bool open() const { return tx_.has_value(); }
  std::uint64_t commits() const { return commits_; }
  std::uint64_t failed_commits() const { return failed_commits_; }

 private:
  struct Sealed {
    std::vector<alerts::Alert> alerts;
    Done done;
  };
  void abandon(Batch& batch);
  void schedule_flush();

  asio::io_context& io_;
  SqliteDb& db_;
  alerts::AlertJournal& journal_;
  alerts::AlertPublisher& publisher_;
  CommitGroupOptions options_;
  asio::steady_timer timer_;
  std::optional<SqliteTransaction> tx_;
  std::uint64_t group_seq_before_ = 0;
  std::vector<Sealed> sealed_;
  std::size_t items_ = 0;
  bool batch_open_ = false;
  bool flush_posted_ = false;
  std::uint64_t commits_ = 0;
  std::uint64_t failed_commits_ = 0;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);  // posted handlers hold weak refs to it
};

}  // namespace newswatch::daemon
