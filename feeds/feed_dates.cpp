#include "feeds/feed_dates.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <string>

namespace newswatch::feeds {
namespace {

using namespace std::chrono;

std::optional<TimePoint> make_time(int y, int mo, int d, int h, int mi, int s, int offset_minutes) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) {
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return TimePoint{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} - minutes{offset_minutes};
}

int month_from_name(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names{"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
  if (m.size() < 3) return 0;
  std::string lower;
  for (std::size_t i = 0; i < 3; ++i)
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(m[i])));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == lower) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::optional<int> zone_offset_minutes(std::string_view z) {
  if (z.empty() || z == "Z" || z == "GMT" || z == "UT" || z == "UTC") return 0;
  if ((z[0] == '+' || z[0] == '-') && z.size() >= 5) {
    const int hh = (z[1] - '0') * 10 + (z[2] - '0');
    const std::size_t mpos = z[3] == ':' ? 4 : 3;
    const int mm = (z[mpos] - '0') * 10 + (z[mpos + 1] - '0');
    const int total = hh * 60 + mm;
    return z[0] == '-' ? -total : total;
  }
  struct Named {
    std::string_view name;
    int hours;
  };
  static constexpr std::array<Named, 8> named{
      {{"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}}};
  for (const auto& n : named) {
    if (n.name == z) return n.hours * 60;
  }
  return std::nullopt;
}

std::optional<TimePoint> parse_rfc3339(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return std::nullopt;
  std::size_t pos = static_cast<std::size_t>(n);
  if (pos == s.size()) return make_time(y, mo, d, 0, 0, 0, 0);
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
  ++pos;
  if (std::sscanf(s.c_str() + pos, "%2d:%2d%n", &h, &mi, &n) != 2) return std::nullopt;
  pos += static_cast<std::size_t>(n);
  if (pos < s.size() && s[pos] == ':') {
    if (std::sscanf(s.c_str() + pos, ":%2d%n", &sec, &n) != 1) return std::nullopt;
    pos += static_cast<std::size_t>(n);
  }
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) != 0)
      ++pos;
  }
  auto off = zone_offset_minutes(std::string_view(s).substr(pos));
  if (!off) return std::nullopt;
  return make_time(y, mo, d, h, mi, sec, *off);
}

std::optional<TimePoint> parse_rfc822(const std::string& s) {
  std::string rest = s;
  if (auto comma = rest.find(','); comma != std::string::npos) rest = rest.substr(comma + 1);
  int d = 0, y = 0, h = 0, mi = 0, sec = 0;
  char mon[16] = {};
  char zone[16] = {};
  const int got = std::sscanf(rest.c_str(), " %d %15s %d %d:%d:%d %15s", &d, mon, &y, &h, &mi, &sec, zone);
  if (got < 5) return std::nullopt;
  if (got == 5) {
    // no seconds: "… 18:00 GMT"
    std::sscanf(rest.c_str(), " %*d %*15s %*d %*d:%*d %15s", zone);
  }
  if (y < 100) y += y < 50 ? 2000 : 1900;
  const int mo = month_from_name(mon);
  auto off = zone_offset_minutes(zone);
  if (mo == 0 || !off) return std::nullopt;
  return make_time(y, mo, d, h, mi, sec, *off);
}

}  // namespace

std::optional<TimePoint> parse_date(std::string_view text) {
  std::string s(text);
  if (s.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(s[0])) != 0 && s.size() >= 10 && s[4] == '-') return parse_rfc3339(s);
  return parse_rfc822(s);
}

std::string format_rfc3339(TimePoint t) {
  const auto days = floor<std::chrono::days>(t);
  const year_month_day ymd{days};
  const hh_mm_ss hms{t - days};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace newswatch::feeds
