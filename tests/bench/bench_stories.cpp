// Story assignment throughput with a full window: 300,000 items spread over 72 hours (what EMM
// sees in a day), then more items timed while the window stays full, next to the normaliser
// alone over the same items (the floor any design pays) in the same run, and peak RSS.
// Items are generated: stories of a few to a few hundred items on a vocabulary with a Zipf tail,
// a third of the items copies of another with outlet decorations.
// Usage: bench_stories [WINDOW_ITEMS [TIMED_ITEMS]]

#include <sys/resource.h>
#include <time.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "filters/normaliser.hpp"
#include "stories/story_engine.hpp"

namespace {

// CPU time of this thread: on a shared machine, wall time measures the neighbours too. Wall
// time is printed as well.
struct Clock {
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};
double wall_now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
using newswatch::stories::StoryEngine;
using newswatch::stories::StoryItem;

const char* const kSyllables[] = {"ka", "lo", "mi", "ra", "tu", "ne", "sa", "po", "di", "ve", "zo", "bu", "fe",
                                  "gi", "ha", "ju", "ko", "le", "mo", "nu", "pi", "ri", "so", "ta", "vi", "wa"};
const char* const kCommon[] = {"the",    "of",   "and",  "to",       "in",        "said",      "on",     "after",
                               "police", "city", "army", "minister", "president", "officials", "people", "government"};

class Corpus {
 public:
  Corpus() : rng_(2013), zipf_(1.0, 1.0) {
    for (int i = 0; i < 60000; ++i) {
      std::string w;
      const int parts = 2 + static_cast<int>(rng_() % 3);
      for (int k = 0; k < parts; ++k)
        w += kSyllables[rng_() % std::size(kSyllables)];
      vocab_.push_back(w);
    }
  }

  std::string word() {
    if (rng_() % 3 == 0) return kCommon[rng_() % std::size(kCommon)];
    // Zipf-like: a few words are everywhere, most are rare.
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    const auto idx = static_cast<std::size_t>(std::pow(static_cast<double>(vocab_.size()), u)) - 1;
    return vocab_[idx];
  }

  StoryItem next(std::int64_t second) {
    StoryItem it;
    it.item_id = "urn:item:" + std::to_string(count_);
    it.feed_id = "feed-" + std::to_string(rng_() % 2000);
    it.language = rng_() % 4 == 0 ? "fr" : "en";
    it.arrival = newswatch::stories::TimePoint(std::chrono::seconds(1'400'000'000 + second));
    const auto r = rng_() % 100;
    if (r < 33 && !recent_.size() == 0) {
      // A copy of a recent item, decorated.
      const auto& o = recent_[rng_() % recent_.size()];
      it.title = o.title + " - Outlet " + std::to_string(rng_() % 50);
      it.summary = "CITY (Agency) - " + o.summary;
    } else {
      if (r < 60 || topics_.empty()) {
        std::vector<std::string> t;
        for (int k = 0; k < 10; ++k)
          t.push_back(word());
        topics_.push_back(std::move(t));
        if (topics_.size() > 2000) topics_.erase(topics_.begin(), topics_.begin() + 1000);
      }
      const auto& topic = topics_[topics_.size() - 1 - std::min<std::size_t>(rng_() % 50, topics_.size() - 1)];
      for (int k = 0; k < 9; ++k)
        it.title += (k ? " " : "") + (k % 2 == 0 ? topic[rng_() % topic.size()] : word());
      it.summary = "<p>";
      for (int k = 0; k < 45; ++k)
        it.summary += (k ? " " : "") + (k % 3 == 0 ? topic[rng_() % topic.size()] : word());
      it.summary += ".</p>";
      for (int k = 0; k < 2; ++k)
        it.entities.push_back("E" + std::to_string(std::hash<std::string>{}(topic[k]) % 5000));
    }
    recent_.push_back(it);
    if (recent_.size() > 200) recent_.erase(recent_.begin(), recent_.begin() + 100);
    ++count_;
    return it;
  }

 private:
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> zipf_;
  std::vector<std::string> vocab_;
  std::vector<std::vector<std::string>> topics_;
  std::vector<StoryItem> recent_;
  std::size_t count_ = 0;
};

long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t window_items = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 300000;
  const std::size_t timed_items = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100000;
  // 72 hours hold window_items: one item every 72 h / window_items.
  const double step = 72.0 * 3600.0 / static_cast<double>(window_items);
  StoryEngine engine;
  Corpus corpus;
  newswatch::filters::ScanText scan;
  std::size_t copies = 0;
  std::size_t new_stories = 0;
  double engine_s = 0;
  double normalise_s = 0;
  double engine_wall_s = 0;
  constexpr std::size_t kBatch = 1000;
  std::vector<StoryItem> batch;
  std::size_t done = 0;
  const std::size_t total = window_items + timed_items;
  double fill_s = 0;
  while (done < total) {
    batch.clear();
    for (std::size_t k = 0; k < kBatch && done + k < total; ++k)
      batch.push_back(corpus.next(static_cast<std::int64_t>(static_cast<double>(done + k) * step)));
    const bool timed = done >= window_items;
    double t0 = Clock::now();
    const double w0 = wall_now();
    for (const auto& it : batch) {
      const auto a = engine.assign(it);
      if (timed) {
        copies += a.copy_of.has_value();
        new_stories += a.new_story;
      }
    }
    const double s = Clock::now() - t0;
    if (timed) {
      engine_s += s;
      engine_wall_s += wall_now() - w0;
      t0 = Clock::now();
      std::size_t words = 0;
      for (const auto& it : batch) {
        newswatch::filters::normalise(it.title, newswatch::filters::TextKind::plain, false, scan);
        words += scan.folded().size();
        newswatch::filters::normalise(it.summary, newswatch::filters::TextKind::html, false, scan);
        words += scan.folded().size();
      }
      normalise_s += Clock::now() - t0;
      if (words == 0) std::puts("");
    } else {
      fill_s += s;
    }
    done += batch.size();
  }
  const double ours = static_cast<double>(timed_items) / engine_s;
  const double floor = static_cast<double>(timed_items) / normalise_s;
  std::printf("window: %zu items in 72h (filled at %.0f items/s), %zu items and %zu stories held at the end\n",
              window_items, static_cast<double>(window_items) / fill_s, engine.item_count(), engine.story_count());
  std::printf(
      "assign: %.0f items/s of CPU time with the window full, %.0f items/s of wall time (%zu copies, %zu "
      "new stories of %zu)\n",
      ours, static_cast<double>(timed_items) / engine_wall_s, copies, new_stories, timed_items);
  std::printf("baseline, the normaliser alone on the same items: %.0f items/s (assign costs %.1fx it)\n", floor,
              floor / ours);
  std::printf("peak RSS: %ld MiB\n", peak_rss_mib());
  std::printf("items_per_s=%.0f target=20000 %s\n", ours, ours >= 20000 ? "met" : "MISSED");
  return 0;
}
