#pragma once
// BurstStage: the daemon's bursts step — counts each alert into the burst detector, whose
// series are checkpointed into the state database now and then (docs/bursts.md).
//
// The journal is the log and the series are checkpoints: each checkpoint records the seq of
// the last alert counted, and whenever the detector is (re)built — at start, or after a batch
// it counted was given up — it restores the checkpoint and counts the journalled alerts after
// it again, announcing nothing for them (their bursts are journalled already). So a restart,
// even after a SIGKILL, resumes exactly, while a busy filter's series are not rewritten at
// every commit.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "alerts/alert_journal.hpp"
#include "bursts/burst_detector.hpp"
#include "bursts/burst_message.hpp"
#include "bursts/burst_store.hpp"
#include "common/result.hpp"
#include "common/sqlite_db.hpp"

namespace newswatch::daemon {

class BurstStage {
 public:
  // How often a checkpoint is written (when anything changed).
  static constexpr std::chrono::seconds kCheckpointEvery{60};

  // Creates the bursts tables if needed; the series are loaded at the first use. `journal`
  // must outlive the stage.
  static Result<BurstStage> open(SqliteDb& db, alerts::AlertJournal& journal, bursts::BurstSettings settings,
                                 std::vector<bursts::BurstFilter> filters, bursts::EntityTypes types);

  // A reload's settings, filters and entity types: a filter that stays keeps its history.
  void reconfigure(bursts::BurstSettings settings, std::vector<bursts::BurstFilter> filters, bursts::EntityTypes types);
  // A batch this stage counted into was rolled back: rebuild at the next use.
  void invalidate() { stale_ = true; }
  bool enabled() const { return settings_.enabled; }
  const bursts::EntityTypes& entity_types() const { return types_; }

  // Counts the alert journalled (in the open batch) as `seq`; the bursts it announces.
  Result<std::vector<bursts::Burst>> observe(const bursts::BurstEvent& event, std::uint64_t seq);
  // Writes a checkpoint into the open batch if one is due (or `now_anyway`) and anything changed.
  Result<Ok> checkpoint(std::int64_t unix_now, bool now_anyway = false);

 private:
  BurstStage(bursts::BurstStore store, alerts::AlertJournal& journal, bursts::BurstSettings settings,
             std::vector<bursts::BurstFilter> filters, bursts::EntityTypes types);
  // Restores the checkpoint and counts the journalled alerts after it, up to `before_seq`.
  Result<Ok> ensure_loaded(std::uint64_t before_seq);

  bursts::BurstStore store_;
  alerts::AlertJournal* journal_;
  bursts::BurstSettings settings_;
  std::vector<bursts::BurstFilter> filters_;
  bursts::EntityTypes types_;
  std::optional<bursts::BurstDetector> detector_;
  bool stale_ = true;
  bool dirty_ = false;                 // counted something since the last checkpoint
  std::uint64_t counted_through_ = 0;  // the last alert seq the detector has counted
  std::int64_t last_checkpoint_ = 0;   // unix time; 0: none yet this run
};

}  // namespace newswatch::daemon
