#pragma once
// Membership: this node's key in the members bucket (a JetStream key-value bucket whose
// entries expire after the member TTL), refreshed by heartbeat(), and the list of live
// members. Blocking network calls: the daemon runs them off its event loop.

#include <string>
#include <vector>

#include "cluster/cluster_settings.hpp"
#include "cluster/nats_handles.hpp"
#include "cluster/nats_session.hpp"
#include "common/result.hpp"

namespace newswatch::cluster {

class Membership {
 public:
  // Binds to the members bucket, creating it with the settings' TTL if it does not exist.
  static Result<Membership> open(const NatsSession& session, const ClusterSettings& settings);

  const std::string& node() const { return node_; }
  // Puts this node's key again (its value: a small JSON note), which restarts its TTL.
  Result<Ok> heartbeat();
  // Every member whose key has not expired, sorted by name (this node too once it beat).
  Result<std::vector<std::string>> live_members();
  // Removes this node's key (a clean shutdown): its hosts move now, not after the TTL.
  Result<Ok> leave();

 private:
  Membership(JsContextHandle js, KvStoreHandle kv, std::string node)
      : js_(std::move(js)), kv_(std::move(kv)), node_(std::move(node)) {}
  JsContextHandle js_;
  KvStoreHandle kv_;  // declared after js_: destroyed first
  std::string node_;
};

// Opens `bucket`, creating it with `ttl_ms` (0: none) and `history` if it does not exist.
Result<KvStoreHandle> open_bucket(jsCtx* js, const std::string& bucket, int64_t ttl_ms, int history);

}  // namespace newswatch::cluster
