#include "feeds/feed_dates.hpp"

#include <array>
#include <cstdio>
#include <string>

#include "common/text.hpp"

namespace newswatch::feeds {
namespace {

using namespace std::chrono;

std::optional<TimePoint> make_time(int y, int mo, int d, int h, int mi, int s, int offset_minutes) {
  if (y < 1 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 ||
      s > 60) {
    return std::nullopt;
  }
  if (h == 24 && (mi != 0 || s != 0)) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const TimePoint t = TimePoint{sys_days{ymd}} + hours{h} + minutes{mi} + seconds{s} - minutes{offset_minutes};
  // The range holds for the instant, not the local fields: 9999-12-31T23:30-01:00 is in year
  // 10000 and 0001-01-01T00:00+01:00 in year 0, which RFC 3339 output cannot write.
  const year y_utc = year_month_day{floor<days>(t)}.year();
  if (y_utc < year{1} || y_utc > year{9999}) return std::nullopt;
  return t;
}

int month_from_name(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names{"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
  // Lenient on purpose, as feed readers are: a word starting with an English abbreviation
  // names that month, so "Sept", "March" and the localized "Juni", "Mars" or "Janvier" that
  // real feeds put in RFC 822 dates all count. Nothing else in a date looks like one.
  if (m.size() < 3 || m.size() > 9) return 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (ascii_iequals(m.substr(0, 3), names[i])) return static_cast<int>(i) + 1;
  }
  return 0;
}

bool is_day_name(std::string_view w) {
  static constexpr std::array<std::string_view, 7> names{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  if (w.size() < 3) return false;
  for (auto n : names) {
    if (ascii_iequals(w.substr(0, 3), n)) return true;
  }
  return false;
}

// Named zones seen in feeds, in minutes east of UTC. US zones per RFC 822; the rest are the
// ones feeds commonly write.
std::optional<int> named_zone(std::string_view z) {
  struct Named {
    std::string_view name;
    int minutes;
  };
  static constexpr std::array<Named, 36> named{{
      {"ut", 0},     {"utc", 0},    {"gmt", 0},     {"z", 0},       {"wet", 0},    {"est", -300},
      {"edt", -240}, {"cst", -360}, {"cdt", -300},  {"mst", -420},  {"mdt", -360}, {"pst", -480},
      {"pdt", -420}, {"et", -300},  {"ct", -360},   {"mt", -420},   {"pt", -480},  {"ast", -240},
      {"adt", -180}, {"at", -240},  {"akst", -540}, {"akdt", -480}, {"hst", -600}, {"bst", 60},
      {"cet", 60},   {"cest", 120}, {"met", 60},    {"mest", 120},  {"west", 60},  {"eet", 120},
      {"eest", 180}, {"msk", 180},  {"ist", 330},   {"jst", 540},   {"aest", 600}, {"aedt", 660},
  }};
  for (const auto& n : named) {
    if (ascii_iequals(z, n.name)) return n.minutes;
  }
  if (z.size() == 1 && is_ascii_alpha(z[0])) {
    // RFC 822 military zones (with RFC 822's signs, as feeds that use them mean them).
    const char c = ascii_lower(z[0]);
    if (c == 'z') return 0;
    if (c >= 'a' && c <= 'i') return -(c - 'a' + 1) * 60;
    if (c >= 'k' && c <= 'm') return -(c - 'k' + 10) * 60;
    if (c >= 'n' && c <= 'y') return (c - 'n' + 1) * 60;
  }
  return std::nullopt;
}

// Reads up to max digits at s[pos]; returns digits read (0 if none).
int read_int(std::string_view s, std::size_t& pos, int max_digits, int& value) {
  int n = 0;
  value = 0;
  while (pos < s.size() && n < max_digits && is_ascii_digit(s[pos])) {
    value = value * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  return n;
}

// "+05:30", "-0800", "+05", "Z" at s[pos..]; the whole rest must be the zone (spaces allowed).
std::optional<int> numeric_or_named_zone(std::string_view z) {
  while (!z.empty() && z.front() == ' ')
    z.remove_prefix(1);
  while (!z.empty() && z.back() == ' ')
    z.remove_suffix(1);
  if (z.empty()) return 0;
  if (z.size() > 4 && ascii_iequals(z.substr(0, 4), "etc/")) z.remove_prefix(4);
  if (z.size() > 3 && (ascii_iequals(z.substr(0, 3), "gmt") || ascii_iequals(z.substr(0, 3), "utc")) &&
      (z[3] == '+' || z[3] == '-')) {
    z.remove_prefix(3);
  }
  if (z[0] == '+' || z[0] == '-') {
    std::size_t pos = 1;
    int hh = 0;
    int mm = 0;
    const int nh = read_int(z, pos, 2, hh);
    if (nh == 0) return std::nullopt;
    if (nh == 1) {
      // "+5" or "+530"-like oddities: accept a lone hour digit only at the end.
      if (pos != z.size()) return std::nullopt;
    } else {
      if (pos < z.size() && z[pos] == ':') ++pos;
      if (pos < z.size() && read_int(z, pos, 2, mm) != 2) return std::nullopt;
    }
    if (pos != z.size() || hh > 23 || mm > 59) return std::nullopt;
    const int total = hh * 60 + mm;
    return z[0] == '-' ? -total : total;
  }
  for (char c : z) {
    if (!is_ascii_alpha(c)) return std::nullopt;
  }
  // An unknown zone name is read as UTC, as liberal parsers do: the date is still useful.
  if (auto n = named_zone(z)) return n;
  return z.size() <= 5 ? std::optional<int>(0) : std::nullopt;
}

// RFC 3339, ISO 8601 (extended and basic) and W3C-DTF; missing zone means UTC.
std::optional<TimePoint> parse_iso(std::string_view s) {
  std::size_t pos = 0;
  int y = 0;
  int mo = 1;
  int d = 1;
  if (read_int(s, pos, 4, y) != 4) return std::nullopt;
  bool basic = false;
  if (pos < s.size() && s[pos] == '-') {
    ++pos;
    if (read_int(s, pos, 2, mo) != 2) return std::nullopt;
    if (pos < s.size() && s[pos] == '-') {
      ++pos;
      if (read_int(s, pos, 2, d) != 2) return std::nullopt;
    }
  } else if (pos + 4 <= s.size() && is_ascii_digit(s[pos])) {
    basic = true;
    if (read_int(s, pos, 2, mo) != 2 || read_int(s, pos, 2, d) != 2) return std::nullopt;
  }
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    const std::size_t t = pos++;
    while (pos < s.size() && s[pos] == ' ')
      ++pos;
    if (read_int(s, pos, 2, h) != 2) {
      if (s[t] != ' ') return std::nullopt;
      pos = t;  // "2012-12-02 " followed by nothing useful
    } else {
      const bool colon = pos < s.size() && s[pos] == ':';
      if (colon) ++pos;
      if ((colon || (basic && pos < s.size() && is_ascii_digit(s[pos]))) && read_int(s, pos, 2, mi) != 2)
        return std::nullopt;
      const bool colon2 = pos < s.size() && s[pos] == ':';
      if (colon2) ++pos;
      if ((colon2 || (!colon && pos < s.size() && is_ascii_digit(s[pos]))) && read_int(s, pos, 2, sec) != 2)
        return std::nullopt;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        while (pos < s.size() && is_ascii_digit(s[pos]))
          ++pos;
      }
    }
  }
  const auto off = numeric_or_named_zone(s.substr(pos));
  if (!off) return std::nullopt;
  return make_time(y, mo, d, h, mi, sec, *off);
}

// RFC 822 / 1123 / 2822 and their variants, plus asctime: a token-driven reading.
std::optional<TimePoint> parse_rfc822(std::string_view s) {
  int day = -1;
  int mon = 0;
  int yr = -1;
  int yr_digits = 0;
  int h = 0;
  int mi = 0;
  int sec = 0;
  bool have_time = false;
  std::optional<int> zone;
  std::array<std::pair<int, int>, 3> numbers{};  // value, digit count, in order
  std::size_t n_numbers = 0;

  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == ',' || c == '\t' || c == '.' || c == '/' || (c == '-' && !have_time)) {
      ++i;
      continue;
    }
    if (is_ascii_digit(c)) {
      std::size_t j = i;
      int v = 0;
      const int nd = read_int(s, j, 6, v);
      if (j < s.size() && s[j] == ':') {
        // A time: hh:mm[:ss]
        if (have_time || nd > 2) return std::nullopt;
        h = v;
        ++j;
        if (read_int(s, j, 2, mi) != 2) return std::nullopt;
        if (j < s.size() && s[j] == ':') {
          ++j;
          if (read_int(s, j, 2, sec) != 2) return std::nullopt;
        }
        if (j < s.size() && s[j] == '.') {  // fractional seconds
          ++j;
          while (j < s.size() && is_ascii_digit(s[j]))
            ++j;
        }
        have_time = true;
      } else {
        if (n_numbers >= numbers.size()) return std::nullopt;
        numbers[n_numbers++] = {v, nd};
      }
      i = j;
      continue;
    }
    if ((c == '+' || c == '-') && have_time) {
      std::size_t j = i + 1;
      while (j < s.size() && (is_ascii_digit(s[j]) || s[j] == ':'))
        ++j;
      zone = numeric_or_named_zone(s.substr(i, j - i));
      if (!zone) return std::nullopt;
      i = j;
      continue;
    }
    if (is_ascii_alpha(c)) {
      std::size_t j = i;
      while (j < s.size() && (is_ascii_alpha(s[j]) || s[j] == '/'))
        ++j;
      auto word = s.substr(i, j - i);
      // "2:30 p.m.": one word here, not the military zones P and M (12 hours apart).
      if (have_time && word.size() == 1 && (ascii_lower(word[0]) == 'a' || ascii_lower(word[0]) == 'p') &&
          j + 1 < s.size() && s[j] == '.' && ascii_lower(s[j + 1]) == 'm' &&
          (j + 2 == s.size() || !is_ascii_alpha(s[j + 2]))) {
        word = ascii_lower(word[0]) == 'a' ? "am" : "pm";
        j += 2;
      }
      if (const int m = month_from_name(word); m != 0 && mon == 0 && !have_time) {
        mon = m;
      } else if (is_day_name(word) && !have_time && mon == 0) {
        // weekday: ignored (it is often wrong anyway)
      } else if (ascii_iequals(word, "am") || ascii_iequals(word, "pm")) {
        if (!have_time || h > 12) return std::nullopt;
        if (ascii_iequals(word, "pm") && h < 12) h += 12;
        if (ascii_iequals(word, "am") && h == 12) h = 0;
      } else if (have_time && !zone) {
        // "GMT+05:00" style: the name and the offset after it
        std::size_t k = j;
        if ((ascii_iequals(word, "gmt") || ascii_iequals(word, "utc")) && k < s.size() &&
            (s[k] == '+' || s[k] == '-')) {
          ++k;
          while (k < s.size() && (is_ascii_digit(s[k]) || s[k] == ':'))
            ++k;
          zone = numeric_or_named_zone(s.substr(i, k - i));
          if (!zone) return std::nullopt;
          j = k;
        } else {
          zone = numeric_or_named_zone(word);
          if (!zone) return std::nullopt;
        }
      } else {
        return std::nullopt;
      }
      i = j;
      continue;
    }
    return std::nullopt;
  }
  if (mon == 0 || n_numbers < 2) return std::nullopt;
  // Day and year among the loose numbers: a number that cannot be a day is the year,
  // otherwise the RFC order (day before year).
  if (n_numbers != 2) return std::nullopt;
  auto [a, ad] = numbers[0];
  auto [b, bd] = numbers[1];
  if (ad > 2 || a > 31) {
    yr = a, yr_digits = ad, day = b;
  } else {
    day = a, yr = b, yr_digits = bd;
  }
  if (yr_digits <= 2)
    yr += yr < 90 ? 2000 : 1900;  // as feedparser: "89" is 2089, "95" is 1995
  else if (yr_digits == 3)
    yr += 1900;
  return make_time(yr, mon, day, h, mi, sec, zone.value_or(0));
}

}  // namespace

std::optional<TimePoint> parse_date(std::string_view text) {
  const auto s = trim_space(text);
  if (s.size() < 4 || s.size() > 100) return std::nullopt;
  if (s.size() >= 4 && is_ascii_digit(s[0]) && is_ascii_digit(s[1]) && is_ascii_digit(s[2]) && is_ascii_digit(s[3])) {
    if (auto t = parse_iso(s)) return t;
  }
  return parse_rfc822(s);
}

std::string format_rfc3339(TimePoint t) {
  const auto days = floor<std::chrono::days>(t);
  const year_month_day ymd{days};
  const hh_mm_ss hms{t - days};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace newswatch::feeds
