#include "daemon/retention.hpp"

#include <spdlog/spdlog.h>

namespace newswatch::daemon {

Retention::Retention(asio::io_context& io, feeds::FeedStore& store, alerts::AlertJournal& journal, StoryStage& stories,
                     std::function<const Config&()> settings)
    : store_(store), journal_(journal), stories_(stories), settings_(std::move(settings)), timer_(io) {}

void Retention::start(std::chrono::milliseconds first_after) { schedule(first_after); }

void Retention::stop() { timer_.cancel(); }

void Retention::schedule(std::chrono::milliseconds after) {
  timer_.expires_after(after);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) schedule(prune_once() ? std::chrono::milliseconds(0) : settings_().journal.prune_interval);
  });
}

void Retention::forget_feeds_except(const std::vector<FeedDef>& configured) {
  std::set<std::string, std::less<>> ids;
  for (const auto& f : configured)
    ids.insert(f.id);
  if (auto r = store_.forget_listings_except(ids); !r) spdlog::error("dedup: {}", r.error().message);
}

bool Retention::prune_once() {
  constexpr std::int64_t kSlice = 10000;
  const Config& c = settings_();
  const std::int64_t now =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()).time_since_epoch().count();
  const std::int64_t max_count = c.journal.max_count > 0 ? c.journal.max_count : std::int64_t{1} << 62;
  auto journal = journal_.prune(now - c.journal.max_age.count(), max_count, kSlice);
  if (!journal) {
    spdlog::error("journal: prune: {}", journal.error().message);
    return false;
  }
  auto seen = store_.prune_seen(now, c.dedup.seen_max_age.count(), kSlice);
  if (!seen) spdlog::error("dedup: prune: {}", seen.error().message);
  // Stories leave with their window (a day's worth at a time at most, so no slice is needed).
  auto stories = stories_.prune(std::chrono::sys_seconds(std::chrono::seconds(now)));
  if (!stories) spdlog::error("stories: prune: {}", stories.error().message);
  if (stories && *stories > 0) spdlog::info("pruned {} story items older than the story window", *stories);
  if (*journal > 0 || (seen && *seen > 0)) {
    auto first = journal_.first_kept();
    spdlog::info("pruned {} journalled alerts (replay horizon now seq {}) and {} seen items", *journal,
                 first ? *first : 0, seen ? *seen : 0);
  }
  return *journal == kSlice || (seen && *seen == kSlice);
}

}  // namespace newswatch::daemon
