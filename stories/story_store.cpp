#include "stories/story_store.hpp"

#include "stories/collapse.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace newswatch::stories {
namespace {

constexpr int kSchemaVersion = 1;
// Enough text to rebuild an item's features (the engine reads at most kMaxWords words).
constexpr std::size_t kMaxStoredTitle = 2048;
constexpr std::size_t kMaxStoredSummary = 8192;

// At most `limit` bytes, cut at a UTF-8 character boundary.
std::string_view clip(std::string_view s, std::size_t limit) {
  if (s.size() <= limit) return s;
  std::size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;
  return s.substr(0, n);
}

std::int64_t unix_of(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint time_of(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

std::string join_lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += '\n';
    out += s;
  }
  return out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b < s.size()) {
    const std::size_t e = std::min(s.find('\n', b), s.size());
    out.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

// Columns `first`.. of a row: first_seen, last_seen, first_feed, first_item, language, size
// (the caller knows the id and reads the feeds apart).
StoryRecord story_of_row(const SqliteStatement& st, int first) {
  StoryRecord r;
  r.first_seen = time_of(st.column_int(first));
  r.last_seen = time_of(st.column_int(first + 1));
  r.first_feed = st.column_text(first + 2);
  r.first_item = st.column_text(first + 3);
  r.language = st.column_text(first + 4);
  r.size = static_cast<std::size_t>(st.column_int(first + 5));
  return r;
}

// Columns 0..8 of a row: item, story, copy_of, copy_feed, arrival, title, summary, language,
// entities (the caller knows the feed).
RecordedItem item_of_row(const SqliteStatement& st) {
  RecordedItem r;
  r.item.item_id = st.column_text(0);
  r.story_id = st.column_text(1);
  if (!st.column_is_null(2)) r.copy_of = st.column_text(2);
  if (!st.column_is_null(3)) r.copy_feed = st.column_text(3);
  r.item.arrival = time_of(st.column_int(4));
  r.item.title = st.column_text(5);
  r.item.summary = st.column_text(6);
  r.item.language = st.column_text(7);
  r.item.entities = split_lines(st.column_text(8));
  return r;
}

// Each row of `sql`, its ?1 bound to `since` (a unix time), read by on_row(statement).
template <class F>
Result<Ok> rows_since(SqliteDb& db, std::string_view sql, std::int64_t since, F&& on_row) {
  auto st = db.prepare(sql);
  if (!st) return st.error();
  st->bind(1, since);
  return st->each_row([&] { on_row(*st); });
}

}  // namespace

Result<StoryStore> StoryStore::open(SqliteDb& db) {
  auto r = db.ensure_module_schema(
      "stories", kSchemaVersion,
      "CREATE TABLE IF NOT EXISTS stories ("
      "  id TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
      "  first_feed TEXT NOT NULL, first_item TEXT NOT NULL, language TEXT NOT NULL DEFAULT '',"
      "  size INTEGER NOT NULL) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS stories_age ON stories(last_seen);"
      "CREATE TABLE IF NOT EXISTS story_feeds ("
      "  story TEXT NOT NULL, feed TEXT NOT NULL, PRIMARY KEY (story, feed)) WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS story_items ("
      "  seq INTEGER PRIMARY KEY AUTOINCREMENT, feed TEXT NOT NULL, item TEXT NOT NULL, story TEXT NOT NULL,"
      "  copy_of TEXT, copy_feed TEXT, arrival INTEGER NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL,"
      "  language TEXT NOT NULL, entities TEXT NOT NULL, UNIQUE (feed, item));"
      "CREATE INDEX IF NOT EXISTS story_items_age ON story_items(arrival);"
      "CREATE TABLE IF NOT EXISTS story_alerted ("
      "  filter TEXT NOT NULL, key TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (filter, key)) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS story_alerted_age ON story_alerted(at);");
  if (!r) return r.error();
  StoryStore store(db);
  if (auto prepared = db.prepare_each({
          {&store.insert_item_,
           "INSERT OR IGNORE INTO story_items(feed, item, story, copy_of, copy_feed, arrival, title, summary, language,"
           " entities) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
          {&store.upsert_story_,
           "INSERT INTO stories(id, first_seen, last_seen, first_feed, first_item, language, size)"
           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO UPDATE SET"
           " last_seen = max(last_seen, excluded.last_seen), size = max(size, excluded.size),"
           " language = CASE WHEN language = '' THEN excluded.language ELSE language END"},
          {&store.insert_feed_, "INSERT OR IGNORE INTO story_feeds(story, feed) VALUES (?1, ?2)"},
          {&store.upsert_alert_,
           "INSERT INTO story_alerted(filter, key, at) VALUES (?1, ?2, ?3)"
           " ON CONFLICT(filter, key) DO UPDATE SET at = max(at, excluded.at)"},
      });
      !prepared) {
    return prepared.error();
  }
  return store;
}

Result<Ok> StoryStore::insert_item(const StoryItem& item, std::string_view story_id,
                                   const std::optional<std::string>& copy_of,
                                   const std::optional<std::string>& copy_feed) {
  auto& ins = insert_item_;
  ins.bind(1, item.feed_id).bind(2, item.item_id).bind(3, story_id);
  if (copy_of) {
    ins.bind(4, *copy_of).bind(5, copy_feed.value_or(std::string()));
  } else {
    ins.bind_null(4).bind_null(5);
  }
  ins.bind(6, unix_of(item.arrival))
      .bind(7, clip(item.title, kMaxStoredTitle))
      .bind(8, clip(item.summary, kMaxStoredSummary))
      .bind(9, item.language == "und" ? std::string_view("") : std::string_view(item.language))
      .bind(10, join_lines(item.entities));
  return ins.run();
}

Result<Ok> StoryStore::record(const StoryItem& item, const StoryAssignment& a) {
  if (auto r = insert_item(item, a.story_id, a.copy_of, a.copy_feed); !r) return r.error();

  const bool known = !item.language.empty() && item.language != "und";
  upsert_story_.bind(1, a.story_id)
      .bind(2, unix_of(a.first_seen))
      .bind(3, unix_of(item.arrival))
      .bind(4, a.first_feed)
      .bind(5, a.new_story ? std::string_view(item.item_id) : std::string_view(""))
      .bind(6, known ? std::string_view(item.language) : std::string_view(""))
      .bind(7, static_cast<std::int64_t>(a.size));
  if (auto r = upsert_story_.run(); !r) return r.error();
  insert_feed_.bind(1, a.story_id).bind(2, item.feed_id);
  return insert_feed_.run();
}

Result<Ok> StoryStore::record_alert(std::string_view filter_id, std::string_view key, TimePoint at) {
  upsert_alert_.bind(1, filter_id).bind(2, key).bind(3, unix_of(at));
  return upsert_alert_.run();
}

Result<Ok> StoryStore::record_alert(std::string_view filter_id, const StoryAssignment& assignment,
                                    std::string_view feed_id, std::string_view item_id, TimePoint at) {
  if (auto r = record_alert(filter_id, CollapseLedger::story_key(assignment), at); !r) return r;
  return record_alert(filter_id, CollapseLedger::family_key(assignment, feed_id, item_id), at);
}

Result<LoadedStories> StoryStore::load(std::chrono::seconds window, TimePoint now) {
  const std::int64_t horizon = unix_of(now - window);
  LoadedStories out;
  std::map<std::string, std::size_t> index;
  auto rows = rows_since(*db_,
                         "SELECT id, first_seen, last_seen, first_feed, first_item, language, size FROM stories"
                         " WHERE last_seen >= ?1 ORDER BY first_seen",
                         horizon, [&](const SqliteStatement& st) {
                           StoryRecord r = story_of_row(st, 1);
                           r.story_id = st.column_text(0);
                           index.emplace(r.story_id, out.stories.size());
                           out.stories.push_back(std::move(r));
                         });
  if (!rows) return rows.error();
  rows = rows_since(*db_,
                    "SELECT f.story, f.feed FROM story_feeds f JOIN stories s ON s.id = f.story"
                    " WHERE s.last_seen >= ?1 ORDER BY f.story, f.feed",
                    horizon, [&](const SqliteStatement& st) {
                      const auto it = index.find(st.column_text(0));
                      if (it != index.end()) out.stories[it->second].feeds.push_back(st.column_text(1));
                    });
  if (!rows) return rows.error();
  rows = rows_since(*db_,
                    "SELECT item, story, copy_of, copy_feed, arrival, title, summary, language, entities, feed"
                    " FROM story_items WHERE arrival >= ?1 ORDER BY arrival, seq",  // adopted items come late
                    horizon, [&](const SqliteStatement& st) {
                      RecordedItem r = item_of_row(st);
                      r.item.feed_id = st.column_text(9);
                      out.items.push_back(std::move(r));
                    });
  if (!rows) return rows.error();
  rows = rows_since(*db_, "SELECT filter, key, at FROM story_alerted WHERE at >= ?1 ORDER BY at", horizon,
                    [&](const SqliteStatement& st) {
                      out.alerted.push_back({st.column_text(0), st.column_text(1), time_of(st.column_int(2))});
                    });
  if (!rows) return rows.error();
  return out;
}

Result<std::int64_t> StoryStore::prune(TimePoint older_than) {
  const std::int64_t t = unix_of(older_than);
  std::int64_t items = 0;
  const char* const statements[] = {
      "DELETE FROM story_items WHERE arrival < ?1",
      "DELETE FROM story_feeds WHERE story IN (SELECT id FROM stories WHERE last_seen < ?1)",
      "DELETE FROM stories WHERE last_seen < ?1",
      "DELETE FROM story_alerted WHERE at < ?1",
  };
  for (const char* sql : statements) {
    auto st = db_->prepare(sql);
    if (!st) return st.error();
    st->bind(1, t);
    if (auto r = st->run(); !r) return r.error();
    if (items == 0 && sql == statements[0]) items = sqlite3_changes64(db_->handle());
  }
  return items;
}

// --- Cluster mode: a feed's stories move with the feed -----------------------------------

Result<FeedStories> StoryStore::feed_stories(std::string_view feed_id, TimePoint since, std::size_t max_items,
                                             std::size_t max_text) {
  if (!alerted_key_index_) {
    if (auto r = db_->exec("CREATE INDEX IF NOT EXISTS story_alerted_key ON story_alerted(key)"); !r) return r.error();
    alerted_key_index_ = true;
  }
  FeedStories out;
  {
    auto st = db_->prepare(
        "SELECT item, story, copy_of, copy_feed, arrival, title, summary, language, entities FROM story_items"
        " WHERE feed = ?1 AND arrival >= ?2 ORDER BY arrival DESC, seq DESC LIMIT ?3");
    if (!st) return st.error();
    st->bind(1, feed_id).bind(2, unix_of(since)).bind(3, static_cast<std::int64_t>(max_items));
    const auto rows = st->each_row([&] {
      RecordedItem r = item_of_row(*st);
      r.item.feed_id = std::string(feed_id);
      r.item.title.resize(clip(r.item.title, max_text).size());
      r.item.summary.resize(clip(r.item.summary, max_text).size());
      out.items.push_back(std::move(r));
    });
    if (!rows) return rows.error();
  }
  std::reverse(out.items.begin(), out.items.end());
  std::set<std::string> story_ids;
  std::set<std::string> keys;
  for (const auto& r : out.items) {
    story_ids.insert(r.story_id);
    keys.insert("s:" + r.story_id);
    StoryAssignment a;
    a.copy_of = r.copy_of;
    a.copy_feed = r.copy_feed;
    keys.insert(CollapseLedger::family_key(a, feed_id, r.item.item_id));
  }
  auto story =
      db_->prepare("SELECT first_seen, last_seen, first_feed, first_item, language, size FROM stories WHERE id = ?1");
  auto feeds = db_->prepare("SELECT feed FROM story_feeds WHERE story = ?1 ORDER BY feed");
  auto alerted = db_->prepare("SELECT filter, at FROM story_alerted WHERE key = ?1 AND at >= ?2");
  if (!story) return story.error();
  if (!feeds) return feeds.error();
  if (!alerted) return alerted.error();
  for (const auto& id : story_ids) {
    story->reset();
    story->bind(1, id);
    auto row = story->step();
    if (!row) return row.error();
    if (!*row) continue;
    StoryRecord r = story_of_row(*story, 0);
    r.story_id = id;
    feeds->reset();
    feeds->bind(1, id);
    if (auto f = feeds->each_row([&] { r.feeds.push_back(feeds->column_text(0)); }); !f) return f.error();
    out.stories.push_back(std::move(r));
  }
  for (const auto& key : keys) {
    alerted->reset();
    alerted->bind(1, key).bind(2, unix_of(since));
    const auto rows = alerted->each_row([&] {
      out.alerted.push_back({alerted->column_text(0), key, time_of(alerted->column_int(1))});
    });
    if (!rows) return rows.error();
  }
  return out;
}

Result<Ok> StoryStore::adopt(const FeedStories& moved) {
  for (const auto& s : moved.stories) {
    upsert_story_.bind(1, s.story_id)
        .bind(2, unix_of(s.first_seen))
        .bind(3, unix_of(s.last_seen))
        .bind(4, s.first_feed)
        .bind(5, s.first_item)
        .bind(6, s.language)
        .bind(7, static_cast<std::int64_t>(s.size));
    if (auto r = upsert_story_.run(); !r) return r.error();
    for (const auto& feed : s.feeds) {
      insert_feed_.bind(1, s.story_id).bind(2, feed);
      if (auto r = insert_feed_.run(); !r) return r.error();
    }
  }
  for (const auto& r : moved.items) {
    if (auto res = insert_item(r.item, r.story_id, r.copy_of, r.copy_feed); !res) return res.error();
    insert_feed_.bind(1, r.story_id).bind(2, r.item.feed_id);
    if (auto res = insert_feed_.run(); !res) return res.error();
  }
  for (const auto& a : moved.alerted) {
    if (auto r = record_alert(a.filter_id, a.key, a.at); !r) return r;
  }
  return Ok{};
}

}  // namespace newswatch::stories
