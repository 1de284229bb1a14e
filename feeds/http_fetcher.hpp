#pragma once
// HttpFetcher: HTTP(S) transfers on a libcurl multi handle driven by one Asio io_context
// (socket + timer callbacks, curl_multi_socket_action). No thread per transfer, no blocking.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/asio.hpp"

namespace newswatch::feeds {

struct FetchOptions {
  std::string user_agent = "newswatch/0.1";
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds timeout{60};
  std::uint64_t max_body_size = 16ULL << 20;  // bounds the decoded body too
  int max_redirects = 5;
  bool allow_file_urls = false;
  bool block_private_addresses = false;
  long low_speed_limit = 1;                 // bytes/s …
  std::chrono::seconds low_speed_time{30};  // … for this long aborts
  int max_host_connections = 0;             // 0: unlimited (the scheduler limits per host)
};

enum class FetchOutcome {
  ok,            // 2xx with a body
  not_modified,  // 304
  http_error,    // any other HTTP status
  timeout,
  too_large,
  tls_error,
  dns_error,
  connect_error,
  blocked_address,  // block_private_addresses refused the peer
  redirect_error,   // too many redirects or a loop
  other_error,
  cancelled,    // cancel()/cancel_all(): not the feed's fault, never counted as a failure
  parse_error,  // never set by the fetcher: a 2xx whose body the pipeline could not parse
};
inline constexpr std::size_t kFetchOutcomeCount = static_cast<std::size_t>(FetchOutcome::parse_error) + 1;
const char* to_string(FetchOutcome o);

struct FetchRequest {
  std::string url;
  std::string etag;           // sent as If-None-Match when not empty
  std::string last_modified;  // sent as If-Modified-Since when not empty
};

struct FetchResult {
  FetchOutcome outcome = FetchOutcome::other_error;
  long status = 0;
  std::string body;
  std::string effective_url;
  std::string permanent_url;  // set when every redirect hop was permanent (301/308)
  std::string etag;
  std::string last_modified;
  std::string content_type;
  std::string content_language;
  std::string cache_control;
  std::string expires;
  std::string retry_after;
  std::string error;  // human-readable reason for failures
  std::chrono::microseconds elapsed{0};
  std::chrono::steady_clock::time_point ended{};  // when the transfer was seen done
  std::uint64_t bytes = 0;
};

class HttpFetcher {
 public:
  using Callback = std::function<void(FetchResult)>;

  HttpFetcher(asio::io_context& io, FetchOptions options);
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // Starts a transfer; `done` runs on the loop when it ends (never inside start()).
  // Returns an id usable with cancel().
  std::uint64_t start(FetchRequest request, Callback done);
  // Aborts one transfer; its callback runs (posted) with outcome `cancelled`.
  void cancel(std::uint64_t id);
  void cancel_all();
  std::size_t in_flight() const;
  // New options (at a reload): transfers started from now on use them; those in flight
  // keep theirs.
  void set_options(FetchOptions options);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Fetches one URL synchronously on a private io_context (for command-line tools only).
FetchResult fetch_blocking(const FetchRequest& request, const FetchOptions& options);

}  // namespace newswatch::feeds
