#pragma once
// The payload the publishing benchmarks send: about the size of a real alert (item text
// plus matches), numbered so that every message differs.

#include <cstdint>
#include <string>

namespace newswatch::bench {

inline std::string alert_payload(std::uint64_t seq) {
  std::string p = "{\"seq\":" + std::to_string(seq) +
                  ",\"filter\":\"sahel\",\"topic\":\"alert.sahel\",\"feed\":\"un-news-africa\","
                  "\"detected_at\":\"2012-12-20T18:05:00Z\",\"item\":{\"id\":\"urn:bench:" +
                  std::to_string(seq) + "\",\"title\":\"Security Council authorises AFISMA\",\"summary\":\"";
  p.append(900, 'x');
  p += "\"},\"matches\":[{\"term\":\"AFISMA\",\"entity\":null,\"field\":\"title\",\"offset\":29,\"length\":6}]}";
  return p;
}

}  // namespace newswatch::bench
