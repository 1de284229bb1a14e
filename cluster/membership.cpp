#include "cluster/membership.hpp"

#include <algorithm>
#include <chrono>

namespace newswatch::cluster {

Result<KvStoreHandle> open_bucket(jsCtx* js, const std::string& bucket, int64_t ttl_ms, int history) {
  kvStore* kv = nullptr;
  if (js_KeyValue(&kv, js, bucket.c_str()) == NATS_OK) return KvStoreHandle(kv);
  kvConfig cfg;
  kvConfig_Init(&cfg);
  cfg.Bucket = bucket.c_str();
  cfg.History = static_cast<uint8_t>(history);
  cfg.TTL = ttl_ms * 1'000'000;  // libnats 3.4 takes nanoseconds here, whatever its docs say
  cfg.StorageType = js_FileStorage;
  const natsStatus st = js_CreateKeyValue(&kv, js, &cfg);
  if (st == NATS_OK) return KvStoreHandle(kv);
  Error error = nats_error("key-value bucket " + bucket, st);  // before another call resets the detail
  // Another node may have created it between our two calls.
  if (js_KeyValue(&kv, js, bucket.c_str()) == NATS_OK) return KvStoreHandle(kv);
  return error;
}

Result<Membership> Membership::open(const NatsSession& session, const ClusterSettings& settings) {
  auto js = session.jetstream(2000);
  if (!js) return js.error();
  auto kv = open_bucket(js->get(), members_bucket(settings), settings.member_ttl.count(), 1);
  if (!kv) return kv.error();
  return Membership(std::move(*js), std::move(*kv), settings.node);
}

Result<Ok> Membership::heartbeat() {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string value = R"({"node":")" + node_ + R"(","at":)" + std::to_string(now) + "}";
  uint64_t rev = 0;
  if (auto st = kvStore_Put(&rev, kv_.get(), node_.c_str(), value.data(), static_cast<int>(value.size()));
      st != NATS_OK) {
    return nats_error("member heartbeat", st);
  }
  return Ok{};
}

Result<std::vector<std::string>> Membership::live_members() {
  kvKeysList list;
  kvWatchOptions o;
  kvWatchOptions_Init(&o);
  o.Timeout = 2000;
  const natsStatus st = kvStore_Keys(&list, kv_.get(), &o);
  if (st == NATS_NOT_FOUND) return std::vector<std::string>{};  // no key at all: nobody alive
  if (st != NATS_OK) return nats_error("list members", st);
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(list.Count));
  for (int i = 0; i < list.Count; ++i)
    out.emplace_back(list.Keys[i]);
  kvKeysList_Destroy(&list);
  std::sort(out.begin(), out.end());
  return out;
}

Result<Ok> Membership::leave() {
  // Purge, not delete: a delete marker would linger as a key until the TTL.
  if (auto st = kvStore_Purge(kv_.get(), node_.c_str(), nullptr); st != NATS_OK) return nats_error("leave members", st);
  return Ok{};
}

}  // namespace newswatch::cluster
