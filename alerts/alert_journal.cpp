#include "alerts/alert_journal.hpp"

namespace newswatch::alerts {

Result<AlertJournal> AlertJournal::open(SqliteDb& db) {
  // journal_meta keeps the highest seq so pruning every row never lets a seq be reused.
  auto r = db.exec(
      "CREATE TABLE IF NOT EXISTS schema_version (module TEXT PRIMARY KEY, version INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS journal ("
      "  seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, payload TEXT NOT NULL, created_at INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS journal_meta (id INTEGER PRIMARY KEY CHECK (id = 1), last_seq INTEGER NOT NULL);"
      "INSERT INTO journal_meta(id, last_seq) VALUES (1, 0) ON CONFLICT(id) DO NOTHING;"
      "INSERT INTO schema_version(module, version) VALUES ('alerts', 1) ON CONFLICT(module) DO NOTHING;");
  if (!r) return r.error();
  AlertJournal journal(db);
  auto last = db.prepare(
      "SELECT max((SELECT last_seq FROM journal_meta WHERE id = 1), "
      "coalesce((SELECT max(seq) FROM journal), 0))");
  if (!last) return last.error();
  if (auto row = last->step(); !row) return row.error();
  journal.last_seq_ = static_cast<std::uint64_t>(last->column_int(0));
  auto append = db.prepare("INSERT INTO journal(seq, topic, payload, created_at) VALUES (?1, ?2, ?3, ?4)");
  if (!append) return append.error();
  journal.append_ = std::move(*append);
  auto meta = db.prepare("UPDATE journal_meta SET last_seq = ?1 WHERE id = 1");
  if (!meta) return meta.error();
  journal.update_meta_ = std::move(*meta);
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
  last_seq_ = alert.seq;
  return Ok{};
}

Result<std::vector<Alert>> AlertJournal::read_after(std::uint64_t since, std::size_t limit,
                                                    const std::vector<std::string>& topic_prefixes) {
  auto st = db_->prepare("SELECT seq, topic, payload FROM journal WHERE seq > ?1 ORDER BY seq");
  if (!st) return st.error();
  st->bind(1, static_cast<std::int64_t>(since));
  std::vector<Alert> out;
  while (out.size() < limit) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    Alert a{static_cast<std::uint64_t>(st->column_int(0)), st->column_text(1), st->column_text(2)};
    if (!topic_prefixes.empty()) {
      bool wanted = false;
      for (const auto& p : topic_prefixes)
        wanted = wanted || a.topic.rfind(p, 0) == 0;
      if (!wanted) continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::uint64_t> AlertJournal::oldest_seq() {
  auto st = db_->prepare("SELECT coalesce(min(seq), 0) FROM journal");
  if (!st) return st.error();
  if (auto row = st->step(); !row) return row.error();
  return static_cast<std::uint64_t>(st->column_int(0));
}

Result<std::int64_t> AlertJournal::prune(std::int64_t cutoff_unix, std::int64_t max_count) {
  auto st = db_->prepare(
      "DELETE FROM journal WHERE created_at < ?1 OR seq <= (SELECT coalesce(max(seq), 0) FROM journal) - ?2");
  if (!st) return st.error();
  if (auto r = st->bind(1, cutoff_unix).bind(2, max_count).run(); !r) return r.error();
  return static_cast<std::int64_t>(sqlite3_changes(db_->handle()));
}

}  // namespace newswatch::alerts
