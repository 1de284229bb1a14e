#include "alerts/replay_protocol.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

namespace newswatch::alerts {

namespace {

constexpr std::size_t kMaxTopics = 256;

// JSON integers arrive as unsigned, signed or (for 1e3) float: accept only exact
// non-negative integers so "since": -1 or 1.5 is an error, not a silent conversion.
bool as_count(const nlohmann::json& v, std::uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<std::uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
    out = static_cast<std::uint64_t>(v.get<std::int64_t>());
    return true;
  }
  return false;
}

}  // namespace

Result<ReplayRequest> parse_replay_request(std::string_view frame) {
  const auto j = nlohmann::json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error("request is not valid JSON");
  if (!j.is_object()) return make_error("request must be a JSON object");
  ReplayRequest req;
  const auto since = j.find("since");
  if (since == j.end()) return make_error("'since' is required");
  // The seq column is a signed 64-bit SQLite integer: larger values cannot name an alert.
  if (!as_count(*since, req.since) || req.since > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    return make_error("'since' must be a non-negative integer");
  if (const auto limit = j.find("limit"); limit != j.end() && !limit->is_null()) {
    std::uint64_t l = 0;
    if (!as_count(*limit, l) || l == 0) return make_error("'limit' must be a positive integer");
    req.limit = static_cast<std::size_t>(std::min<std::uint64_t>(l, kMaxReplayLimit));
  }
  if (const auto topics = j.find("topics"); topics != j.end() && !topics->is_null()) {
    if (!topics->is_array()) return make_error("'topics' must be an array of strings");
    if (topics->size() > kMaxTopics) return make_error("'topics' may hold at most 256 prefixes");
    for (const auto& t : *topics) {
      if (!t.is_string()) return make_error("'topics' must be an array of strings");
      req.topics.push_back(t.get<std::string>());
    }
    // An empty prefix matches everything: the same as no filter, and cheaper.
    if (std::any_of(req.topics.begin(), req.topics.end(), [](const std::string& t) { return t.empty(); }))
      req.topics.clear();
  }
  return req;
}

bool behind_horizon(std::uint64_t since, std::uint64_t first_kept) {
  // since = 0 is "everything still journalled" and never an error.
  return since > 0 && since + 1 < first_kept;
}

std::vector<std::string> build_replay_reply(const ReplayRequest& request, const ReplayPage& page,
                                            std::uint64_t newest_seq) {
  const bool more = !page.exhausted && page.last_examined < newest_seq;
  const std::uint64_t last = more ? std::max(page.last_examined, request.since) : newest_seq;
  const nlohmann::json header = {{"ok", true}, {"count", page.alerts.size()}, {"last_seq", last}, {"more", more}};
  std::vector<std::string> frames;
  frames.reserve(1 + 2 * page.alerts.size());
  frames.push_back(header.dump());
  for (const auto& a : page.alerts) {
    frames.push_back(a.topic);
    frames.push_back(a.payload);
  }
  return frames;
}

std::string build_replay_error(std::string_view message, std::uint64_t oldest_seq) {
  const nlohmann::json body = {{"ok", false}, {"error", message}, {"oldest_seq", oldest_seq}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace newswatch::alerts
