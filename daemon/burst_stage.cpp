#include "daemon/burst_stage.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace newswatch::daemon {
namespace {

// Journalled messages that are not alerts (their payloads would read as alerts otherwise).
bool is_alert_topic(const std::string& topic) {
  return topic.rfind("story.", 0) != 0 && topic.rfind("burst.", 0) != 0 && topic.rfind("sys.", 0) != 0;
}

}  // namespace

Result<BurstStage> BurstStage::open(SqliteDb& db, alerts::AlertJournal& journal, bursts::BurstSettings settings,
                                    std::vector<bursts::BurstFilter> filters, bursts::EntityTypes types) {
  auto store = bursts::BurstStore::open(db);
  if (!store) return store.error();
  return BurstStage(std::move(*store), journal, std::move(settings), std::move(filters), std::move(types));
}

BurstStage::BurstStage(bursts::BurstStore store, alerts::AlertJournal& journal, bursts::BurstSettings settings,
                       std::vector<bursts::BurstFilter> filters, bursts::EntityTypes types)
    : store_(std::move(store)),
      journal_(&journal),
      settings_(std::move(settings)),
      filters_(std::move(filters)),
      types_(std::move(types)) {}

void BurstStage::reconfigure(bursts::BurstSettings settings, std::vector<bursts::BurstFilter> filters,
                             bursts::EntityTypes types) {
  settings_ = std::move(settings);
  filters_ = std::move(filters);
  types_ = std::move(types);
  if (detector_ && !stale_) {
    detector_->reconfigure(settings_, filters_);
    dirty_ = true;  // filters that went are removed at the next checkpoint
  }
}

Result<Ok> BurstStage::ensure_loaded(std::uint64_t before_seq) {
  if (!stale_) return Ok{};
  auto stored = store_.load();
  if (!stored) return stored.error();
  auto through = store_.checkpoint_seq();
  if (!through) return through.error();
  detector_.reset();
  detector_.emplace(settings_, filters_);
  const auto skipped = detector_->restore(*stored);
  if (skipped > 0) spdlog::info("bursts: {} stored series of filters no longer configured skipped", skipped);
  // Alerts journalled after the checkpoint are counted again; what they announced then is in
  // the journal already, so what they announce now is dropped.
  std::uint64_t since = *through;
  std::size_t recounted = 0;
  for (;;) {
    auto page = journal_->scan_written_after(since, 1000, {});
    if (!page) return page.error();
    for (const auto& a : page->alerts) {
      if (a.seq >= before_seq) break;
      if (!is_alert_topic(a.topic)) continue;
      if (auto e = bursts::event_from_alert_payload(a.payload, types_); e) {
        (void)detector_->observe(*e);
        ++recounted;
      }
    }
    if (page->exhausted || page->last_examined == 0 || page->last_examined + 1 >= before_seq) break;
    since = page->last_examined;
  }
  counted_through_ = before_seq > 0 ? before_seq - 1 : 0;
  if (recounted > 0)
    spdlog::debug("bursts: {} alerts after the checkpoint (seq {}) counted again", recounted, *through);
  dirty_ = recounted > 0;
  stale_ = false;
  return Ok{};
}

Result<std::vector<bursts::Burst>> BurstStage::observe(const bursts::BurstEvent& event, std::uint64_t seq) {
  if (!settings_.enabled) return std::vector<bursts::Burst>{};
  if (auto r = ensure_loaded(seq); !r) return r.error();
  if (seq <= counted_through_) return std::vector<bursts::Burst>{};
  counted_through_ = seq;
  dirty_ = true;
  return detector_->observe(event);
}

Result<Ok> BurstStage::checkpoint(std::int64_t unix_now, bool now_anyway) {
  if (stale_ || !detector_ || !dirty_) return Ok{};
  if (!now_anyway && unix_now - last_checkpoint_ < kCheckpointEvery.count()) return Ok{};
  const auto changes = detector_->take_changes();
  if (auto r = store_.save(changes, unix_now, counted_through_); !r) {
    stale_ = true;  // the changes taken are lost with the batch: rebuild from the database
    return r.error();
  }
  dirty_ = false;
  last_checkpoint_ = unix_now;
  return Ok{};
}

}  // namespace newswatch::daemon
