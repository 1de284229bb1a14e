// bench_publish: alerts/s the daemon's publishing path sustains to 10 subscribers, next to
// a bare PUB socket sending the same payloads in the same run.
//
// Daemon path, per batch: one SQLite transaction (WAL, synchronous=FULL, as the daemon
// opens it) appending each alert to the journal, commit, then PUB send of each alert —
// exactly what record_items() does after matching. Batch 1 is one item with one alert per
// fetch (a commit per alert, the worst case); batch 50 is a busy feed. The clock stops when
// all 10 subscribers (TCP on 127.0.0.1, each on its own thread) have every message.
//
// Usage: bench_publish [alerts] (default 20000)
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "alerts/alert_journal.hpp"
#include "alerts/alert_publisher.hpp"
#include "common/sqlite_db.hpp"
#include "tests/bench/alert_payload.hpp"

namespace {

using namespace newswatch;
using Clock = std::chrono::steady_clock;
constexpr int kSubscribers = 10;

using bench::alert_payload;

struct Subscribers {
  zmq::context_t ctx{1};
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> received{0};
  std::atomic<int> ready{0};
  std::atomic<bool> give_up{false};  // set when messages were lost: the threads must not wait forever

  Subscribers(const std::string& endpoint, std::uint64_t expect_each) {
    for (int i = 0; i < kSubscribers; ++i) {
      threads.emplace_back([this, endpoint, expect_each] {
        zmq::socket_t sub(ctx, zmq::socket_type::sub);
        sub.set(zmq::sockopt::rcvhwm, 0);
        sub.set(zmq::sockopt::linger, 0);
        sub.set(zmq::sockopt::rcvtimeo, 1000);
        sub.set(zmq::sockopt::subscribe, "alert.");
        sub.set(zmq::sockopt::subscribe, "warmup");
        sub.connect(endpoint);
        bool counted_ready = false;
        std::uint64_t got = 0;
        zmq::message_t m;
        while (got < expect_each && !give_up) {
          if (!sub.recv(m)) continue;
          const bool warm = m.to_string_view() == "warmup";
          while (m.more())
            (void)sub.recv(m);
          if (warm) {
            if (!counted_ready) {
              ++ready;
              counted_ready = true;
            }
            continue;
          }
          ++got;
        }
        received += got;
      });
    }
  }
  ~Subscribers() {
    for (auto& t : threads)
      t.join();
  }
};

// Sends warm-up messages until every subscriber has joined (PUB's slow-joiner window).
template <class Send>
void warm_up(Subscribers& subs, Send&& send) {
  while (subs.ready < kSubscribers) {
    send("warmup", "{}");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Seconds until every subscriber had every message; throws when some never arrived (a rate
// computed from a partial delivery would be wrong).
double wait_all(Subscribers& subs, std::uint64_t n, Clock::time_point start) {
  while (subs.received < n * kSubscribers && Clock::now() - start < std::chrono::seconds(120)) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const std::uint64_t got = subs.received;
  if (got < n * kSubscribers) {
    subs.give_up = true;
    throw std::runtime_error("subscribers received " + std::to_string(got) + " of " + std::to_string(n * kSubscribers) +
                             " messages within 120 s");
  }
  return secs;
}

double run_baseline(std::uint64_t n, const std::vector<std::string>& payloads) {
  zmq::context_t ctx(1);
  auto pub = alerts::AlertPublisher::bind(ctx, "tcp://127.0.0.1:*", 1'000'000);
  if (!pub) throw std::runtime_error(pub.error().message);
  Subscribers subs((*pub)->endpoint(), n);
  warm_up(subs, [&](const char* t, const char* p) { (*pub)->send(t, p); });
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < n; ++i)
    (*pub)->send("alert.sahel", payloads[i]);
  const double secs = wait_all(subs, n, start);
  if ((*pub)->dropped() != 0) std::fprintf(stderr, "baseline: %llu dropped\n", (unsigned long long)(*pub)->dropped());
  return n / secs;
}

double run_journalled(std::uint64_t n, const std::vector<std::string>& payloads, std::size_t batch) {
  const std::string path =
      std::filesystem::temp_directory_path() / ("bench-publish-" + std::to_string(::getpid()) + ".db");
  for (const char* s : {"", "-wal", "-shm"})
    std::filesystem::remove(path + s);
  double rate = 0;
  {
    auto db = SqliteDb::open(path);
    if (!db) throw std::runtime_error(db.error().message);
    auto journal = alerts::AlertJournal::open(*db);
    if (!journal) throw std::runtime_error(journal.error().message);
    zmq::context_t ctx(1);
    auto pub = alerts::AlertPublisher::bind(ctx, "tcp://127.0.0.1:*", 1'000'000);
    if (!pub) throw std::runtime_error(pub.error().message);
    Subscribers subs((*pub)->endpoint(), n);
    warm_up(subs, [&](const char* t, const char* p) { (*pub)->send(t, p); });
    const auto start = Clock::now();
    std::vector<alerts::Alert> out;
    for (std::uint64_t i = 0; i < n;) {
      out.clear();
      auto tx = SqliteTransaction::begin(*db);
      if (!tx) throw std::runtime_error(tx.error().message);
      for (std::size_t k = 0; k < batch && i < n; ++k, ++i) {
        alerts::Alert a{journal->next_seq(), "alert.sahel", payloads[i]};
        if (!journal->append(a, 1356000000)) throw std::runtime_error("append");
        out.push_back(std::move(a));
      }
      if (!tx->commit()) throw std::runtime_error("commit");
      for (const auto& a : out)
        (*pub)->send(a.topic, a.payload);
    }
    rate = n / wait_all(subs, n, start);
  }
  for (const char* s : {"", "-wal", "-shm"})
    std::filesystem::remove(path + s);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t n = argc > 1 ? std::stoull(argv[1]) : 20000;
  std::vector<std::string> payloads;
  payloads.reserve(n);
  for (std::uint64_t i = 1; i <= n; ++i)
    payloads.push_back(alert_payload(i));
  try {
    const double base = run_baseline(n, payloads);
    const double b50 = run_journalled(n, payloads, 50);
    const double b1 = run_journalled(std::min<std::uint64_t>(n, 2000), payloads, 1);
    std::printf("publish to %d subscribers, %llu alerts of %zu bytes:\n", kSubscribers, (unsigned long long)n,
                payloads.front().size());
    std::printf("  baseline bare PUB:                      %10.0f alerts/s\n", base);
    std::printf("  journal + PUB, 50 alerts per commit:    %10.0f alerts/s  (%.2fx baseline)\n", b50, b50 / base);
    std::printf("  journal + PUB, 1 alert per commit:      %10.0f alerts/s  (%.2fx baseline)\n", b1, b1 / base);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_publish: %s\n", e.what());
    return 1;
  }
  return 0;
}
