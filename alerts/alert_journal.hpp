#pragma once
// AlertJournal: the alerts/ table of the state database. Every alert is appended here,
// inside the caller's transaction, before it is sent; replay reads it back by seq.

#include <cstdint>
#include <string>
#include <vector>

#include "alerts/alert.hpp"
#include "alerts/replay_protocol.hpp"
#include "common/result.hpp"
#include "common/sqlite_db.hpp"

namespace newswatch::alerts {

class AlertJournal {
 public:
  static Result<AlertJournal> open(SqliteDb& db);

  // The highest seq committed (0 when none); survives pruning. Replay and heartbeats speak
  // of this one: appends still inside an open transaction do not exist for them yet.
  std::uint64_t last_seq() const { return committed_seq_; }
  // The seq the next append() must use (past every append, committed or not).
  std::uint64_t next_seq() const { return assigned_seq_ + 1; }
  // Appends; alert.seq must equal next_seq().
  Result<Ok> append(const Alert& alert, std::int64_t unix_time);
  // The caller's transaction rolled back: seqs after `last_seq` are free again.
  void rollback_to(std::uint64_t last_seq) { assigned_seq_ = last_seq; }
  // The caller's transaction committed: every append so far is durable.
  void committed() { committed_seq_ = assigned_seq_; }

  // One replay page: committed alerts with seq > since, at most `limit` of them, examining
  // at most `max_scan` rows, with how far the scan got (see ReplayPage).
  Result<ReplayPage> scan_after(std::uint64_t since, std::size_t limit, const std::vector<std::string>& topic_prefixes,
                                std::size_t max_scan = kMaxReplayScan);
  // The same over every append so far, the open transaction's included: for parts of the
  // daemon that rebuild their state inside that transaction (see daemon/burst_stage.hpp).
  Result<ReplayPage> scan_written_after(std::uint64_t since, std::size_t limit,
                                        const std::vector<std::string>& topic_prefixes);
  // Smallest seq still kept (0 when the journal is empty).
  Result<std::uint64_t> oldest_seq();
  // The first seq a replay can still deliver: oldest kept, or last_seq() + 1 when empty.
  Result<std::uint64_t> first_kept();
  // Drops alerts older than `cutoff_unix` and beyond the newest `max_count`, at most
  // `batch` rows per call (negative: all) so a large backlog is pruned in slices that
  // never hold the event loop long. Returns how many rows went.
  Result<std::int64_t> prune(std::int64_t cutoff_unix, std::int64_t max_count, std::int64_t batch = -1);

 private:
  explicit AlertJournal(SqliteDb& db) : db_(&db) {}
  Result<ReplayPage> scan(std::uint64_t since, std::uint64_t upto, std::size_t limit,
                          const std::vector<std::string>& topic_prefixes, std::size_t max_scan);
  SqliteDb* db_;
  SqliteStatement append_;
  SqliteStatement update_meta_;
  std::uint64_t assigned_seq_ = 0;
  std::uint64_t committed_seq_ = 0;
};

}  // namespace newswatch::alerts
