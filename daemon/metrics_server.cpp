#include "daemon/metrics_server.hpp"

#include <algorithm>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace newswatch::daemon {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr int kMaxConnections = 16;
constexpr auto kConnectionTimeout = std::chrono::seconds(5);
}  // namespace

Result<tcp::endpoint> parse_listen_address(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return make_error("must be HOST:PORT, e.g. \"127.0.0.1:9464\"");
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  if (ec) return make_error("the host must be a numeric IP address, e.g. \"127.0.0.1:9464\"");
  const std::string port = address.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) || std::stoul(port) > 65535) {
    return make_error("the port must be a number from 0 to 65535");
  }
  return tcp::endpoint(ip, static_cast<unsigned short>(std::stoul(port)));
}

class MetricsServer::Impl : public std::enable_shared_from_this<MetricsServer::Impl> {
 public:
  Impl(asio::io_context& io, Handler handler) : acceptor_(io), handler_(std::move(handler)) {}

  Result<Ok> listen(const std::string& address) {
    auto parsed = parse_listen_address(address);
    if (!parsed) return parsed.error();
    const tcp::endpoint ep = *parsed;
    boost::system::error_code ec;
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return make_error("cannot listen for metrics on " + address + ": " + ec.message());
    return Ok{};
  }

  void accept() {
    acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
      if (!ec) {
        if (self->active_ < kMaxConnections) {
          self->serve(std::move(socket));
        }  // else: dropped on the floor; the socket closes here
      }
      self->accept();
    });
  }

  unsigned short port() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec).port();
  }

  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

 private:
  struct Connection {
    explicit Connection(tcp::socket s) : stream(std::move(s)) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer{8192};
    http::request_parser<http::empty_body> parser;
    http::response<http::string_body> response;
  };

  void serve(tcp::socket socket) {
    ++active_;
    auto c = std::make_shared<Connection>(std::move(socket));
    c->parser.header_limit(8192);
    c->stream.expires_after(kConnectionTimeout);
    http::async_read(c->stream, c->buffer, c->parser,
                     [self = shared_from_this(), c](const boost::system::error_code& ec, std::size_t) {
                       if (ec) {
                         self->finish(*c);
                         return;
                       }
                       const auto& req = c->parser.get();
                       HttpReply reply;
                       try {
                         reply = self->handler_(std::string(req.method_string()), std::string(req.target()));
                       } catch (...) {
                         reply = {500, "text/plain; charset=utf-8", "internal error\n"};
                       }
                       c->response.version(req.version());
                       c->response.result(static_cast<unsigned>(reply.status));
                       c->response.set(http::field::server, "newswatch");
                       c->response.set(http::field::content_type, reply.content_type);
                       c->response.keep_alive(false);
                       c->response.body() = std::move(reply.body);
                       c->response.prepare_payload();
                       http::async_write(
                           c->stream, c->response,
                           [self, c](const boost::system::error_code&, std::size_t) { self->finish(*c); });
                     });
  }

  void finish(Connection& c) {
    boost::system::error_code ec;
    c.stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    c.stream.close();
    --active_;
  }

  tcp::acceptor acceptor_;
  Handler handler_;
  int active_ = 0;
};

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(asio::io_context& io, const std::string& listen,
                                                            Handler handler) {
  auto impl = std::make_shared<Impl>(io, std::move(handler));
  if (auto r = impl->listen(listen); !r) return r.error();
  impl->accept();
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

MetricsServer::MetricsServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsServer::~MetricsServer() { impl_->stop(); }
unsigned short MetricsServer::port() const { return impl_->port(); }
void MetricsServer::stop() { impl_->stop(); }

}  // namespace newswatch::daemon
