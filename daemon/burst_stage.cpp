#include "daemon/burst_stage.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace newswatch::daemon {

Result<BurstStage> BurstStage::open(SqliteDb& db, bursts::BurstSettings settings,
                                    std::vector<bursts::BurstFilter> filters) {
  auto store = bursts::BurstStore::open(db);
  if (!store) return store.error();
  return BurstStage(std::move(*store), std::move(settings), std::move(filters));
}

BurstStage::BurstStage(bursts::BurstStore store, bursts::BurstSettings settings,
                       std::vector<bursts::BurstFilter> filters)
    : store_(std::move(store)), settings_(std::move(settings)), filters_(std::move(filters)) {}

void BurstStage::reconfigure(bursts::BurstSettings settings, std::vector<bursts::BurstFilter> filters) {
  settings_ = std::move(settings);
  filters_ = std::move(filters);
  if (detector_ && !stale_) detector_->reconfigure(settings_, filters_);
}

Result<Ok> BurstStage::ensure_loaded() {
  if (!stale_) return Ok{};
  auto stored = store_.load();
  if (!stored) return stored.error();
  detector_.reset();
  detector_.emplace(settings_, filters_);
  const auto skipped = detector_->restore(*stored);
  if (skipped > 0) spdlog::info("bursts: {} stored series of filters no longer configured skipped", skipped);
  stale_ = false;
  return Ok{};
}

Result<std::vector<bursts::Burst>> BurstStage::observe(const bursts::BurstEvent& event) {
  if (!settings_.enabled) return std::vector<bursts::Burst>{};
  if (auto r = ensure_loaded(); !r) return r.error();
  return detector_->observe(event);
}

Result<Ok> BurstStage::save(std::int64_t unix_now) {
  if (stale_ || !detector_) return Ok{};
  const auto changes = detector_->take_changes();
  if (changes.empty()) return Ok{};
  if (auto r = store_.save(changes, unix_now); !r) {
    stale_ = true;  // the changes taken are lost with the batch: reload what the database holds
    return r.error();
  }
  return Ok{};
}

}  // namespace newswatch::daemon
