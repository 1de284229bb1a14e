#include "stories/collapse.hpp"

namespace newswatch::stories {

CollapseVerdict collapse_verdict(filters::Collapse mode, const StoryAssignment& assignment, bool story_alerted,
                                 bool copy_alerted) {
  switch (mode) {
    case filters::Collapse::none:
      return CollapseVerdict::alert;
    case filters::Collapse::copies:
      return assignment.copy_of && copy_alerted ? CollapseVerdict::update : CollapseVerdict::alert;
    case filters::Collapse::stories:
      return story_alerted ? CollapseVerdict::update : CollapseVerdict::alert;
  }
  return CollapseVerdict::alert;
}

std::string copy_key(const StoryAssignment& a, std::string_view feed_id, std::string_view item_id) {
  std::string key = a.copy_of ? a.copy_feed.value_or(std::string()) : std::string(feed_id);
  key += '\n';
  key += a.copy_of ? std::string_view(*a.copy_of) : item_id;
  return key;
}

std::string CollapseLedger::story_key(const StoryAssignment& a) { return "s:" + a.story_id; }

std::string CollapseLedger::family_key(const StoryAssignment& a, std::string_view feed_id, std::string_view item_id) {
  return "c:" + copy_key(a, feed_id, item_id);
}

bool CollapseLedger::has(std::string_view filter_id, std::string_view key) const {
  std::string k(filter_id);
  k += '\x1f';
  k += key;
  return keys_.count(k) != 0;
}

void CollapseLedger::remember(std::string_view filter_id, std::string_view key, TimePoint at) {
  std::string k(filter_id);
  k += '\x1f';
  k += key;
  if (keys_.insert(k).second) order_.emplace_back(at, std::move(k));
}

void CollapseLedger::expire(TimePoint now) {
  while (!order_.empty() && order_.front().first < now - window_) {
    keys_.erase(order_.front().second);
    order_.pop_front();
  }
}

void CollapseLedger::clear() {
  keys_.clear();
  order_.clear();
}

CollapseVerdict CollapseLedger::verdict(std::string_view filter_id, filters::Collapse mode,
                                        const StoryAssignment& assignment, std::string_view feed_id,
                                        std::string_view item_id) const {
  return collapse_verdict(mode, assignment, has(filter_id, story_key(assignment)),
                          has(filter_id, family_key(assignment, feed_id, item_id)));
}

CollapseVerdict CollapseLedger::decide(std::string_view filter_id, filters::Collapse mode,
                                       const StoryAssignment& assignment, std::string_view feed_id,
                                       std::string_view item_id, TimePoint now) {
  expire(now);
  const std::string story = story_key(assignment);
  const std::string family = family_key(assignment, feed_id, item_id);
  const CollapseVerdict v = collapse_verdict(mode, assignment, has(filter_id, story), has(filter_id, family));
  if (v == CollapseVerdict::alert) {
    remember(filter_id, story, now);
    remember(filter_id, family, now);
  }
  return v;
}

}  // namespace newswatch::stories
