#pragma once
// MetricsServer: a small HTTP/1.1 server (Boost.Beast) on the daemon's loop for
// GET /metrics and GET /healthz. Bounded: request size, time per connection, connections.

#include <functional>
#include <memory>
#include <string>

#include "common/asio.hpp"
#include "common/result.hpp"

namespace newswatch::daemon {

// "HOST:PORT" with a numeric IPv4 or [IPv6] host and a port up to 65535 (0 picks one). The
// config check and the server read the address with this one function, so what passes
// `newswatchd --check` also binds.
Result<asio::ip::tcp::endpoint> parse_listen_address(const std::string& address);

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class MetricsServer {
 public:
  using Handler = std::function<HttpReply(const std::string& method, const std::string& target)>;

  // `listen` is "HOST:PORT" (port 0 picks one). Errors when the address cannot be bound.
  static Result<std::unique_ptr<MetricsServer>> start(asio::io_context& io, const std::string& listen, Handler handler);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  unsigned short port() const;
  void stop();

  class Impl;

 private:
  explicit MetricsServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace newswatch::daemon
