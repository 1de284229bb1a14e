#include "cluster/nats_session.hpp"

#include <utility>
#include <vector>

namespace newswatch::cluster {

namespace {

extern "C" void on_disconnected(natsConnection* /*nc*/, void* closure) {
  static_cast<CallbackSlot<bool>*>(closure)->call(false);
}

extern "C" void on_reconnected(natsConnection* /*nc*/, void* closure) {
  static_cast<CallbackSlot<bool>*>(closure)->call(true);
}

}  // namespace

Result<NatsSession> NatsSession::connect(const ClusterSettings& s, SessionOptions options) {
  natsOptions* raw = nullptr;
  if (auto st = natsOptions_Create(&raw); st != NATS_OK) return nats_error("nats options", st);
  NatsOptionsHandle opts(raw);
  auto* on_change = CallbackSlot<bool>::make(std::move(options.on_connection_change));
  std::vector<const char*> servers;
  for (const auto& u : s.nats)
    servers.push_back(u.c_str());
  const auto check = [](const char* what, natsStatus st) -> Result<Ok> {
    if (st != NATS_OK) return nats_error(what, st);
    return Ok{};
  };
  std::vector<Result<Ok>> steps;
  steps.push_back(
      check("nats servers", natsOptions_SetServers(opts.get(), servers.data(), static_cast<int>(servers.size()))));
  steps.push_back(check("nats name", natsOptions_SetName(opts.get(), options.client_name.c_str())));
  steps.push_back(check("nats timeout", natsOptions_SetTimeout(opts.get(), options.connect_timeout_ms)));
  // Reconnect for ever, every half second, keeping what is published meanwhile in a buffer.
  steps.push_back(check("nats reconnect", natsOptions_SetMaxReconnect(opts.get(), -1)));
  steps.push_back(check("nats reconnect wait", natsOptions_SetReconnectWait(opts.get(), 500)));
  steps.push_back(check("nats reconnect buffer", natsOptions_SetReconnectBufSize(opts.get(), 8 << 20)));
  steps.push_back(check("nats callbacks", natsOptions_SetDisconnectedCB(opts.get(), on_disconnected, on_change)));
  steps.push_back(check("nats callbacks", natsOptions_SetReconnectedCB(opts.get(), on_reconnected, on_change)));
  if (options.connect_in_background) {
    steps.push_back(
        check("nats retry", natsOptions_SetRetryOnFailedConnect(opts.get(), true, on_reconnected, on_change)));
  }
  if (!s.creds_file.empty())
    steps.push_back(
        check("nats creds_file", natsOptions_SetUserCredentialsFromFiles(opts.get(), s.creds_file.c_str(), nullptr)));
  if (!s.user.empty())
    steps.push_back(check("nats user", natsOptions_SetUserInfo(opts.get(), s.user.c_str(), s.password.c_str())));
  if (!s.token.empty()) steps.push_back(check("nats token", natsOptions_SetToken(opts.get(), s.token.c_str())));
  if (!s.tls_ca_file.empty() || !s.tls_cert_file.empty()) {
    steps.push_back(check("nats tls", natsOptions_SetSecure(opts.get(), true)));
    if (!s.tls_ca_file.empty())
      steps.push_back(
          check("nats tls_ca_file", natsOptions_LoadCATrustedCertificates(opts.get(), s.tls_ca_file.c_str())));
    if (!s.tls_cert_file.empty())
      steps.push_back(check("nats tls_cert_file", natsOptions_LoadCertificatesChain(opts.get(), s.tls_cert_file.c_str(),
                                                                                    s.tls_key_file.c_str())));
  }
  for (auto& st : steps) {
    if (!st) return st.error();
  }
  natsConnection* conn = nullptr;
  const natsStatus st = natsConnection_Connect(&conn, opts.get());
  NatsConnectionHandle handle(conn);
  if (st != NATS_OK && !(options.connect_in_background && st == NATS_NOT_YET_CONNECTED)) {
    std::string where;
    for (const auto& u : s.nats)
      where += (where.empty() ? "" : ", ") + u;
    on_change->clear();
    return nats_error("cannot connect to NATS at " + where, st);
  }
  return NatsSession(std::move(handle), on_change);
}

NatsSession::NatsSession(NatsSession&& o) noexcept
    : on_change_(std::exchange(o.on_change_, nullptr)), conn_(std::move(o.conn_)) {}

NatsSession& NatsSession::operator=(NatsSession&& o) noexcept {
  if (this != &o) {
    close();
    on_change_ = std::exchange(o.on_change_, nullptr);
    conn_ = std::move(o.conn_);
  }
  return *this;
}

NatsSession::~NatsSession() { close(); }

void NatsSession::close() {
  // After this, nothing of ours is called, whatever libnats' threads still deliver.
  if (on_change_ != nullptr) on_change_->clear();
  on_change_ = nullptr;
  if (conn_) natsConnection_Close(conn_.get());
  conn_.reset();
}

bool NatsSession::connected() const {
  return conn_ && natsConnection_Status(conn_.get()) == NATS_CONN_STATUS_CONNECTED;
}

Result<JsContextHandle> NatsSession::jetstream(int64_t wait_ms, jsOptions* base) const {
  jsOptions o;
  if (base != nullptr) {
    o = *base;
  } else {
    jsOptions_Init(&o);
  }
  o.Wait = wait_ms;
  jsCtx* js = nullptr;
  if (auto st = natsConnection_JetStream(&js, conn_.get(), &o); st != NATS_OK) return nats_error("jetstream", st);
  return JsContextHandle(js);
}

}  // namespace newswatch::cluster
