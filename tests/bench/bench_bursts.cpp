// bench_bursts: the burst detector's cost per alert, next to parsing the same alert payloads
// with nlohmann::json in the same run (the least any consumer of an alert pays).
//
// History: 50 filters, rates 0.2-5 stories/h with weekly and daily rhythm, 8 weeks, one x5
// surge each, half the stories naming a place (synthetic_history.hpp). Timed: (a) parsing
// each payload, (b) BurstDetector::observe() on the decoded events, (c) observe() plus
// take_changes() serialising what changed every 50 events (what the daemon stores per batch).
//
// Usage: bench_bursts [filters] (default 50)
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../unit/bursts/synthetic_history.hpp"
#include "bursts/burst_detector.hpp"
#include "feeds/feed.hpp"

namespace {

using namespace newswatch;
using Clock = std::chrono::steady_clock;

std::string payload_for(const bursts::BurstEvent& e, std::uint64_t seq) {
  nlohmann::json ents = nlohmann::json::array();
  for (const auto& x : e.entities)
    ents.push_back(x.id);
  const nlohmann::json j = {
      {"seq", seq},
      {"filter", e.filter},
      {"topic", "alert." + e.filter},
      {"feed", e.source},
      {"detected_at", feeds::format_rfc3339(feeds::TimePoint(std::chrono::seconds(e.time)))},
      {"item",
       {{"id", e.story + "-" + std::to_string(seq)},
        {"title", e.title},
        {"link", e.link},
        {"summary", std::string(600, 'x')}}},
      {"matches", nlohmann::json::array(
                      {{{"term", "Sahel"}, {"entity", nullptr}, {"field", "title"}, {"offset", 0}, {"length", 5}}})},
      {"entities", ents},
      {"story", {{"id", e.story}, {"copy_of", nullptr}, {"size", 1}, {"sources", 1}}}};
  return j.dump();
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

int main(int argc, char** argv) {
  const int filters = argc > 1 ? std::atoi(argv[1]) : 50;
  std::vector<bursts::BurstEvent> events;
  std::vector<bursts::BurstFilter> defs;
  for (int i = 0; i < filters; ++i) {
    bursts::synthetic::FilterHistory h;
    h.seed = 77 + static_cast<std::uint64_t>(i);
    h.filter = "f" + std::to_string(i);
    h.rate = 0.2 * std::pow(25.0, (i + 0.5) / filters);
    h.weeks = 8;
    h.surges = {{bursts::synthetic::kMonday + 5 * 7 * 86400 + i * 3600, 6, 5.0}};
    auto ev = bursts::synthetic::generate(h);
    events.insert(events.end(), ev.begin(), ev.end());
    defs.push_back({h.filter, std::nullopt});
  }
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  std::vector<std::string> payloads;
  payloads.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i)
    payloads.push_back(payload_for(events[i], i + 1));

  auto t = Clock::now();
  std::size_t sink = 0;
  for (const auto& p : payloads)
    sink += nlohmann::json::parse(p).size();
  const double parse_s = seconds_since(t);

  bursts::BurstDetector detector(bursts::BurstSettings{}, defs);
  std::size_t announced = 0;
  t = Clock::now();
  for (const auto& e : events)
    announced += detector.observe(e).size();
  const double observe_s = seconds_since(t);

  bursts::BurstDetector stored(bursts::BurstSettings{}, defs);
  std::size_t bytes = 0;
  t = Clock::now();
  for (std::size_t i = 0; i < events.size(); ++i) {
    (void)stored.observe(events[i]);
    if (i % 50 == 49) {
      for (const auto& s : stored.take_changes().updated)
        bytes += s.state.size();
    }
  }
  const double stored_s = seconds_since(t);

  const double n = static_cast<double>(events.size());
  std::printf("bench_bursts: %zu alerts, %d filters, %zu series, %zu bursts announced (sink %zu)\n", events.size(),
              filters, detector.series_count(), announced, sink);
  std::printf("  parse payload (baseline)      %8.2f us/alert\n", parse_s / n * 1e6);
  std::printf("  observe                       %8.2f us/alert  = %.2fx the parse\n", observe_s / n * 1e6,
              observe_s / parse_s);
  std::printf("  observe + state every 50      %8.2f us/alert  = %.2fx the parse (%.1f KiB of state per batch)\n",
              stored_s / n * 1e6, stored_s / parse_s, static_cast<double>(bytes) / (n / 50) / 1024);
  return 0;
}
