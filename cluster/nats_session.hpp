#pragma once
// NatsSession: one connection to the NATS servers of a [cluster] section (URLs, credentials,
// TLS), reconnecting on its own; JetStream contexts are made from it by their users.

#include <functional>
#include <string>

#include "cluster/callback_slot.hpp"
#include "cluster/cluster_settings.hpp"
#include "cluster/nats_handles.hpp"
#include "common/result.hpp"

namespace newswatch::cluster {

struct SessionOptions {
  std::string client_name = "newswatch";
  // true: connect() succeeds while no server answers and the library keeps trying (the daemon
  // keeps its local duties meanwhile); false: connect() fails at once (the tools).
  bool connect_in_background = false;
  int connect_timeout_ms = 2000;
  // Called from libnats' own thread when the connection is lost and when it is back.
  std::function<void(bool connected)> on_connection_change;
};

class NatsSession {
 public:
  static Result<NatsSession> connect(const ClusterSettings& settings, SessionOptions options);
  ~NatsSession();
  NatsSession(NatsSession&&) noexcept;
  NatsSession& operator=(NatsSession&&) noexcept;
  NatsSession(const NatsSession&) = delete;
  NatsSession& operator=(const NatsSession&) = delete;

  natsConnection* connection() const { return conn_.get(); }
  bool connected() const;
  // Closes the connection: once it returns, libnats calls none of our callbacks (nor those
  // of publishers and subscriptions made from this session) any more. Idempotent.
  void close();
  // A JetStream context on this connection (`wait_ms`: per API request).
  Result<JsContextHandle> jetstream(int64_t wait_ms = 5000, jsOptions* base = nullptr) const;

 private:
  using ChangeSlot = CallbackSlot<bool>;
  NatsSession(NatsConnectionHandle conn, ChangeSlot* on_change) : on_change_(on_change), conn_(std::move(conn)) {}
  ChangeSlot* on_change_ = nullptr;  // kept for the process (callback_slot.hpp)
  NatsConnectionHandle conn_;
};

}  // namespace newswatch::cluster
