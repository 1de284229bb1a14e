#pragma once
// Retention: journal and seen-item pruning, off the hot path, in slices so a large backlog
// never holds the loop for long (a full slice continues at once, else the next run waits).

#include <chrono>
#include <functional>
#include <set>
#include <string>

#include "alerts/alert_journal.hpp"
#include "common/asio.hpp"
#include "daemon/config.hpp"
#include "daemon/story_stage.hpp"
#include "feeds/feed_store.hpp"

namespace newswatch::daemon {

class Retention {
 public:
  // `settings` is asked at every run, so a reload's new limits apply from the next one.
  Retention(asio::io_context& io, feeds::FeedStore& store, alerts::AlertJournal& journal, StoryStage& stories,
            std::function<const Config&()> settings);

  void start(std::chrono::milliseconds first_after);
  void stop();
  // Feeds gone from the config keep no listing, so their seen items age out by the plain age.
  void forget_feeds_except(const std::vector<FeedDef>& configured);
  // One slice of each kind; true when there is more to prune.
  bool prune_once();

 private:
  void schedule(std::chrono::milliseconds after);

  feeds::FeedStore& store_;
  alerts::AlertJournal& journal_;
  StoryStage& stories_;
  std::function<const Config&()> settings_;
  asio::steady_timer timer_;
};

}  // namespace newswatch::daemon
