#pragma once
// ServiceFace: what the daemon shows the service manager and its host — signals in (stop,
// reload), systemd notifications out (READY, RELOADING, STOPPING, STATUS, WATCHDOG), a tick.

#include <chrono>
#include <functional>
#include <string>

#include "common/asio.hpp"

namespace newswatch::daemon {

class ServiceFace {
 public:
  struct Hooks {
    std::function<void(int signo)> stop;  // SIGINT, SIGTERM
    std::function<void()> reload;         // SIGHUP
    std::function<void()> tick;           // every `tick_period` (heartbeats, status)
  };
  ServiceFace(asio::io_context& io, Hooks hooks, std::chrono::milliseconds tick_period = std::chrono::seconds(5));
  ServiceFace(const ServiceFace&) = delete;
  ServiceFace& operator=(const ServiceFace&) = delete;

  // Starts listening for signals; with `live`, also the tick and the watchdog pings.
  void start(bool live);
  void ready();
  void reloading();
  void stopping();  // also ends the signals, tick and watchdog
  void status(const std::string& text);

 private:
  void wait_signal();
  void arm_tick();
  void ping_watchdog();

  Hooks hooks_;
  asio::signal_set signals_;
  asio::steady_timer tick_;
  asio::steady_timer watchdog_;
  std::chrono::milliseconds tick_period_;
  std::chrono::microseconds watchdog_period_{0};
};

}  // namespace newswatch::daemon
