#include "alerts/system_messages.hpp"

#include <nlohmann/json.hpp>

namespace newswatch::alerts {
namespace {

std::string dump(const nlohmann::json& body) {
  // Feed errors quote what servers sent: invalid UTF-8 is replaced, never thrown on.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

SystemMessage heartbeat_message(std::uint64_t last_seq, feeds::TimePoint now) {
  return {"sys.heartbeat", dump({{"last_seq", last_seq}, {"time", feeds::format_rfc3339(now)}})};
}

SystemMessage reload_message(bool ok, const std::vector<std::string>& errors, std::uint64_t generation) {
  return {"sys.reload", dump({{"ok", ok}, {"errors", errors}, {"generation", generation}})};
}

SystemMessage feed_error_message(std::string_view feed_id, int status, std::string_view outcome,
                                 std::string_view message) {
  return {status == 410 ? "sys.feed.gone" : "sys.feed.error",
          dump({{"feed", feed_id}, {"status", status}, {"outcome", outcome}, {"message", message}})};
}

}  // namespace newswatch::alerts
