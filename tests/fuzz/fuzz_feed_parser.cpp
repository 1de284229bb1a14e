// libFuzzer target for the feed parser and its pure helpers: any bytes, any charset
// label, any base URL must come back as a value or an error, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "feeds/feed_dates.hpp"
#include "feeds/feed_json.hpp"
#include "feeds/feed_parser.hpp"
#include "feeds/html_entities.hpp"
#include "feeds/url_resolve.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first byte picks a Content-Type so charset precedence gets exercised too.
  static constexpr const char* kTypes[] = {"", "application/rss+xml; charset=utf-8", "text/xml; charset=windows-1251",
                                           "text/html; charset=iso-8859-1", "application/atom+xml; charset=utf-16"};
  newswatch::feeds::ParseOptions options;
  options.base_url = "https://fuzz.example.org/dir/feed.xml";
  if (size > 0) options.content_type = kTypes[data[0] % (sizeof kTypes / sizeof kTypes[0])];
  options.keep_cut_item = size > 0 && (data[0] & 0x80) != 0;  // as `newswatch parse` reads
  auto result = newswatch::feeds::parse_feed(input, options);
  if (result) {
    for (const auto& item : result->items) {
      const std::string line = newswatch::feeds::item_to_json(item);
      if (line.empty()) __builtin_trap();
    }
  }
  // The helpers on raw slices of the same input.
  const auto head = input.substr(0, 128);
  (void)newswatch::feeds::parse_date(head);
  (void)newswatch::feeds::decode_entities(input.substr(0, 4096));
  (void)newswatch::feeds::html_to_text(input.substr(0, 4096));
  (void)newswatch::feeds::resolve_url(options.base_url, head);
  return 0;
}
