// collapse_verdict for every mode and case, and the ledger that remembers alerts per filter.

#include "stories/collapse.hpp"

#include <gtest/gtest.h>

namespace newswatch::stories {
namespace {

using filters::Collapse;

StoryAssignment original() {
  StoryAssignment a;
  a.story_id = "00000000000000aa";
  return a;
}

StoryAssignment copy() {
  StoryAssignment a = original();
  a.copy_of = "orig";
  a.copy_feed = "wire";
  a.new_story = false;
  return a;
}

TEST(CollapseVerdict, Table) {
  struct Row {
    Collapse mode;
    bool is_copy;
    bool story_alerted;
    bool copy_alerted;
    CollapseVerdict want;
  };
  const Row rows[] = {
      {Collapse::none, true, true, true, CollapseVerdict::alert},
      {Collapse::none, false, true, false, CollapseVerdict::alert},
      {Collapse::copies, false, false, false, CollapseVerdict::alert},
      {Collapse::copies, false, true, false, CollapseVerdict::alert},  // same story, not a copy
      {Collapse::copies, true, true, false, CollapseVerdict::alert},   // a copy of something not alerted
      {Collapse::copies, true, true, true, CollapseVerdict::update},
      {Collapse::stories, false, false, false, CollapseVerdict::alert},
      {Collapse::stories, false, true, false, CollapseVerdict::update},
      {Collapse::stories, true, true, true, CollapseVerdict::update},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(collapse_verdict(r.mode, r.is_copy ? copy() : original(), r.story_alerted, r.copy_alerted), r.want)
        << static_cast<int>(r.mode) << r.is_copy << r.story_alerted << r.copy_alerted;
  }
}

TEST(CollapseLedger, RemembersPerFilterWithinTheWindow) {
  const TimePoint t0 = std::chrono::sys_days{std::chrono::year{2013} / 1 / 11};
  CollapseLedger ledger(std::chrono::hours(72));
  EXPECT_EQ(ledger.decide("sahel", Collapse::copies, original(), "wire", "orig", t0), CollapseVerdict::alert);
  EXPECT_EQ(ledger.decide("sahel", Collapse::copies, copy(), "outlet", "c1", t0), CollapseVerdict::update);
  // Another filter has not alerted yet.
  EXPECT_EQ(ledger.decide("coups", Collapse::copies, copy(), "outlet", "c1", t0), CollapseVerdict::alert);
  EXPECT_EQ(ledger.decide("coups", Collapse::copies, copy(), "outlet", "c2", t0), CollapseVerdict::update);
  // stories: a later non-copy item of the story is an update.
  EXPECT_EQ(ledger.decide("sahel", Collapse::stories, original(), "other", "x", t0), CollapseVerdict::update);
  // After the window, forgotten.
  EXPECT_EQ(ledger.decide("sahel", Collapse::copies, copy(), "outlet", "c3", t0 + std::chrono::hours(73)),
            CollapseVerdict::alert);
  ledger.remember("x", "s:1", t0);
  EXPECT_EQ(ledger.verdict(
                "x", Collapse::stories,
                [] {
                  StoryAssignment a;
                  a.story_id = "1";
                  return a;
                }(),
                "f", "i"),
            CollapseVerdict::update);
  const auto before = ledger.size();
  EXPECT_EQ(ledger.verdict("fresh", Collapse::copies, copy(), "outlet", "c9"), CollapseVerdict::alert);
  EXPECT_EQ(ledger.size(), before);  // verdict remembers nothing
  ledger.clear();
  EXPECT_EQ(ledger.size(), 0U);
  EXPECT_EQ(copy_key(copy(), "outlet", "c1"), "wire\norig");
  EXPECT_EQ(copy_key(original(), "wire", "orig"), "wire\norig");
}

}  // namespace
}  // namespace newswatch::stories
