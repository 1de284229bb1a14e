#pragma once
// PollPolicy: when to poll a feed next, from its config, the server's caching headers,
// RSS <ttl> and its failure count. Pure: every input is a plain value, `now` included.

#include <chrono>
#include <optional>
#include <string_view>

namespace newswatch::feeds {

struct PollBounds {
  std::chrono::seconds default_interval{300};
  std::chrono::seconds min_interval{30};
  std::chrono::seconds max_interval{6 * 3600};
  std::chrono::seconds max_backoff{6 * 3600};
};

// `Cache-Control: max-age=N` (s-maxage ignored: we are not a shared cache).
std::optional<std::chrono::seconds> parse_max_age(std::string_view cache_control);
// `Retry-After`: delta-seconds or an HTTP-date, relative to `now` (never negative).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);
// `Expires` as a delay from `now` (never negative).
std::optional<std::chrono::seconds> parse_expires(std::string_view value, std::chrono::system_clock::time_point now);

// clamp(max(configured or default, ttl, server freshness), min, max)
std::chrono::seconds success_interval(const PollBounds& b, std::optional<std::chrono::seconds> configured,
                                      std::optional<std::chrono::seconds> ttl,
                                      std::optional<std::chrono::seconds> server_freshness);

// min(interval * 2^failures, max_backoff), failures >= 1
std::chrono::seconds failure_delay(const PollBounds& b, std::chrono::seconds interval, int failures);

// Retry-After as the server's word, capped only by max_interval, with a floor of 1 s.
std::chrono::seconds retry_after_delay(const PollBounds& b, std::chrono::seconds retry_after);

// Spreads `d` by ±fraction using `unit` in [0, 1) (the caller's random draw).
std::chrono::milliseconds with_jitter(std::chrono::milliseconds d, double fraction, double unit);

}  // namespace newswatch::feeds
