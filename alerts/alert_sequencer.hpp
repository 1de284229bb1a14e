#pragma once
// AlertSequencer: the ordering logic of a lossless subscriber (`newswatch tail --since`),
// pure, so it is tested without sockets. It merges two inputs, the live PUB stream and
// replay pages, into one output: every matching alert exactly once, in seq order, no gap.
//
// The invariant is `covered()`: every alert on our topics with seq <= covered() has been
// delivered. A live alert with seq covered()+1 extends it at once. A live alert further
// ahead might follow a gap (lost at a high-water mark, during a reconnect, or simply
// alerts on topics we do not follow): it waits in a buffer while a replay from covered()
// fills the range, and a replay reply moves covered() to its last_seq. A heartbeat naming
// a seq beyond covered() asks for a replay too, so a loss is noticed even when nothing
// else flows. Everything at or below covered() is a duplicate and dropped.

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "alerts/alert.hpp"

namespace newswatch::alerts {

class AlertSequencer {
 public:
  // Starts after `since` (covered() = since) and wants a replay at once.
  static AlertSequencer after(std::uint64_t since);
  // Live only: anchors on the first live alert or heartbeat, replays only to fill gaps.
  static AlertSequencer live();

  // Each returns the alerts to deliver now, in order.
  std::vector<Alert> on_live(Alert alert);
  std::vector<Alert> on_heartbeat(std::uint64_t newest_seq);
  // One successful replay reply: its pairs (seq order) and header.
  std::vector<Alert> on_replay(std::vector<Alert> page, std::uint64_t last_seq, bool more);
  // The horizon error: alerts after covered() up to oldest_seq-1 are gone (0: all of
  // them). Returns the first seq of the lost range; covered() jumps past it.
  std::uint64_t on_horizon(std::uint64_t oldest_seq);

  bool anchored() const { return covered_.has_value(); }
  std::uint64_t covered() const { return covered_.value_or(0); }
  // True when a replay request from covered() should be sent (when none is in flight).
  bool wants_replay() const { return anchored() && want_replay_; }
  std::size_t buffered() const { return buffer_.size(); }

 private:
  std::vector<Alert> flush();

  std::optional<std::uint64_t> covered_;
  std::map<std::uint64_t, Alert> buffer_;
  bool want_replay_ = false;
};

}  // namespace newswatch::alerts
