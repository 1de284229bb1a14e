// bench_language DIR [min_seconds]: language identification throughput, one core, over the
// labelled set in DIR (tests/fixtures/languages/*.tsv: headline, tab, text), each line one
// item with an HTML summary. Baseline in the same run: the bare normaliser pass over the same
// title + summary, which identification includes. Prints key=value lines.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "filters/language_id.hpp"
#include "filters/normaliser.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Item {
  std::string title;
  std::string summary;
};

// Runs `pass` over all items until min_seconds have gone by; the best pass's items/s.
template <class F>
double items_per_second(const std::vector<Item>& items, double min_seconds, F&& pass) {
  double best = 0;
  const auto start = Clock::now();
  do {
    const auto t0 = Clock::now();
    for (const auto& it : items)
      pass(it);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, static_cast<double>(items.size()) / s);
  } while (std::chrono::duration<double>(Clock::now() - start).count() < min_seconds);
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: bench_language DIR [min_seconds]\n", stderr);
    return 2;
  }
  const double min_seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  std::vector<Item> items;
  for (const auto& e : fs::directory_iterator(argv[1])) {
    if (e.path().extension() != ".tsv") continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) {
      const auto tab = line.find('\t');
      if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
      items.push_back({line.substr(0, tab), "<p>" + line.substr(tab + 1) + "</p>"});
    }
  }
  if (items.empty()) {
    std::fputs("bench_language: no items\n", stderr);
    return 1;
  }
  const auto& id = newswatch::filters::LanguageIdentifier::standard();
  if (!id.load_error().empty()) {
    std::fprintf(stderr, "bench_language: %s\n", id.load_error().c_str());
    return 1;
  }
  std::size_t sink = 0;
  const double ours = items_per_second(items, min_seconds,
                                       [&](const Item& it) { sink += id.identify(it.title, it.summary, "").size(); });
  newswatch::filters::ScanText title;
  newswatch::filters::ScanText summary;
  const double baseline = items_per_second(items, min_seconds, [&](const Item& it) {
    newswatch::filters::normalise(it.title, newswatch::filters::TextKind::plain, false, title);
    newswatch::filters::normalise(it.summary, newswatch::filters::TextKind::html, false, summary);
    sink += title.folded().size() + summary.folded().size();
  });
  std::printf("items=%zu items_per_s=%.0f normaliser_items_per_s=%.0f ratio=%.2f sink=%zu\n", items.size(), ours,
              baseline, ours / baseline, sink);
  return 0;
}
