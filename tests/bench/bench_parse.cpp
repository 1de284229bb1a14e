// bench_parse DIR [min_seconds]: parse throughput of every file in DIR, one core.
// Prints files, items, bytes, items/s and MB/s (best of several passes) as key=value lines.
// bench_parse --hostile: the hostile shapes the parser's unit tests feed it (items left open,
// 100,000 categories, 50,000 namespace declarations...), each timed against a plain feed of
// the same size parsed in the same run (ratio_to_plain) and against itself at a quarter of
// the size (growth_4x: about 4 when the work is linear, 16 when quadratic).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "feeds/feed_parser.hpp"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out += s;
  return out;
}

// Best of three parses, in seconds.
double time_parse(const std::string& doc) {
  double best = 1e30;
  for (int pass = 0; pass < 3; ++pass) {
    const auto start = Clock::now();
    const auto feed = newswatch::feeds::parse_feed(doc);
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    if (!feed) std::fprintf(stderr, "bench_parse: hostile input rejected: %s\n", feed.error().message.c_str());
    best = std::min(best, secs);
  }
  return best;
}

std::string declarations(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string k = std::to_string(i);
    out += " xmlns:p" + k + "=\"urn:p" + k + "\"";
  }
  return out;
}

// The shapes of tests/unit/feeds/parser_test.cpp, n repetitions each.
struct Shape {
  const char* name;
  std::string (*make)(std::size_t n);
};

const Shape kShapes[] = {
    {"many_items",
     [](std::size_t n) {
       return "<rss><channel>" +
              repeat(
                  "<item><title>Item &amp; more</title><guid>g</guid><pubDate>Thu, 20 Dec 2012 18:00:00 "
                  "GMT</pubDate></item>",
                  n) +
              "</channel></rss>";
     }},
    {"unclosed_items",
     [](std::size_t n) {
       return "<rss><channel></x>" + repeat("<item>", n) + "<item><title>last</title></item></channel></rss>";
     }},
    {"many_categories",
     [](std::size_t n) {
       std::string doc = "<rss><channel><item><title>t</title>";
       for (std::size_t i = 0; i < n; ++i)
         doc += "<category>c" + std::to_string((i * 7919) % (n / 2 + 1)) + "</category>";
       return doc + "</item></channel></rss>";
     }},
    {"namespace_declarations",
     [](std::size_t n) {
       return "<rss version=\"2.0\"" + declarations(n / 2) + "><channel><title>T</title>" +
              repeat("<item><title>i</title><p7:x/></item>", n / 2) + "</channel></rss>";
     }},
    {"recovery_namespace_declarations",
     [](std::size_t n) {
       return "<rss version=\"2.0\"" + declarations(n / 5) +
              " xmlns:c=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>T</title></x>" +
              repeat("<item><title>i</title><c:encoded>body</c:encoded></item>", n / 5) + "</channel></rss>";
     }},
};

// A plain RSS feed of about `bytes` bytes: the baseline each hostile shape is compared with.
std::string plain_feed(std::size_t bytes) {
  const std::string item =
      "<item><title>Bamako: ECOWAS summit &amp; more</title><link>https://news.example.org/1</link>"
      "<description>&lt;p&gt;The mission said on Monday that convoys reached the north.&lt;/p&gt;</description>"
      "</item>";
  return "<rss><channel><title>Plain</title>" + repeat(item, bytes / item.size() + 1) + "</channel></rss>";
}

int run_hostile() {
  constexpr std::size_t kN = 100000;
  for (const auto& shape : kShapes) {
    const std::string doc = shape.make(kN);
    const std::string quarter = shape.make(kN / 4);
    const double secs = time_parse(doc);
    const double plain = time_parse(plain_feed(doc.size()));
    const double small = time_parse(quarter);
    std::printf("hostile=%s bytes=%zu seconds=%.4f plain_seconds=%.4f ratio_to_plain=%.2f growth_4x=%.2f\n", shape.name,
                doc.size(), secs, plain, secs / plain, secs / small);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: bench_parse DIR [min_seconds] | bench_parse --hostile\n", stderr);
    return 2;
  }
  if (std::string_view(argv[1]) == "--hostile") return run_hostile();
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
