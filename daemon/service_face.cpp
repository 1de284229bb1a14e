#include "daemon/service_face.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <csignal>
#include <cstdint>

namespace newswatch::daemon {
namespace {

std::uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec) / 1000ULL;
}

}  // namespace

ServiceFace::ServiceFace(asio::io_context& io, Hooks hooks, std::chrono::milliseconds tick_period)
    : hooks_(std::move(hooks)),
      signals_(io, SIGINT, SIGTERM, SIGHUP),
      tick_(io),
      watchdog_(io),
      tick_period_(tick_period) {}

void ServiceFace::start(bool live) {
  wait_signal();
  if (!live) return;
  if (hooks_.tick) hooks_.tick();
  arm_tick();
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_period_ = std::chrono::microseconds(usec / 2);
    ping_watchdog();
  }
}

void ServiceFace::ready() { sd_notify(0, "READY=1"); }

void ServiceFace::reloading() {
  // systemd (253+) wants the monotonic time with RELOADING=1, to tell this reload from a later one.
  const std::string text = "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec());
  sd_notify(0, text.c_str());
}

void ServiceFace::stopping() {
  sd_notify(0, "STOPPING=1");
  signals_.cancel();
  tick_.cancel();
  watchdog_.cancel();
}

void ServiceFace::status(const std::string& text) { sd_notify(0, ("STATUS=" + text).c_str()); }

void ServiceFace::wait_signal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      if (hooks_.reload) hooks_.reload();
      wait_signal();
      return;
    }
    if (hooks_.stop) hooks_.stop(signo);
  });
}

void ServiceFace::arm_tick() {
  tick_.expires_after(tick_period_);
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (hooks_.tick) hooks_.tick();
    arm_tick();
  });
}

void ServiceFace::ping_watchdog() {
  sd_notify(0, "WATCHDOG=1");
  watchdog_.expires_after(watchdog_period_);
  watchdog_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ping_watchdog();
  });
}

}  // namespace newswatch::daemon
