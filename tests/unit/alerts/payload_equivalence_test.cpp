// The one-pass payload encoder writes exactly the bytes the nlohmann::json tree wrote before
// it (subscribers may compare payloads byte for byte, and the journal holds both kinds): a
// differential test on random items full of quotes, controls, non-ASCII and broken UTF-8.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "alerts/alert.hpp"
#include "alerts/json_writer.hpp"

namespace newswatch::alerts {
namespace {

// The encoder as it was (a tree, then dump with invalid UTF-8 replaced): the reference.
nlohmann::json number(double v) {
  if (std::abs(v) < 1e15 && v == std::floor(v)) return nlohmann::json(static_cast<std::int64_t>(v));
  return nlohmann::json(v);
}
nlohmann::json optional_time(const std::optional<feeds::TimePoint>& t) {
  return t ? nlohmann::json(feeds::format_rfc3339(*t)) : nlohmann::json(nullptr);
}
std::string reference_payload(std::uint64_t seq, std::string_view filter_id, std::string_view topic,
                              std::string_view feed_id, feeds::TimePoint detected_at, const feeds::Item& item,
                              const filters::FilterMatch& match, const std::vector<std::string>& entities) {
  nlohmann::json matches = nlohmann::json::array();
  for (const auto& m : match.matches) {
    matches.push_back({{"term", m.term},
                       {"entity", m.entity ? nlohmann::json(*m.entity) : nlohmann::json(nullptr)},
                       {"field", m.field},
                       {"offset", m.offset},
                       {"length", m.length}});
    if (match.score) matches.back()["weight"] = m.weight ? number(*m.weight) : nlohmann::json(nullptr);
  }
  nlohmann::json payload = {
      {"seq", seq},
      {"filter", filter_id},
      {"topic", topic},
      {"feed", feed_id},
      {"detected_at", feeds::format_rfc3339(detected_at)},
      {"item",
       {{"id", item.id},
        {"title", item.title},
        {"link", item.link},
        {"published", optional_time(item.published)},
        {"updated", optional_time(item.updated)},
        {"author", item.author},
        {"summary", item.summary},
        {"content", item.content},
        {"categories", item.categories},
        {"language", item.language.empty() ? std::string("und") : item.language}}},
      {"matches", std::move(matches)},
      {"entities", entities},
  };
  if (match.score) payload["score"] = number(*match.score);
  return payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string random_text(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {"Mali",
                                                  " ",
                                                  "\"",
                                                  "\\",
                                                  "\n",
                                                  "\t",
                                                  "\r",
                                                  "\b",
                                                  "\f",
                                                  std::string(1, '\0'),
                                                  "\x01",
                                                  "\x1f",
                                                  "\x7f",
                                                  "é",
                                                  "ß",
                                                  "€",
                                                  "😀",
                                                  "مالي",
                                                  "<b>x</b>",
                                                  "&amp;",
                                                  "\xC3",
                                                  "\x80",
                                                  "\xE2\x82",
                                                  "\xED\xA0\x80",
                                                  "\xF4\x90\x80\x80",
                                                  "\xC0\xAF",
                                                  "\xF0\x9F\x98",
                                                  "\xFF",
                                                  "/",
                                                  "'"};
  std::string s;
  const int n = static_cast<int>(rng() % 12);
  for (int i = 0; i < n; ++i)
    s += pieces[rng() % pieces.size()];
  return s;
}

TEST(PayloadEquivalence, RandomItemsGiveTheSameBytesAsTheTreeEncoder) {
  std::mt19937 rng(20121220);
  for (int round = 0; round < 3000; ++round) {
    feeds::Item item;
    item.id = random_text(rng);
    item.title = random_text(rng);
    item.link = random_text(rng);
    item.author = random_text(rng);
    item.summary = random_text(rng);
    item.content = random_text(rng);
    item.language = rng() % 3 == 0 ? "" : random_text(rng);
    if (rng() % 2) item.published = feeds::TimePoint{std::chrono::seconds(rng() % 2000000000)};
    if (rng() % 2) item.updated = feeds::TimePoint{std::chrono::seconds(rng() % 2000000000)};
    for (unsigned k = rng() % 3; k > 0; --k)
      item.categories.push_back(random_text(rng));
    filters::FilterMatch fm;
    const bool ranked = rng() % 2 == 0;
    if (ranked) fm.score = (rng() % 4 == 0) ? 2.5 : static_cast<double>(static_cast<int>(rng() % 20) - 10);
    for (unsigned k = rng() % 4; k > 0; --k) {
      filters::TermMatch m;
      m.term = random_text(rng);
      if (rng() % 2) m.entity = random_text(rng);
      m.field = "summary";
      m.offset = rng() % 100000;
      m.length = rng() % 100;
      if (ranked && rng() % 3) m.weight = (rng() % 5 == 0) ? -0.25 : static_cast<double>(rng() % 7);
      fm.matches.push_back(std::move(m));
    }
    std::vector<std::string> entities;
    for (unsigned k = rng() % 3; k > 0; --k)
      entities.push_back(random_text(rng));
    const auto seq = static_cast<std::uint64_t>(rng()) << 20;
    const feeds::TimePoint at{std::chrono::seconds(1356026400 + round)};
    const auto filter = random_text(rng);
    const auto topic = "alert." + random_text(rng);
    const auto feed = random_text(rng);
    ASSERT_EQ(encode_alert_payload(seq, filter, topic, feed, at, item, fm, entities),
              reference_payload(seq, filter, topic, feed, at, item, fm, entities))
        << "round " << round;
  }
}

}  // namespace
}  // namespace newswatch::alerts
