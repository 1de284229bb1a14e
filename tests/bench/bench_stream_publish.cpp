// bench_stream_publish: messages/s that reach a JetStream stream and are acknowledged, three
// ways in the same run against one nats-server (tests/bench/bench_stream_publish.sh starts it):
//   baseline  a raw libnats loop: js_PublishAsync of the same payloads with the same message
//             ids, 4096 in flight, until every acknowledgement came back;
//   publisher cluster::StreamPublisher::publish_async (headers, message id hashing, our ack
//             handler), 4096 in flight, until every acknowledgement came back;
//   node      the daemon's whole outbox: a journal holding N alerts, a ClusterNode started on
//             it with its asio loop, until its acknowledged seq reaches N (journal pages read,
//             published, acknowledgements posted back to the loop).
//
// Each figure is the median of three rounds, the three ways interleaved.
//
// Usage: bench_stream_publish NATS_URL [messages] (default 20000)
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nats/nats.h>

#include "alerts/alert_journal.hpp"
#include "alerts/alert_publisher.hpp"
#include "cluster/cluster_settings.hpp"
#include "cluster/nats_session.hpp"
#include "cluster/stream_publisher.hpp"
#include "common/sqlite_db.hpp"
#include "daemon/cluster_node.hpp"
#include "daemon/commit_group.hpp"
#include "feeds/feed_store.hpp"
#include "tests/bench/alert_payload.hpp"

namespace {

using namespace newswatch;
using Clock = std::chrono::steady_clock;

using bench::alert_payload;

void check(natsStatus st, const char* what) {
  if (st != NATS_OK) throw std::runtime_error(std::string(what) + ": " + natsStatus_GetText(st));
}

template <class T>
T take(Result<T> r) {
  if (!r) throw std::runtime_error(r.error().message);
  return std::move(*r);
}

cluster::ClusterSettings settings_for(const std::string& url, const std::string& stream) {
  cluster::ClusterSettings s;
  s.nats = {url};
  s.node = "bench";
  s.stream = stream;
  return s;
}

void delete_stream(const cluster::NatsSession& session, const std::string& name) {
  auto js = take(session.jetstream());
  (void)js_DeleteStream(js.get(), name.c_str(), nullptr, nullptr);
}

// The same payloads and message ids, straight through libnats.
double run_baseline(const std::string& url, const std::vector<std::string>& payloads) {
  natsConnection* raw_conn = nullptr;
  check(natsConnection_ConnectTo(&raw_conn, url.c_str()), "connect");
  cluster::NatsConnectionHandle conn(raw_conn);
  jsOptions o;
  jsOptions_Init(&o);
  o.PublishAsync.MaxPending = 4096;
  jsCtx* raw_js = nullptr;
  check(natsConnection_JetStream(&raw_js, conn.get(), &o), "jetstream");
  cluster::JsContextHandle js(raw_js);
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  const char* subjects[] = {"baseline.>"};
  cfg.Name = "BENCH_BASELINE";
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Duplicates = std::chrono::nanoseconds(std::chrono::hours(2)).count();
  (void)js_DeleteStream(js.get(), cfg.Name, nullptr, nullptr);
  jsStreamInfo* info = nullptr;
  check(js_AddStream(&info, js.get(), &cfg, nullptr, nullptr), "add stream");
  jsStreamInfo_Destroy(info);
  std::vector<std::string> ids;
  for (const auto& p : payloads)
    ids.push_back(cluster::message_id("alert.sahel", p));
  const auto start = Clock::now();
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = ids[i].c_str();
    check(js_PublishAsync(js.get(), "baseline.alert.sahel", payloads[i].data(), static_cast<int>(payloads[i].size()),
                          &po),
          "publish");
  }
  jsPubOptions done;
  jsPubOptions_Init(&done);
  done.MaxWait = 120'000;
  check(js_PublishAsyncComplete(js.get(), &done), "publish complete");
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  natsMsgList pending{};
  if (js_PublishAsyncGetPendingList(&pending, js.get()) == NATS_OK) {
    const int left = pending.Count;
    natsMsgList_Destroy(&pending);
    if (left != 0) throw std::runtime_error("baseline: " + std::to_string(left) + " publishes failed");
  }
  (void)js_DeleteStream(js.get(), cfg.Name, nullptr, nullptr);
  return static_cast<double>(payloads.size()) / secs;
}

double run_publisher(const std::string& url, const std::vector<std::string>& payloads) {
  const auto settings = settings_for(url, "BENCH_PUBLISHER");
  auto session = take(cluster::NatsSession::connect(settings, {}));
  delete_stream(session, settings.stream);
  std::atomic<std::uint64_t> acked{0};
  std::atomic<std::uint64_t> failed{0};
  auto publisher = take(cluster::StreamPublisher::open(session, settings, [&](const cluster::PublishAck& a) {
    if (!a.ok || a.duplicate) ++failed;
    ++acked;
  }));
  const auto start = Clock::now();
  for (std::size_t i = 0; i < payloads.size();) {
    if (publisher->publish_async(i + 1, "alert.sahel", payloads[i])) {
      ++i;
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(100));  // the window is full
    }
  }
  while (acked < payloads.size() && Clock::now() - start < std::chrono::seconds(120))
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (acked < payloads.size() || failed != 0)
    throw std::runtime_error("publisher: " + std::to_string(acked) + " acknowledged, " + std::to_string(failed) +
                             " failed or duplicates");
  publisher.reset();
  delete_stream(session, settings.stream);
  return static_cast<double>(payloads.size()) / secs;
}

double run_node(const std::string& url, const std::vector<std::string>& payloads) {
  const std::string path =
      std::filesystem::temp_directory_path() / ("bench-stream-publish-" + std::to_string(::getpid()) + ".db");
  for (const char* s : {"", "-wal", "-shm"})
    std::filesystem::remove(path + s);
  const auto settings = settings_for(url, "BENCH_NODE");
  {
    auto session = take(cluster::NatsSession::connect(settings, {}));
    delete_stream(session, settings.stream);
  }
  double rate = 0;
  {
    auto db = take(SqliteDb::open(path));
    auto journal = take(alerts::AlertJournal::open(db));
    auto store = take(feeds::FeedStore::open(db));
    // The node publishes from the outbox cursor: 0, so the whole journal below.
    if (!db.exec("CREATE TABLE cluster_outbox (id INTEGER PRIMARY KEY CHECK (id = 1), acked_seq INTEGER NOT NULL);"
                 "INSERT INTO cluster_outbox VALUES (1, 0)"))
      throw std::runtime_error("outbox table");
    {
      auto tx = take(SqliteTransaction::begin(db));
      for (std::size_t i = 0; i < payloads.size(); ++i) {
        alerts::Alert a{journal.next_seq(), "alert.sahel", payloads[i]};
        if (!journal.append(a, 1356000000)) throw std::runtime_error("append");
      }
      if (!tx.commit()) throw std::runtime_error("commit");
      journal.committed();
    }
    zmq::context_t ctx(1);
    auto pub = take(alerts::AlertPublisher::bind(ctx, "tcp://127.0.0.1:*", 1000));
    asio::io_context io;
    daemon::CommitGroup group(io, db, journal, *pub);
    const auto start = Clock::now();
    auto node = take(daemon::ClusterNode::start({io, db, group, store, journal}, settings, std::chrono::hours(24),
                                                [](const std::vector<feeds::FeedSpec>&) {}));
    node->set_feeds({});
    const std::uint64_t want = payloads.size();
    asio::steady_timer poll(io);
    double secs = 0;
    std::function<void()> watch = [&] {
      if (node->acked_seq() >= want || Clock::now() - start > std::chrono::seconds(120)) {
        secs = std::chrono::duration<double>(Clock::now() - start).count();
        io.stop();
        return;
      }
      poll.expires_after(std::chrono::microseconds(500));
      poll.async_wait([&](const boost::system::error_code&) { watch(); });
    };
    watch();
    io.run();
    const auto published = node->counters().published;
    node->stop();
    if (published < want)
      throw std::runtime_error("node: " + std::to_string(published) + " of " + std::to_string(want) + " acknowledged");
    rate = static_cast<double>(want) / secs;
    auto session = take(cluster::NatsSession::connect(settings, {}));
    delete_stream(session, settings.stream);
  }
  for (const char* s : {"", "-wal", "-shm"})
    std::filesystem::remove(path + s);
  return rate;
}

constexpr int kRounds = 3;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_stream_publish NATS_URL [messages]\n");
    return 2;
  }
  const std::string url = argv[1];
  const std::uint64_t n = argc > 2 ? std::stoull(argv[2]) : 20000;
  std::vector<std::string> payloads;
  payloads.reserve(n);
  for (std::uint64_t i = 1; i <= n; ++i)
    payloads.push_back(alert_payload(i));
  try {
    // Rounds interleaved, the median of each reported: the server warms up and the machine
    // is shared, so a single run of each would favour whichever came later.
    std::vector<double> base, ours, node;
    for (int round = 0; round < kRounds; ++round) {
      base.push_back(run_baseline(url, payloads));
      ours.push_back(run_publisher(url, payloads));
      node.push_back(run_node(url, payloads));
    }
    const double b = median(base), o = median(ours), d = median(node);
    std::printf("stream publish to JetStream (file storage), %llu messages of %zu bytes, acknowledged; median of %d:\n",
                (unsigned long long)n, payloads.front().size(), kRounds);
    std::printf("  baseline raw libnats js_PublishAsync:   %10.0f msgs/s\n", b);
    std::printf("  StreamPublisher::publish_async:         %10.0f msgs/s  (%.2fx baseline)\n", o, o / b);
    std::printf("  node outbox (journal -> stream):        %10.0f msgs/s  (%.2fx baseline; target >= 0.67)\n", d,
                d / b);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_stream_publish: %s\n", e.what());
    return 1;
  }
  return 0;
}
