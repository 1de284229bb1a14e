#include "bursts/burst_store.hpp"

namespace newswatch::bursts {

Result<BurstStore> BurstStore::open(SqliteDb& db) {
  // burst_checkpoint came with version 1 too: created if missing, it needs no migration.
  auto r = db.ensure_module_schema("bursts", 1,
                                   "CREATE TABLE IF NOT EXISTS burst_series ("
                                   "  filter TEXT NOT NULL, entity TEXT NOT NULL, state TEXT NOT NULL,"
                                   "  updated_at INTEGER NOT NULL, PRIMARY KEY (filter, entity));"
                                   "CREATE TABLE IF NOT EXISTS burst_checkpoint ("
                                   "  id INTEGER PRIMARY KEY CHECK (id = 1), through_seq INTEGER NOT NULL);");
  if (!r) return r.error();
  BurstStore store(db);
  if (auto prepared = db.prepare_each({
          {&store.upsert_,
           "INSERT INTO burst_series(filter, entity, state, updated_at) VALUES (?1, ?2, ?3, ?4) "
           "ON CONFLICT(filter, entity) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"},
          {&store.remove_one_, "DELETE FROM burst_series WHERE filter = ?1 AND entity = ?2"},
          {&store.remove_filter_, "DELETE FROM burst_series WHERE filter = ?1"},
          {&store.checkpoint_,
           "INSERT INTO burst_checkpoint(id, through_seq) VALUES (1, ?1) "
           "ON CONFLICT(id) DO UPDATE SET through_seq = excluded.through_seq"},
      });
      !prepared) {
    return prepared.error();
  }
  return store;
}

Result<std::vector<SeriesState>> BurstStore::load() {
  auto st = db_->prepare("SELECT filter, entity, state FROM burst_series ORDER BY filter, entity");
  if (!st) return st.error();
  std::vector<SeriesState> out;
  const auto rows = st->each_row([&] {
    out.push_back(SeriesState{st->column_text(0), st->column_text(1), st->column_text(2)});
  });
  if (!rows) return rows.error();
  return out;
}

Result<std::uint64_t> BurstStore::checkpoint_seq() {
  auto st = db_->prepare("SELECT through_seq FROM burst_checkpoint WHERE id = 1");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  return *row ? static_cast<std::uint64_t>(st->column_int(0)) : std::uint64_t{0};
}

Result<Ok> BurstStore::save(const SeriesChanges& changes, std::int64_t unix_time, std::uint64_t through_seq) {
  for (const auto& [filter, entity] : changes.removed) {
    auto r = entity.empty() ? remove_filter_.bind(1, filter).run() : remove_one_.bind(1, filter).bind(2, entity).run();
    if (!r) return r;
  }
  for (const auto& s : changes.updated) {
    if (auto r = upsert_.bind(1, s.filter).bind(2, s.entity).bind(3, s.state).bind(4, unix_time).run(); !r) return r;
  }
  if (through_seq > 0) {
    if (auto r = checkpoint_.bind(1, static_cast<std::int64_t>(through_seq)).run(); !r) return r;
  }
  return Ok{};
}

}  // namespace newswatch::bursts
