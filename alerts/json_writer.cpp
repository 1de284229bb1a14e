#include "alerts/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "common/utf8.hpp"

namespace newswatch::alerts {

void JsonWriter::string(std::string_view s) {
  out_.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b != '"' && b != '\\' && b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0x80) {
      char32_t cp = 0;
      const std::size_t len = utf8_decode(s, i, cp);
      if (len > 0) {
        i += len;
        continue;
      }
      out_.append(s.data() + run, i - run);
      out_.append("\xEF\xBF\xBD");
      i += utf8_maximal_subpart(s, i);
      run = i;
      continue;
    }
    out_.append(s.data() + run, i - run);
    switch (b) {
      case '"':
        out_.append("\\\"");
        break;
      case '\\':
        out_.append("\\\\");
        break;
      case '\b':
        out_.append("\\b");
        break;
      case '\f':
        out_.append("\\f");
        break;
      case '\n':
        out_.append("\\n");
        break;
      case '\r':
        out_.append("\\r");
        break;
      case '\t':
        out_.append("\\t");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 0xF]};
        out_.append(esc, 6);
      }
    }
    ++i;
    run = i;
  }
  out_.append(s.data() + run, s.size() - run);
  out_.push_back('"');
}

void JsonWriter::number(std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
}

void JsonWriter::number(std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
}

void JsonWriter::number(double v) {
  if (std::abs(v) < 1e15 && v == std::floor(v)) {
    number(static_cast<std::int64_t>(v));
    return;
  }
  out_.append(nlohmann::json(v).dump());  // rare (a fractional weight): nlohmann's own format
}

}  // namespace newswatch::alerts
