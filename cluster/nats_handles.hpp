#pragma once
// Owning handles for the libnats C objects (connection, JetStream context, key-value store,
// messages, subscriptions), and the one way we turn a natsStatus into an Error.

#include <nats/nats.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace newswatch::cluster {

template <class T, void (*Destroy)(T*)>
struct NatsDeleter {
  void operator()(T* p) const noexcept {
    if (p != nullptr) Destroy(p);
  }
};

using NatsOptionsHandle = std::unique_ptr<natsOptions, NatsDeleter<natsOptions, natsOptions_Destroy>>;
using NatsConnectionHandle = std::unique_ptr<natsConnection, NatsDeleter<natsConnection, natsConnection_Destroy>>;
using JsContextHandle = std::unique_ptr<jsCtx, NatsDeleter<jsCtx, jsCtx_Destroy>>;
using KvStoreHandle = std::unique_ptr<kvStore, NatsDeleter<kvStore, kvStore_Destroy>>;
using KvEntryHandle = std::unique_ptr<kvEntry, NatsDeleter<kvEntry, kvEntry_Destroy>>;
using NatsMsgHandle = std::unique_ptr<natsMsg, NatsDeleter<natsMsg, natsMsg_Destroy>>;
using NatsSubscriptionHandle =
    std::unique_ptr<natsSubscription, NatsDeleter<natsSubscription, natsSubscription_Destroy>>;
using JsStreamInfoHandle = std::unique_ptr<jsStreamInfo, NatsDeleter<jsStreamInfo, jsStreamInfo_Destroy>>;
using JsPubAckHandle = std::unique_ptr<jsPubAck, NatsDeleter<jsPubAck, jsPubAck_Destroy>>;
using JsMetaDataHandle = std::unique_ptr<jsMsgMetaData, NatsDeleter<jsMsgMetaData, jsMsgMetaData_Destroy>>;

// "<what>: <status text>[ (JetStream error N)][: <last error detail>]".
Error nats_error(std::string_view what, natsStatus status, jsErrCode js_code = static_cast<jsErrCode>(0));

}  // namespace newswatch::cluster
