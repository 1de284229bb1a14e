#include "feeds/http_fetcher.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/text.hpp"
#include "feeds/address_policy.hpp"

namespace newswatch::feeds {

const char* to_string(FetchOutcome o) {
  switch (o) {
    case FetchOutcome::ok:
      return "ok";
    case FetchOutcome::not_modified:
      return "not_modified";
    case FetchOutcome::http_error:
      return "http_error";
    case FetchOutcome::timeout:
      return "timeout";
    case FetchOutcome::too_large:
      return "too_large";
    case FetchOutcome::tls_error:
      return "tls_error";
    case FetchOutcome::dns_error:
      return "dns_error";
    case FetchOutcome::connect_error:
      return "connect_error";
    case FetchOutcome::blocked_address:
      return "blocked_address";
    case FetchOutcome::redirect_error:
      return "redirect_error";
    case FetchOutcome::other_error:
      return "other_error";
    case FetchOutcome::cancelled:
      return "cancelled";
    case FetchOutcome::parse_error:
      return "parse_error";
  }
  return "other_error";
}

namespace {

struct EasyDeleter {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
struct MultiDeleter {
  void operator()(CURLM* m) const { curl_multi_cleanup(m); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using MultiHandle = std::unique_ptr<CURLM, MultiDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// "Name:" at the start of a header line, the name in any case ("ETag", "etag", "Last-Modified").
bool iequals_prefix(std::string_view line, std::string_view name) {
  return line.size() > name.size() && line[name.size()] == ':' && ascii_iequals(line.substr(0, name.size()), name);
}

}  // namespace

class HttpFetcher::Impl {
 public:
  Impl(asio::io_context& io, FetchOptions options)
      : io_(io), options_(std::move(options)), multi_(curl_multi_init()), timer_(io) {
    curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETFUNCTION, &Impl::socket_callback);
    curl_multi_setopt(multi_.get(), CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_.get(), CURLMOPT_TIMERFUNCTION, &Impl::timer_callback);
    curl_multi_setopt(multi_.get(), CURLMOPT_TIMERDATA, this);
    apply_multi_options();
  }

  void set_options(FetchOptions options) {
    if (options.block_private_addresses && !options_.block_private_addresses) {
      blocking_since_ = std::chrono::steady_clock::now();
    } else if (!options.block_private_addresses) {
      blocking_since_.reset();
    }
    options_ = std::move(options);  // curl copied what running transfers were given
    apply_multi_options();
  }

  void apply_multi_options() {
    // 0: no limit.
    curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(std::max(options_.max_host_connections, 0)));
  }

  ~Impl() {
    // curl_multi_cleanup may call the socket callback: run it while the watches exist.
    for (auto& [id, t] : transfers_)
      curl_multi_remove_handle(multi_.get(), t->easy.get());
    multi_.reset();
    for (auto& [fd, w] : watches_)
      w->descriptor.release();
    watches_.clear();
    transfers_.clear();
  }

  std::uint64_t start(FetchRequest request, Callback done) {
    const std::uint64_t id = next_id_++;
    auto t = std::make_unique<Transfer>();
    t->id = id;
    t->request = std::move(request);
    t->done = std::move(done);
    t->max_body = options_.max_body_size;
    t->started = std::chrono::steady_clock::now();
    t->easy.reset(curl_easy_init());
    std::string setup_error;
    if (!t->easy || !configure(*t, setup_error)) {
      FetchResult r;
      r.outcome = FetchOutcome::other_error;
      r.error = setup_error.empty() ? "cannot create transfer" : setup_error;
      post_completion(std::move(t->done), std::move(r));
      return id;
    }
    if (const CURLMcode rc = curl_multi_add_handle(multi_.get(), t->easy.get()); rc != CURLM_OK) {
      FetchResult r;
      r.error = std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc);
      post_completion(std::move(t->done), std::move(r));
      return id;
    }
    transfers_.emplace(id, std::move(t));
    return id;
  }

  void cancel(std::uint64_t id) {
    auto it = transfers_.find(id);
    if (it == transfers_.end()) return;
    auto t = std::move(it->second);
    transfers_.erase(it);
    curl_multi_remove_handle(multi_.get(), t->easy.get());
    FetchResult r;
    r.outcome = FetchOutcome::cancelled;
    r.error = "cancelled";
    post_completion(std::move(t->done), std::move(r));
  }

  void cancel_all() {
    std::vector<std::uint64_t> ids;
    ids.reserve(transfers_.size());
    for (const auto& [id, t] : transfers_)
      ids.push_back(id);
    for (auto id : ids)
      cancel(id);
  }

  std::size_t in_flight() const { return transfers_.size(); }

 private:
  struct Transfer {
    std::uint64_t id = 0;
    FetchRequest request;
    Callback done;
    EasyHandle easy;
    Slist headers;
    std::string body;
    std::uint64_t max_body = 0;
    bool too_large = false;
    bool blocked = false;
    std::string blocked_address;
    std::vector<long> statuses;  // status of each response, redirects included
    FetchResult response;        // headers of the latest response
    char error_buffer[CURL_ERROR_SIZE] = {};
    std::chrono::steady_clock::time_point started;
  };

  struct Watch {
    explicit Watch(asio::io_context& io) : descriptor(io) {}
    asio::posix::stream_descriptor descriptor;
    int what = 0;
    bool broken = false;
    bool waiting_read = false;
    bool waiting_write = false;
    std::uint64_t generation = 0;
  };

  bool configure(Transfer& t, std::string& error) {
    CURL* e = t.easy.get();
    const bool is_file = t.request.url.rfind("file://", 0) == 0;
    if (is_file && !options_.allow_file_urls) {
      error = "file:// URLs are not allowed (set [fetch] allow_file_urls)";
      return false;
    }
    const char* protocols = options_.allow_file_urls ? "http,https,file" : "http,https";
    bool ok = true;
    auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
    set(curl_easy_setopt(e, CURLOPT_URL, t.request.url.c_str()));
    set(curl_easy_setopt(e, CURLOPT_PRIVATE, &t));
    set(curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols));
    set(curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
    set(curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L));
    set(curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options_.max_redirects)));
    set(curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str()));
    set(curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""));  // every encoding this libcurl decodes
    set(curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count() * 1000)));
    set(curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count() * 1000)));
    set(curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_limit));
    set(curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count())));
    set(curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_size)));
    set(curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L));
    // A transfer that times out or is cancelled while its name is still being resolved would
    // otherwise wait, on the loop, for the resolver thread (getaddrinfo against a slow DNS
    // server: many seconds). The thread is left to finish alone instead.
    set(curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L));
    set(curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error_buffer));
    set(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::write_callback));
    set(curl_easy_setopt(e, CURLOPT_WRITEDATA, &t));
    set(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::header_callback));
    set(curl_easy_setopt(e, CURLOPT_HEADERDATA, &t));
    if (options_.block_private_addresses) {
      set(curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::open_socket_callback));
      set(curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t));
      if (blocking_since_) {
        // Turned on by a reload: connections pooled before it were never checked, so none
        // may be reused. curl counts a connection's age in whole seconds and reuses at
        // age == limit, hence the second of margin (and no reuse at all in the first two).
        const auto since =
            std::chrono::floor<std::chrono::seconds>(std::chrono::steady_clock::now() - *blocking_since_).count();
        if (since < 2) {
          set(curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L));
        } else {
          set(curl_easy_setopt(e, CURLOPT_MAXLIFETIME_CONN, static_cast<long>(since - 1)));
        }
      }
    }
    curl_slist* list = nullptr;
    auto add_header = [&list](const std::string& h) {
      if (curl_slist* l = curl_slist_append(list, h.c_str())) list = l;
    };
    if (!t.request.etag.empty()) add_header("If-None-Match: " + t.request.etag);
    if (!t.request.last_modified.empty()) add_header("If-Modified-Since: " + t.request.last_modified);
    add_header(
        "Accept: application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
        "text/xml;q=0.8, */*;q=0.5");
    t.headers.reset(list);
    set(curl_easy_setopt(e, CURLOPT_HTTPHEADER, list));
    if (!ok) error = "invalid transfer options for " + t.request.url;
    return ok;
  }

  void post_completion(Callback done, FetchResult result) {
    asio::post(io_, [done = std::move(done), result = std::move(result)]() mutable {
      if (done) done(std::move(result));
    });
  }

  // ---- curl callbacks: noexcept shims that never call back into curl_multi_* ----

  static int socket_callback(CURL* /*easy*/, curl_socket_t s, int what, void* userp, void* /*socketp*/) noexcept {
    static_cast<Impl*>(userp)->on_socket(s, what);
    return 0;
  }

  static int timer_callback(CURLM* /*multi*/, long timeout_ms, void* userp) noexcept {
    static_cast<Impl*>(userp)->on_timer(timeout_ms);
    return 0;
  }

  static std::size_t write_callback(char* data, std::size_t size, std::size_t count, void* userp) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    const std::size_t n = size * count;
    // CURLOPT_MAXFILESIZE does not bound decoded bytes: this does.
    if (t->body.size() + n > t->max_body) {
      t->too_large = true;
      return 0;
    }
    t->body.append(data, n);
    return n;
  }

  static std::size_t header_callback(char* data, std::size_t size, std::size_t count, void* userp) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    const std::size_t n = size * count;
    const std::string_view line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
      const auto space = line.find(' ');
      const long status =
          space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
      if (status >= 200) t->statuses.push_back(status);
      t->response = FetchResult{};  // a new response: forget the previous hop's headers
      return n;
    }
    const auto value = [&](std::string_view name) { return std::string(trim_space(line.substr(name.size() + 1))); };
    if (iequals_prefix(line, "etag"))
      t->response.etag = value("etag");
    else if (iequals_prefix(line, "last-modified"))
      t->response.last_modified = value("last-modified");
    else if (iequals_prefix(line, "content-type"))
      t->response.content_type = value("content-type");
    else if (iequals_prefix(line, "content-language"))
      t->response.content_language = value("content-language");
    else if (iequals_prefix(line, "cache-control"))
      t->response.cache_control = value("cache-control");
    else if (iequals_prefix(line, "expires"))
      t->response.expires = value("expires");
    else if (iequals_prefix(line, "retry-after"))
      t->response.retry_after = value("retry-after");
    return n;
  }

  static curl_socket_t open_socket_callback(void* userp, curlsocktype /*purpose*/,
                                            struct curl_sockaddr* address) noexcept {
    auto* t = static_cast<Transfer*>(userp);
    if (std::string why; is_blocked_address(&address->addr, why)) {
      t->blocked = true;
      t->blocked_address = why;
      return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype, address->protocol);
  }

  // ---- Asio side ----

  void on_socket(curl_socket_t s, int what) {
    if (what == CURL_POLL_REMOVE) {
      if (auto it = watches_.find(s); it != watches_.end()) {
        it->second->descriptor.release();  // curl owns and closes the descriptor
        watches_.erase(it);
      }
      return;
    }
    auto& slot = watches_[s];
    if (!slot) {
      slot = std::make_unique<Watch>(io_);
      boost::system::error_code ec;
      slot->descriptor.assign(s, ec);
      slot->generation = next_generation_++;
      // Unwatchable (should not happen for a socket): waiting on it would spin on errors.
      // curl's own timeouts still end the transfer through the timer.
      slot->broken = static_cast<bool>(ec);
    }
    if (slot->broken) return;
    slot->what = what;
    arm(s, *slot);
  }

  void arm(curl_socket_t s, Watch& w) {
    if ((w.what & CURL_POLL_IN) != 0 && !w.waiting_read) {
      w.waiting_read = true;
      w.descriptor.async_wait(
          asio::posix::stream_descriptor::wait_read,
          [this, s, gen = w.generation, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
            if (ec == asio::error::operation_aborted || life.expired()) return;
            on_ready(s, gen, CURL_CSELECT_IN, ec);
          });
    }
    if ((w.what & CURL_POLL_OUT) != 0 && !w.waiting_write) {
      w.waiting_write = true;
      w.descriptor.async_wait(
          asio::posix::stream_descriptor::wait_write,
          [this, s, gen = w.generation, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
            if (ec == asio::error::operation_aborted || life.expired()) return;
            on_ready(s, gen, CURL_CSELECT_OUT, ec);
          });
    }
  }

  void on_ready(curl_socket_t s, std::uint64_t generation, int direction, const boost::system::error_code& ec) {
    auto it = watches_.find(s);
    if (it == watches_.end() || it->second->generation != generation) return;
    Watch& w = *it->second;
    const int wanted = direction == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
    (direction == CURL_CSELECT_IN ? w.waiting_read : w.waiting_write) = false;
    if ((w.what & wanted) == 0) return;  // curl stopped asking for this direction
    int running = 0;
    report(curl_multi_socket_action(multi_.get(), s, ec ? CURL_CSELECT_ERR : direction, &running), "socket");
    collect_finished();
    it = watches_.find(s);
    if (it != watches_.end() && it->second->generation == generation) arm(s, *it->second);
  }

  void on_timer(long timeout_ms) {
    if (timeout_ms < 0) {
      timer_.cancel();
      timer_armed_ = false;
      return;
    }
    if (timeout_ms == 0) {
      // Due now (curl asks this once per added handle): one posted kick serves them all.
      // Re-arming the timer each time costs a timerfd syscall per transfer. A later deadline
      // still armed may fire needlessly afterwards; an extra timeout action is harmless.
      if (!kick_posted_) {
        kick_posted_ = true;
        asio::post(io_, [this, life = std::weak_ptr<int>(life_)] {
          if (life.expired()) return;
          kick_posted_ = false;
          on_timeout();
        });
      }
      return;
    }
    const auto when = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    if (timer_armed_ && timer_.expiry() <= when && when - timer_.expiry() < std::chrono::milliseconds(1)) {
      return;  // the same deadline is already armed
    }
    timer_.expires_at(when);  // replaces any earlier deadline
    timer_armed_ = true;
    timer_.async_wait([this, life = std::weak_ptr<int>(life_)](const boost::system::error_code& ec) {
      if (ec == asio::error::operation_aborted || life.expired()) return;
      timer_armed_ = false;
      on_timeout();
    });
  }

  void on_timeout() {
    int running = 0;
    report(curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0, &running), "timeout");
    collect_finished();
  }

  // A CURLM error means we drove the multi handle wrongly: a bug, said loudly with context.
  static void report(CURLMcode rc, const char* what) {
    if (rc != CURLM_OK) spdlog::error("curl_multi_socket_action ({}): {}", what, curl_multi_strerror(rc));
  }

  void collect_finished() {
    std::vector<std::pair<std::unique_ptr<Transfer>, CURLcode>> finished;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode code = msg->data.result;
      Transfer* raw = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &raw);
      curl_multi_remove_handle(multi_.get(), easy);
      if (raw == nullptr) continue;
      auto it = transfers_.find(raw->id);
      if (it == transfers_.end()) continue;
      finished.emplace_back(std::move(it->second), code);
      transfers_.erase(it);
    }
    for (auto& [t, code] : finished) {
      FetchResult r = make_result(*t, code);
      if (t->done) t->done(std::move(r));
    }
  }

  static FetchResult make_result(Transfer& t, CURLcode code) {
    FetchResult r = std::move(t.response);
    CURL* e = t.easy.get();
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
    if (char* url = nullptr; curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url != nullptr) {
      r.effective_url = url;
    }
    r.ended = std::chrono::steady_clock::now();
    r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(r.ended - t.started);
    r.bytes = t.body.size();
    if (t.statuses.size() > 1) {
      const bool all_permanent =
          std::all_of(t.statuses.begin(), t.statuses.end() - 1, [](long s) { return s == 301 || s == 308; });
      if (all_permanent && r.effective_url != t.request.url) r.permanent_url = r.effective_url;
    }
    switch (code) {
      case CURLE_OK:
        if (r.status == 304) {
          r.outcome = FetchOutcome::not_modified;
        } else if ((r.status >= 200 && r.status < 300) || (r.status == 0 && r.effective_url.rfind("file:", 0) == 0)) {
          r.outcome = FetchOutcome::ok;
          r.body = std::move(t.body);
        } else {
          r.outcome = FetchOutcome::http_error;
          r.error = "HTTP status " + std::to_string(r.status);
        }
        return r;
      case CURLE_WRITE_ERROR:
      case CURLE_FILESIZE_EXCEEDED:
        if (t.too_large || code == CURLE_FILESIZE_EXCEEDED) {
          r.outcome = FetchOutcome::too_large;
          r.error = "body larger than the limit of " + std::to_string(t.max_body) + " bytes";
          return r;
        }
        break;
      case CURLE_OPERATION_TIMEDOUT:
        r.outcome = FetchOutcome::timeout;
        break;
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        r.outcome = FetchOutcome::dns_error;
        break;
      case CURLE_COULDNT_CONNECT:
        if (t.blocked) {
          r.outcome = FetchOutcome::blocked_address;
          r.error = "refused to connect to " + t.blocked_address + " (block_private_addresses)";
          return r;
        }
        r.outcome = FetchOutcome::connect_error;
        break;
      case CURLE_TOO_MANY_REDIRECTS:
        r.outcome = FetchOutcome::redirect_error;
        break;
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_CIPHER:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_ISSUER_ERROR:
      case CURLE_USE_SSL_FAILED:
        r.outcome = FetchOutcome::tls_error;
        break;
      default:
        r.outcome = t.blocked ? FetchOutcome::blocked_address : FetchOutcome::other_error;
        break;
    }
    r.error = t.error_buffer[0] != '\0' ? std::string(t.error_buffer) : std::string(curl_easy_strerror(code));
    if (t.blocked) r.error = "refused to connect to " + t.blocked_address + " (block_private_addresses)";
    return r;
  }

  asio::io_context& io_;
  FetchOptions options_;
  // When a reload turned block_private_addresses on; unset when it was on from the start.
  std::optional<std::chrono::steady_clock::time_point> blocking_since_;
  MultiHandle multi_;
  asio::steady_timer timer_;
  bool timer_armed_ = false;
  bool kick_posted_ = false;
  std::unordered_map<curl_socket_t, std::unique_ptr<Watch>> watches_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> transfers_;
  std::uint64_t next_id_ = 1;
  std::uint64_t next_generation_ = 1;
  std::shared_ptr<int> life_ = std::make_shared<int>(0);  // handlers hold weak refs to it
};

HttpFetcher::HttpFetcher(asio::io_context& io, FetchOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {}
HttpFetcher::~HttpFetcher() = default;
std::uint64_t HttpFetcher::start(FetchRequest request, Callback done) {
  return impl_->start(std::move(request), std::move(done));
}
void HttpFetcher::cancel(std::uint64_t id) { impl_->cancel(id); }
void HttpFetcher::cancel_all() { impl_->cancel_all(); }
std::size_t HttpFetcher::in_flight() const { return impl_->in_flight(); }
void HttpFetcher::set_options(FetchOptions options) { impl_->set_options(std::move(options)); }

FetchResult fetch_blocking(const FetchRequest& request, const FetchOptions& options) {
  asio::io_context io;
  FetchResult out;
  {
    HttpFetcher fetcher(io, options);
    fetcher.start(request, [&out](FetchResult r) { out = std::move(r); });
    io.run();
  }
  return out;
}

}  // namespace newswatch::feeds
