#include "alerts/alert_sequencer.hpp"

#include <algorithm>

namespace newswatch::alerts {

AlertSequencer AlertSequencer::after(std::uint64_t since) {
  AlertSequencer s;
  s.covered_ = since;
  s.want_replay_ = true;
  return s;
}

AlertSequencer AlertSequencer::live() { return AlertSequencer{}; }

std::vector<Alert> AlertSequencer::flush() {
  std::vector<Alert> out;
  // Buffered alerts at or below covered() came in a replay page already.
  while (!buffer_.empty() && buffer_.begin()->first <= *covered_)
    buffer_.erase(buffer_.begin());
  while (!buffer_.empty() && buffer_.begin()->first == *covered_ + 1) {
    covered_ = buffer_.begin()->first;
    out.push_back(std::move(buffer_.begin()->second));
    buffer_.erase(buffer_.begin());
  }
  if (!buffer_.empty()) want_replay_ = true;
  return out;
}

std::vector<Alert> AlertSequencer::on_live(Alert alert) {
  if (!covered_) covered_ = alert.seq == 0 ? 0 : alert.seq - 1;
  if (alert.seq <= *covered_) return {};
  const auto seq = alert.seq;
  buffer_.emplace(seq, std::move(alert));
  return flush();
}

std::vector<Alert> AlertSequencer::on_heartbeat(std::uint64_t newest_seq) {
  if (!covered_) {
    covered_ = newest_seq;
    return flush();
  }
  if (newest_seq > *covered_) want_replay_ = true;
  return {};
}

std::vector<Alert> AlertSequencer::on_replay(std::vector<Alert> page, std::uint64_t last_seq, bool more) {
  std::vector<Alert> out;
  if (!covered_) covered_ = 0;
  // A reply answers a request sent with since <= covered(): it holds every matching alert
  // in (covered(), last_seq], so delivering those above covered() leaves no gap. Buffered
  // live alerts in that range are normally in the page too; one that is not (pruned in
  // between) is still delivered, in its place, rather than dropped.
  for (auto& a : page) {
    if (a.seq <= *covered_ || a.seq > std::max(last_seq, *covered_)) continue;
    buffer_.insert_or_assign(a.seq, std::move(a));
  }
  const std::uint64_t upto = std::max(last_seq, *covered_);
  while (!buffer_.empty() && buffer_.begin()->first <= upto) {
    if (buffer_.begin()->first > *covered_) {
      covered_ = buffer_.begin()->first;
      out.push_back(std::move(buffer_.begin()->second));
    }
    buffer_.erase(buffer_.begin());
  }
  covered_ = upto;
  want_replay_ = more;
  auto rest = flush();
  out.insert(out.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return out;
}

std::uint64_t AlertSequencer::on_horizon(std::uint64_t oldest_seq) {
  const std::uint64_t first_lost = covered() + 1;
  // oldest 0: the journal is empty; a since=0 request then returns nothing and the
  // daemon's newest seq, which re-anchors us.
  covered_ = oldest_seq > 0 ? oldest_seq - 1 : 0;
  want_replay_ = true;
  return first_lost;
}

}  // namespace newswatch::alerts
