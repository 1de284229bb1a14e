#pragma once
// BurstStore: the bursts/ table of the state database, one row per series (filter, or
// filter × entity) holding the detector's state. Writes join the caller's transaction.

#include <string>
#include <vector>

#include "bursts/burst_detector.hpp"
#include "common/result.hpp"
#include "common/sqlite_db.hpp"

namespace newswatch::bursts {

class BurstStore {
 public:
  // Creates the table if needed (schema module "bursts").
  static Result<BurstStore> open(SqliteDb& db);

  // Every stored series, for BurstDetector::restore() at start.
  Result<std::vector<SeriesState>> load();
  // The seq of the last alert the stored series have counted (0: none, or never saved with one).
  Result<std::uint64_t> checkpoint_seq();

  // Writes what BurstDetector::take_changes() returned: removals first (entity "" removes
  // the filter's every series), then updates, and `through_seq`, the last alert counted.
  // Runs no BEGIN/COMMIT: call it inside the transaction that journals those alerts.
  Result<Ok> save(const SeriesChanges& changes, std::int64_t unix_time, std::uint64_t through_seq = 0);

 private:
  explicit BurstStore(SqliteDb& db) : db_(&db) {}
  SqliteDb* db_;
  SqliteStatement upsert_;
  SqliteStatement remove_one_;
  SqliteStatement remove_filter_;
  SqliteStatement checkpoint_;
};

}  // namespace newswatch::bursts
