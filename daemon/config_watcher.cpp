#include "daemon/config_watcher.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace newswatch::daemon {
namespace {
constexpr std::uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE;
}  // namespace

class ConfigWatcher::Impl : public std::enable_shared_from_this<ConfigWatcher::Impl> {
 public:
  Impl(asio::io_context& io, std::string config_path, std::chrono::milliseconds debounce, std::function<void()> cb)
      : descriptor_(io),
        timer_(io),
        config_name_(std::filesystem::path(config_path).filename().string()),
        debounce_(debounce),
        on_change_(std::move(cb)) {
    const auto dir = std::filesystem::path(config_path).parent_path();
    dir_ = dir.empty() ? "." : dir.string();
  }

  Result<Ok> open() {
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return make_error(std::string("inotify_init1: ") + std::strerror(errno));
    descriptor_.assign(fd);  // ours: closed with the descriptor
    if (inotify_add_watch(fd, dir_.c_str(), kWatchMask) < 0) {
      return make_error("cannot watch " + dir_ + ": " + std::strerror(errno));
    }
    watch_conf_d();
    return Ok{};
  }

  void read() {
    descriptor_.async_read_some(asio::buffer(buffer_),
                                [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                  if (ec) return;  // closed or cancelled
                                  self->on_events(n);
                                  self->read();
                                });
  }

  void stop() {
    boost::system::error_code ec;
    timer_.cancel();
    descriptor_.close(ec);
  }

 private:
  void on_events(std::size_t n) {
    bool relevant = false;
    std::size_t offset = 0;
    while (offset + sizeof(inotify_event) <= n) {
      inotify_event ev{};
      std::memcpy(&ev, buffer_.data() + offset, sizeof ev);
      const std::string name = ev.len > 0 ? std::string(buffer_.data() + offset + sizeof ev) : std::string();
      offset += sizeof(inotify_event) + ev.len;
      if (name == config_name_ || name == "conf.d" || (name.size() > 5 && name.ends_with(".toml"))) relevant = true;
      // conf.d/ itself made, deleted, or moved in or out: watch whatever folder has the name now.
      if (name == "conf.d" && ev.wd != conf_d_watch_) watch_conf_d();
      if (ev.wd == conf_d_watch_ && (ev.mask & IN_IGNORED) != 0) conf_d_watch_ = -1;  // the kernel dropped it
      if ((ev.mask & IN_Q_OVERFLOW) != 0) {
        // The kernel's queue overflowed (a burst of file events) and dropped some: any of
        // them may have been an edit, and conf.d/ may have come or gone. Assume both.
        relevant = true;
        watch_conf_d();
      }
    }
    if (!relevant) return;
    timer_.expires_after(debounce_);  // restarts the quiet period
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec && self->on_change_) self->on_change_();
    });
  }

  // conf.d/ is optional and may come and go: a watch on the folder at that path now, if any.
  // (A watch follows its folder, so one moved away would otherwise still be watched.)
  void watch_conf_d() {
    const int fd = descriptor_.native_handle();
    if (conf_d_watch_ >= 0) inotify_rm_watch(fd, conf_d_watch_);
    conf_d_watch_ = inotify_add_watch(fd, (dir_ + "/conf.d").c_str(), kWatchMask);
  }

  asio::posix::stream_descriptor descriptor_;
  asio::steady_timer timer_;
  std::string dir_;
  std::string config_name_;
  std::chrono::milliseconds debounce_;
  std::function<void()> on_change_;
  int conf_d_watch_ = -1;
  alignas(inotify_event) std::array<char, 8192> buffer_{};
};

Result<std::unique_ptr<ConfigWatcher>> ConfigWatcher::start(asio::io_context& io, const std::string& config_path,
                                                            std::chrono::milliseconds debounce,
                                                            std::function<void()> on_change) {
  auto impl = std::make_shared<Impl>(io, config_path, debounce, std::move(on_change));
  if (auto r = impl->open(); !r) return r.error();
  impl->read();
  return std::unique_ptr<ConfigWatcher>(new ConfigWatcher(std::move(impl)));
}

ConfigWatcher::ConfigWatcher(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
ConfigWatcher::~ConfigWatcher() { impl_->stop(); }

}  // namespace newswatch::daemon
