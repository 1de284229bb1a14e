// bench_parse DIR [min_seconds]: parse throughput of every file in DIR, one core.
// Prints files, items, bytes, items/s and MB/s (best of several passes) as key=value lines.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "feeds/feed_parser.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: bench_parse DIR [min_seconds]\n", stderr);
    return 2;
  }
  const double min_seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  std::vector<std::string> bodies;
  std::size_t bytes = 0;
  std::vector<fs::path> paths;
  for (const auto& e : fs::directory_iterator(argv[1])) {
    if (e.is_regular_file()) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    bodies.push_back(ss.str());
    bytes += bodies.back().size();
  }
  if (bodies.empty()) {
    std::fputs("bench_parse: no files\n", stderr);
    return 1;
  }

  using clock = std::chrono::steady_clock;
  std::size_t items_per_pass = 0;
  std::size_t failures = 0;
  double best = 1e30;
  double total = 0;
  int passes = 0;
  while (total < min_seconds || passes < 3) {
    std::size_t items = 0;
    const auto start = clock::now();
    for (const auto& body : bodies) {
      const auto feed = newswatch::feeds::parse_feed(body);
      if (feed) {
        items += feed->items.size();
      } else if (passes == 0) {
        ++failures;
      }
    }
    const double secs = std::chrono::duration<double>(clock::now() - start).count();
    best = std::min(best, secs);
    total += secs;
    items_per_pass = items;
    ++passes;
  }
  std::printf("files=%zu items=%zu bytes=%zu failures=%zu passes=%d\n", bodies.size(), items_per_pass, bytes, failures,
              passes);
  std::printf("seconds=%.4f items_per_s=%.0f mb_per_s=%.1f\n", best, items_per_pass / best, bytes / best / 1e6);
  return failures == 0 ? 0 : 1;
}
