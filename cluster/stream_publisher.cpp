#include "cluster/stream_publisher.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <optional>

#include "common/hash.hpp"

namespace newswatch::cluster {

namespace {

// 128 bits from two differently seeded passes: ids of a busy stream must not collide.
std::string hash128(std::string_view text) {
  const std::uint64_t a = mix64(fnv1a(kFnvOffset, text));
  const std::uint64_t b = mix64(fnv1a(0x84222325cbf29ce4ULL, text) ^ text.size());
  std::array<char, 33> out{};
  std::snprintf(out.data(), out.size(), "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return std::string(out.data(), 32);
}

std::string field(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The alert and story payloads' "filter", "feed" and "item"."id", read by a SAX pass that
// stops once it has all three (they come before the item's text): a full parse of every
// payload was most of the publisher's time. Anything unexpected (a non-string value, a
// field missing) gives nullopt and the caller parses the whole payload instead.
class AlertKeyReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  struct Fields {
    std::string filter, feed, item_id;
  };
  static std::optional<Fields> read(std::string_view payload) {
    AlertKeyReader r;
    (void)nlohmann::json::sax_parse(payload.begin(), payload.end(), &r, nlohmann::json::input_format_t::json, false);
    if (r.odd_ || r.found_ != 7) return std::nullopt;
    return std::move(r.fields_);
  }

  bool null() override { return scalar(); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool string(string_t& v) override {
    if (depth_ == 1 && key1_ == "filter") return take(1, fields_.filter, v);
    if (depth_ == 1 && key1_ == "feed") return take(2, fields_.feed, v);
    if (depth_ == 2 && in_item_ && key2_ == "id") return take(4, fields_.item_id, v);
    return true;
  }
  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 2 && key1_ == "item" && !in_array_) in_item_ = true;
    return true;
  }
  bool end_object() override {
    if (depth_ == 2) in_item_ = false;
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ == 2) in_array_ = true;
    return true;
  }
  bool end_array() override {
    if (depth_ == 2) in_array_ = false;
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) key1_ = k;
    if (depth_ == 2) key2_ = k;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    odd_ = true;
    return false;
  }

 private:
  bool scalar() {
    // One of ours holding something else than a string: the full parse renders it.
    if ((depth_ == 1 && (key1_ == "filter" || key1_ == "feed")) || (depth_ == 2 && in_item_ && key2_ == "id"))
      odd_ = true;
    return !odd_;
  }
  bool take(int bit, std::string& into, string_t& v) {
    if ((found_ & bit) != 0) {
      odd_ = true;  // a repeated key: leave it to the full parse
      return false;
    }
    into = std::move(v);
    found_ |= bit;
    return found_ != 7;  // all three: stop reading
  }
  Fields fields_;
  std::string key1_, key2_;
  int depth_ = 0;
  int found_ = 0;
  bool in_item_ = false;
  bool in_array_ = false;
  bool odd_ = false;
};

}  // namespace

std::string message_id(std::string_view topic, std::string_view payload) {
  std::string key(topic);
  const auto add = [&key](const std::string& part) {
    key += '|';
    key += part;
  };
  if (starts_with(topic, "alert.") || starts_with(topic, "story.")) {
    if (auto f = AlertKeyReader::read(payload)) {
      add(f->filter);
      add(f->feed);
      add(f->item_id);
      return hash128(key);
    }
  }
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_object() && (starts_with(topic, "alert.") || starts_with(topic, "story.")) && j.contains("item") &&
      j["item"].is_object()) {
    add(field(j, "filter"));
    add(field(j, "feed"));
    add(field(j["item"], "id"));
  } else if (j.is_object() && starts_with(topic, "burst.")) {
    for (const char* k : {"filter", "level", "window", "entity", "started_at"})
      add(field(j, k));
  } else if (j.is_object()) {
    auto rest = j;
    rest.erase("seq");
    rest.erase("detected_at");
    add(rest.dump());
  } else {
    add(std::string(payload));
  }
  return hash128(key);
}

Result<Ok> ensure_stream(jsCtx* js, const ClusterSettings& s) {
  const std::string subjects = std::string(kSubjectPrefix) + ">";
  const char* subject_list[] = {subjects.c_str()};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = s.stream.c_str();
  cfg.Subjects = subject_list;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.MaxAge = std::chrono::duration_cast<std::chrono::nanoseconds>(s.max_age).count();
  cfg.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(s.duplicate_window).count();
  jsStreamInfo* info = nullptr;
  jsErrCode code{};
  natsStatus st = js_GetStreamInfo(&info, js, s.stream.c_str(), nullptr, &code);
  JsStreamInfoHandle held(info);
  if (st == NATS_NOT_FOUND) {
    st = js_AddStream(&info, js, &cfg, nullptr, &code);
    held.reset(info);
    // Another node may have created it meanwhile: then it is there, which is all we need.
    if (st != NATS_OK && js_GetStreamInfo(&info, js, s.stream.c_str(), nullptr, nullptr) == NATS_OK) {
      held.reset(info);
      return Ok{};
    }
    if (st != NATS_OK) return nats_error("create stream " + s.stream, st, code);
    return Ok{};
  }
  if (st != NATS_OK) return nats_error("stream " + s.stream, st, code);
  if (info->Config->Duplicates == cfg.Duplicates && info->Config->MaxAge == cfg.MaxAge) return Ok{};
  held.reset();
  st = js_UpdateStream(&info, js, &cfg, nullptr, &code);
  held.reset(info);
  if (st != NATS_OK) return nats_error("update stream " + s.stream, st, code);
  return Ok{};
}

Result<std::unique_ptr<StreamPublisher>> StreamPublisher::open(const NatsSession& session,
                                                               const ClusterSettings& settings, AckHandler on_ack,
                                                               int64_t ack_wait_ms) {
  std::unique_ptr<StreamPublisher> p(new StreamPublisher(settings.node, std::move(on_ack)));
  p->ack_wait_ms_ = ack_wait_ms;
  jsOptions o;
  jsOptions_Init(&o);
  o.PublishAsync.AckHandler = &StreamPublisher::on_async_ack;
  o.PublishAsync.AckHandlerClosure = p->on_ack_;
  o.PublishAsync.MaxPending = 4096;
  o.PublishAsync.StallWait = 1;  // never hold the caller: a full window fails publish_async at once
  auto js = session.jetstream(ack_wait_ms, &o);
  if (!js) return js.error();
  p->js_ = std::move(*js);
  if (auto r = ensure_stream(p->js_.get(), settings); !r) return r.error();
  return p;
}

StreamPublisher::~StreamPublisher() { on_ack_->clear(); }

Result<NatsMsgHandle> StreamPublisher::make_message(std::uint64_t local_seq, const std::string& topic,
                                                    const std::string& payload, std::string& id,
                                                    jsPubOptions& options) const {
  const std::string subject = subject_for(topic);
  natsMsg* raw = nullptr;
  if (auto st = natsMsg_Create(&raw, subject.c_str(), nullptr, payload.data(), static_cast<int>(payload.size()));
      st != NATS_OK) {
    return nats_error("message for " + subject, st);
  }
  NatsMsgHandle msg(raw);
  id = message_id(topic, payload);
  const std::string seq = std::to_string(local_seq);
  if (auto st = natsMsgHeader_Set(msg.get(), kNodeHeader, node_.c_str()); st != NATS_OK)
    return nats_error("message header", st);
  if (auto st = natsMsgHeader_Set(msg.get(), kSeqHeader, seq.c_str()); st != NATS_OK)
    return nats_error("message header", st);
  jsPubOptions_Init(&options);
  options.MsgId = id.c_str();
  // Both ways wait as long: the context's Wait, which a synchronous publish falls back to, is
  // this same ack_wait_ms_ (open()).
  options.MaxWait = ack_wait_ms_;
  return msg;
}

void StreamPublisher::accept(PublishAck& ack, const jsPubAck& pa) {
  ack.ok = true;
  ack.duplicate = pa.Duplicate;
  ack.stream_seq = pa.Duplicate ? 0 : pa.Sequence;
}

Result<Ok> StreamPublisher::publish_async(std::uint64_t local_seq, const std::string& topic,
                                          const std::string& payload) {
  std::string id;
  jsPubOptions o;
  auto msg = make_message(local_seq, topic, payload, id, o);
  if (!msg) return msg.error();
  natsMsg* raw = msg->release();
  // On success libnats owns the message; on failure it stays ours.
  const natsStatus st = js_PublishMsgAsync(js_.get(), &raw, &o);
  NatsMsgHandle back(raw);
  if (st != NATS_OK) return nats_error("publish " + topic, st);
  return Ok{};
}

Result<PublishAck> StreamPublisher::publish(std::uint64_t local_seq, const std::string& topic,
                                            const std::string& payload) {
  std::string id;
  jsPubOptions o;
  auto msg = make_message(local_seq, topic, payload, id, o);
  if (!msg) return msg.error();
  jsPubAck* pa = nullptr;
  jsErrCode code{};
  const natsStatus st = js_PublishMsg(&pa, js_.get(), msg->get(), &o, &code);
  JsPubAckHandle held(pa);
  if (st != NATS_OK) return nats_error("publish " + topic, st, code);
  PublishAck ack;
  ack.local_seq = local_seq;
  accept(ack, *pa);
  return ack;
}

void StreamPublisher::on_async_ack(jsCtx* /*js*/, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
  NatsMsgHandle held(msg);  // ours to destroy (we never resend from here)
  auto* slot = static_cast<CallbackSlot<const PublishAck&>*>(closure);
  PublishAck ack;
  const char* seq = nullptr;
  if (natsMsgHeader_Get(msg, kSeqHeader, &seq) == NATS_OK && seq != nullptr)
    ack.local_seq = std::strtoull(seq, nullptr, 10);
  if (pae != nullptr) {
    ack.error = pae->ErrText != nullptr ? pae->ErrText : natsStatus_GetText(pae->Err);
  } else if (pa != nullptr) {
    accept(ack, *pa);
  }
  slot->call(ack);
}

}  // namespace newswatch::cluster
