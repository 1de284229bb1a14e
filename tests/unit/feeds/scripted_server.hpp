#pragma once
// Test helper: tests/integration/scripted_server.py as a child process on a free
// 127.0.0.1 port, stopped (SIGTERM, then reaped) when the object goes away.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "feeds/http_fetcher.hpp"

extern char** environ;

namespace newswatch::test {

class ScriptedServer {
 public:
  // With a certificate and key (PEM files), the server speaks HTTPS.
  explicit ScriptedServer(const std::string& tls_cert = "", const std::string& tls_key = "")
      : scheme_(tls_cert.empty() ? "http" : "https") {
    int fds[2];
    int lifeline[2];  // the server exits when its stdin closes: even if this process crashes
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    if (::pipe2(lifeline, O_CLOEXEC) != 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      throw std::runtime_error("pipe");
    }
    lifeline_ = lifeline[1];
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, lifeline[0], STDIN_FILENO);
    const std::string script = std::string(NEWSWATCH_SOURCE_DIR) + "/tests/integration/scripted_server.py";
    // Debian's interpreter: python3-brotli is installed for it.
    char python[] = "/usr/bin/python3";
    std::string script_arg = script;
    char flag[] = "--exit-on-stdin-eof";
    std::string cert_flag = "--tls-cert=" + tls_cert;
    std::string key_flag = "--tls-key=" + tls_key;
    char* argv[] = {python, script_arg.data(), flag, nullptr, nullptr, nullptr};
    if (!tls_cert.empty()) {
      argv[3] = cert_flag.data();
      argv[4] = key_flag.data();
    }
    const int rc = posix_spawn(&pid_, python, &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    ::close(lifeline[0]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error("cannot start scripted_server.py");
    }
    std::string line;
    char c = 0;
    while (::read(fds[0], &c, 1) == 1 && c != '\n')
      line += c;
    ::close(fds[0]);
    if (line.rfind("PORT ", 0) != 0) {
      stop();
      throw std::runtime_error("scripted_server.py did not start: " + line);
    }
    port_ = std::stoi(line.substr(5));
  }
  ~ScriptedServer() { stop(); }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path) const { return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path; }

  // The server's request log ({"requests": [...], "max_connections": n, ...}).
  nlohmann::json log() const {
    feeds::FetchOptions o;
    o.timeout = std::chrono::seconds(5);
    auto r = feeds::fetch_blocking({url("/__log"), "", ""}, o);
    if (r.outcome != feeds::FetchOutcome::ok) throw std::runtime_error("cannot read the server log: " + r.error);
    return nlohmann::json::parse(r.body);
  }
  // Requests whose path starts with `prefix`, in arrival order.
  nlohmann::json requests(const std::string& prefix) const {
    nlohmann::json out = nlohmann::json::array();
    const auto all = log();
    for (const auto& r : all["requests"]) {
      if (r["path"].get<std::string>().rfind(prefix, 0) == 0) out.push_back(r);
    }
    return out;
  }

 private:
  void stop() {
    if (lifeline_ >= 0) ::close(lifeline_);
    lifeline_ = -1;
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string scheme_;
  pid_t pid_ = -1;
  int lifeline_ = -1;
  int port_ = 0;
};

}  // namespace newswatch::test
