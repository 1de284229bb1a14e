#include "feeds/poll_policy.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "feeds/feed_dates.hpp"

namespace newswatch::feeds {

using std::chrono::seconds;

std::optional<seconds> parse_max_age(std::string_view cc) {
  std::string lower(cc);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::size_t pos = 0;
  while ((pos = lower.find("max-age", pos)) != std::string::npos) {
    // reject "s-maxage" and the like: the directive must start a token
    const bool starts_token = pos == 0 || lower[pos - 1] == ',' || lower[pos - 1] == ' ' || lower[pos - 1] == '\t';
    std::size_t p = pos + 7;
    pos = p;
    if (!starts_token) continue;
    while (p < lower.size() && lower[p] == ' ')
      ++p;
    if (p >= lower.size() || lower[p] != '=') continue;
    ++p;
    while (p < lower.size() && (lower[p] == ' ' || lower[p] == '"'))
      ++p;
    long long v = 0;
    std::size_t digits = 0;
    while (p < lower.size() && std::isdigit(static_cast<unsigned char>(lower[p])) != 0 && digits < 12) {
      v = v * 10 + (lower[p] - '0');
      ++p;
      ++digits;
    }
    if (digits > 0) return seconds(v);
  }
  return std::nullopt;
}

std::optional<seconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    if (value.size() > 12) return std::nullopt;
    return seconds(std::stoll(std::string(value)));
  }
  return parse_expires(value, now);
}

std::optional<seconds> parse_expires(std::string_view value, std::chrono::system_clock::time_point now) {
  const auto when = parse_date(value);
  if (!when) return std::nullopt;
  // Rounded up: a date a part-second away is still in the future, and a server that asked
  // us to wait until then must not be asked again early (truncating did, by up to a second).
  // (Dates have whole seconds, so this is ceil(when - now), without the nanosecond
  // arithmetic that overflows for far dates such as 9999-12-31.)
  const auto delta = *when - std::chrono::floor<seconds>(now);
  return std::max(delta, seconds(0));
}

seconds success_interval(const PollBounds& b, std::optional<seconds> configured, std::optional<seconds> ttl,
                         std::optional<seconds> server_freshness) {
  seconds s = configured.value_or(b.default_interval);
  if (ttl) s = std::max(s, *ttl);
  if (server_freshness) s = std::max(s, *server_freshness);
  return std::clamp(s, b.min_interval, std::max(b.min_interval, b.max_interval));
}

seconds failure_delay(const PollBounds& b, seconds interval, int failures) {
  seconds d = std::max(interval, seconds(1));
  for (int i = 0; i < failures && d < b.max_backoff; ++i)
    d *= 2;
  return std::min(d, b.max_backoff);
}

seconds retry_after_delay(const PollBounds& b, seconds retry_after) {
  // At least a second: "Retry-After: 0" or a date already past, taken literally, refetches
  // at once after every 429/503 (an error alert and a state write each round).
  return std::min(std::max(retry_after, seconds(1)), b.max_interval);
}

std::chrono::milliseconds with_jitter(std::chrono::milliseconds d, double fraction, double unit) {
  const double factor = 1.0 + fraction * (2.0 * unit - 1.0);
  return std::chrono::milliseconds(static_cast<long long>(static_cast<double>(d.count()) * factor));
}

}  // namespace newswatch::feeds
