#include "daemon/feed_report.hpp"

#include <nlohmann/json.hpp>

#include "feeds/feed.hpp"

namespace newswatch::daemon {
namespace {

nlohmann::json wall_time(std::chrono::system_clock::time_point t) {
  return feeds::format_rfc3339(std::chrono::floor<std::chrono::seconds>(t));
}

}  // namespace

std::string feed_state(const feeds::FeedRuntime& runtime) {
  if (runtime.gone) return "gone";
  if (runtime.failures >= 2) return "backing_off";
  if (runtime.failures == 1) return "failing";
  return "ok";
}

std::string feed_report_json(const std::vector<feeds::FeedView>& feeds, std::chrono::steady_clock::time_point now,
                             std::chrono::system_clock::time_point wall_now) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& f : feeds) {
    nlohmann::json due = nullptr;
    if (f.due) {
      // The scheduler keeps steady-clock times; a report speaks wall-clock time.
      const auto ahead = std::max(std::chrono::steady_clock::duration::zero(), *f.due - now);
      due = wall_time(wall_now + std::chrono::duration_cast<std::chrono::system_clock::duration>(ahead));
    }
    out.push_back({{"id", f.spec.id},
                   {"url", f.runtime.url.empty() ? f.spec.url : f.runtime.url},
                   {"state", feed_state(f.runtime)},
                   {"last_status",
                    f.runtime.last_outcome.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.runtime.last_outcome)},
                   {"consecutive_failures", f.runtime.failures},
                   {"last_success", f.stats.last_success ? wall_time(*f.stats.last_success) : nlohmann::json(nullptr)},
                   {"next_due", due},
                   {"in_flight", f.in_flight}});
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace newswatch::daemon
