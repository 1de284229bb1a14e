#pragma once
// BurstStage: the daemon's bursts step — counts each alert into the burst detector and keeps
// the detector's series in the open batch, so bursts survive restarts (docs/bursts.md).
//
// As with StoryStage, memory may run ahead of a batch that is given up: invalidate() makes the
// next call rebuild the detector from the database.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bursts/burst_detector.hpp"
#include "bursts/burst_store.hpp"
#include "common/result.hpp"
#include "common/sqlite_db.hpp"

namespace newswatch::daemon {

class BurstStage {
 public:
  // Creates the bursts table if needed; the series are loaded at the first use.
  static Result<BurstStage> open(SqliteDb& db, bursts::BurstSettings settings,
                                 std::vector<bursts::BurstFilter> filters);

  // A reload's settings and filters: a filter that stays keeps its history.
  void reconfigure(bursts::BurstSettings settings, std::vector<bursts::BurstFilter> filters);
  void invalidate() { stale_ = true; }
  bool enabled() const { return settings_.enabled; }

  // Counts one alert; the bursts it announces (to journal and publish with the alert).
  Result<std::vector<bursts::Burst>> observe(const bursts::BurstEvent& event);
  // Writes the series that changed since the last save into the open batch.
  Result<Ok> save(std::int64_t unix_now);

 private:
  BurstStage(bursts::BurstStore store, bursts::BurstSettings settings, std::vector<bursts::BurstFilter> filters);
  Result<Ok> ensure_loaded();

  bursts::BurstStore store_;
  bursts::BurstSettings settings_;
  std::vector<bursts::BurstFilter> filters_;
  std::optional<bursts::BurstDetector> detector_;
  bool stale_ = true;
};

}  // namespace newswatch::daemon
