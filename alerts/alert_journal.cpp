#include "alerts/alert_journal.hpp"

#include <algorithm>

namespace newswatch::alerts {

Result<AlertJournal> AlertJournal::open(SqliteDb& db) {
  // journal_meta keeps the highest seq so pruning every row never lets a seq be reused.
  auto r = db.ensure_module_schema(
      "alerts", 1,
      "CREATE TABLE IF NOT EXISTS journal ("
      "  seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS journal_meta (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL);"
      "INSERT INTO journal_meta(id, last_seq) VALUES (1, 0) ON CONFLICT(id) DO NOTHING;");
  if (!r) return r.error();
  AlertJournal journal(db);
  auto last = db.prepare(
      "SELECT max((SELECT last_seq FROM journal_meta WHERE id = 1), "
      "coalesce((SELECT max(seq) FROM journal), 0))");
  if (!last) return last.error();
  if (auto row = last->step(); !row) return row.error();
  journal.assigned_seq_ = journal.committed_seq_ = static_cast<std::uint64_t>(last->column_int(0));
  if (auto prepared = db.prepare_each({
          {&journal.append_, "INSERT INTO journal(seq, topic, payload, created_at) VALUES (?1, ?2, ?3, ?4)"},
          {&journal.update_meta_, "UPDATE journal_meta SET last_seq = ?1 WHERE id = 1"},
      });
      !prepared) {
    return prepared.error();
  }
  return journal;
}

Result<Ok> AlertJournal::append(const Alert& alert, std::int64_t unix_time) {
  if (alert.seq != next_seq()) return make_error("journal: out-of-order seq " + std::to_string(alert.seq));
  if (auto r = append_.bind(1, static_cast<std::int64_t>(alert.seq))
                   .bind(2, alert.topic)
                   .bind(3, alert.payload)
                   .bind(4, unix_time)
                   .run();
      !r) {
    return r;
  }
  if (auto r = update_meta_.bind(1, static_cast<std::int64_t>(alert.seq)).run(); !r) return r;
  assigned_seq_ = alert.seq;
  return Ok{};
}

Result<ReplayPage> AlertJournal::scan_after(std::uint64_t since, std::size_t limit,
                                            const std::vector<std::string>& topic_prefixes, std::size_t max_scan) {
  // Bounded by what is committed: the daemon's own connection sees its open transaction.
  return scan(since, committed_seq_, limit, topic_prefixes, max_scan);
}

Result<ReplayPage> AlertJournal::scan_written_after(std::uint64_t since, std::size_t limit,
                                                    const std::vector<std::string>& topic_prefixes) {
  return scan(since, assigned_seq_, limit, topic_prefixes, kMaxReplayScan);
}

Result<ReplayPage> AlertJournal::scan(std::uint64_t since, std::uint64_t upto, std::size_t limit,
                                      const std::vector<std::string>& topic_prefixes, std::size_t max_scan) {
  // A local statement: it is finalized (ending the read transaction) before we return, so
  // a replay never keeps the WAL from being checkpointed.
  auto st = db_->prepare("SELECT seq, topic, payload FROM journal WHERE seq > ?1 AND seq <= ?2 ORDER BY seq");
  if (!st) return st.error();
  st->bind(1, static_cast<std::int64_t>(since)).bind(2, static_cast<std::int64_t>(upto));
  ReplayPage page;
  std::size_t scanned = 0;
  std::size_t bytes = 0;
  page.exhausted = false;
  while (page.alerts.size() < limit && scanned < max_scan && bytes < kMaxReplayBytes) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) {
      page.exhausted = true;
      break;
    }
    ++scanned;
    const auto seq = static_cast<std::uint64_t>(st->column_int(0));
    page.last_examined = seq;
    std::string topic = st->column_text(1);
    const bool wanted =
        topic_prefixes.empty() || std::any_of(topic_prefixes.begin(), topic_prefixes.end(),
                                              [&](const std::string& p) { return topic.rfind(p, 0) == 0; });
    if (wanted) {
      page.alerts.push_back(Alert{seq, std::move(topic), st->column_text(2)});
      bytes += page.alerts.back().payload.size() + page.alerts.back().topic.size();
    }
  }
  return page;
}

Result<std::uint64_t> AlertJournal::first_kept() {
  auto oldest = oldest_seq();
  if (!oldest) return oldest;
  return *oldest == 0 || *oldest > committed_seq_ ? committed_seq_ + 1 : *oldest;
}

Result<std::uint64_t> AlertJournal::oldest_seq() {
  auto st = db_->prepare("SELECT coalesce(min(seq), 0) FROM journal");
  if (!st) return st.error();
  if (auto row = st->step(); !row) return row.error();
  return static_cast<std::uint64_t>(st->column_int(0));
}

Result<std::int64_t> AlertJournal::prune(std::int64_t cutoff_unix, std::int64_t max_count, std::int64_t batch) {
  // Only ever a prefix of the journal goes, oldest first: replay relies on "everything
  // from first_kept() on is still there", even if the clock once went backwards and a
  // later alert carries an older time. The age bound is the first row young enough to
  // keep (found by a seq-ordered scan that stops there, so it costs what it deletes).
  auto st = db_->prepare(
      "DELETE FROM journal WHERE seq <= min("
      "  max(coalesce((SELECT seq FROM journal WHERE created_at >= ?1 ORDER BY seq LIMIT 1) - 1,"
      "               (SELECT coalesce(max(seq), 0) FROM journal)),"
      "      (SELECT coalesce(max(seq), 0) FROM journal) - ?2),"
      "  (SELECT coalesce(min(seq), 0) FROM journal) + ?3 - 1)");
  if (!st) return st.error();
  constexpr std::int64_t kAll = std::int64_t{1} << 62;
  if (auto r = st->bind(1, cutoff_unix).bind(2, max_count).bind(3, batch < 0 ? kAll : batch).run(); !r)
    return r.error();
  return static_cast<std::int64_t>(sqlite3_changes(db_->handle()));
}

}  // namespace newswatch::alerts
