#include "daemon/ingest.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <set>
#include <utility>

#include "alerts/system_messages.hpp"
#include "daemon/burst_config.hpp"
#include "feeds/feed_parser.hpp"
#include "filters/language_id.hpp"

namespace newswatch::daemon {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The item as the story engine sees it: title and summary (content when there is no summary),
// its final language, the matcher's entities, and its arrival (now).
stories::StoryItem story_item(const feeds::Item& item, std::string_view feed_id,
                              const std::vector<std::string>& entities, stories::TimePoint now) {
  stories::StoryItem s;
  s.item_id = item.id;
  s.feed_id = std::string(feed_id);
  s.title = item.title;
  s.summary = item.summary.empty() ? item.content : item.summary;
  s.language = item.language.empty() ? "und" : item.language;
  s.entities = entities;
  s.arrival = now;
  return s;
}

// One alert as the burst detector counts it (what bursts::event_from_alert_payload reads back
// from a payload, so the daemon and `newswatch bursts` count alike).
bursts::BurstEvent burst_event(std::string_view filter_id, const feeds::Item& item, std::string_view feed_id,
                               const stories::StoryAssignment* story, const std::vector<std::string>& entities,
                               const bursts::EntityTypes& types, std::int64_t unix_now) {
  bursts::BurstEvent e;
  e.time = unix_now;
  e.filter = std::string(filter_id);
  e.story = story ? story->story_id : item.id;
  e.title = item.title;
  e.link = item.link;
  e.source = std::string(feed_id);
  e.story_sources = story ? static_cast<int>(story->sources) : 0;
  for (const auto& id : entities) {
    const auto it = types.find(id);
    e.entities.push_back({id, it == types.end() ? std::string() : it->second});
  }
  return e;
}

Ingest::MessageKind burst_kind(bursts::BurstLevel level) {
  return level == bursts::BurstLevel::alert ? Ingest::MessageKind::burst_alert : Ingest::MessageKind::burst_watch;
}

}  // namespace

alerts::Alert alert_for_match(const filters::FilterDef& filter, const filters::FilterMatch& match,
                              const filters::MatchResult& result, const feeds::Item& item, std::string_view feed_id,
                              feeds::TimePoint detected_at, std::uint64_t seq, const stories::StoryAssignment* story) {
  alerts::Alert a;
  a.seq = seq;
  a.topic = filter.topic;
  a.payload = alerts::encode_alert_payload(seq, filter.id, filter.topic, feed_id, detected_at, item, match,
                                           result.entities, story);
  return a;
}

Result<ItemAlerts> alerts_for_item(const filters::Matcher& matcher, const feeds::Item& item, std::string_view feed_id,
                                   feeds::TimePoint detected_at, const std::function<std::uint64_t()>& next_seq) {
  auto result = matcher.match({item.title, item.summary, item.content, item.language}, feed_id);
  if (!result) return result.error();
  ItemAlerts out;
  out.truncated = result->truncated;
  out.alerts.reserve(result->filters.size());
  out.filter_ids.reserve(result->filters.size());
  for (const auto& fm : result->filters) {
    const auto& def = matcher.filters()[fm.filter_index];
    out.alerts.push_back(alert_for_match(def, fm, *result, item, feed_id, detected_at, next_seq()));
    out.filter_ids.push_back(def.id);
  }
  return out;
}

Ingest::Ingest(feeds::FeedStore& store, alerts::AlertJournal& journal, alerts::AlertPublisher& publisher,
               CommitGroup& group, StoryStage& stories, BurstStage& bursts, Metrics& metrics)
    : store_(store),
      journal_(journal),
      publisher_(publisher),
      group_(group),
      stories_(stories),
      bursts_(bursts),
      metrics_(metrics) {}

void Ingest::follow(const Snapshot& snapshot) {
  if (snapshot.generation == generation_) return;
  generation_ = snapshot.generation;
  stories_.set_window(snapshot.config.stories.window);
  bursts_.reconfigure(burst_settings(snapshot.config), burst_filters(snapshot.config), entity_types(snapshot.config));
}

void Ingest::checkpoint() {
  auto batch = group_.open_batch();
  if (!batch) {
    spdlog::warn("bursts: no checkpoint at shutdown: {}", batch.error().message);
    return;
  }
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (auto r = bursts_.checkpoint(now.time_since_epoch().count(), true); !r) {
    spdlog::warn("bursts: no checkpoint at shutdown: {}", r.error().message);
    bursts_.invalidate();
    return;  // the batch rolls back; the next start counts the journal from the last checkpoint
  }
  group_.seal(std::move(*batch), {}, 1, nullptr);
}

void Ingest::publish_feed_error(std::string_view feed_id, int status, std::string_view outcome,
                                std::string_view message) {
  const auto m = alerts::feed_error_message(feed_id, status, outcome, message);
  (void)publisher_.send(m.topic, m.payload);  // a drop is counted by the publisher itself
}

void Ingest::on_fetched(std::shared_ptr<const Snapshot> snapshot, const feeds::FeedSpec& spec, feeds::FetchResult& r,
                        feeds::VerdictSink done) {
  metrics_.fetch_seconds.observe(std::chrono::duration<double>(r.elapsed).count());
  feeds::FetchVerdict verdict;
  switch (r.outcome) {
    case feeds::FetchOutcome::not_modified:
      spdlog::debug("feed {}: not modified", spec.id);
      done(verdict);
      return;
    case feeds::FetchOutcome::ok:
      break;
    default:
      spdlog::warn("feed {}: {}: {}", spec.id, feeds::to_string(r.outcome), r.error);
      publish_feed_error(spec.id, r.status, feeds::to_string(r.outcome), r.error);
      done(verdict);
      return;
  }
  const auto parse_start = std::chrono::steady_clock::now();
  // Content-Language is the last declared fallback for the items' languages.
  auto parsed = feeds::parse_feed(r.body, {r.effective_url, r.content_type, r.content_language});
  metrics_.parse_seconds.observe(seconds_since(parse_start));
  const Spans spans{r.ended, std::chrono::steady_clock::now(), {}};
  if (!parsed) {
    spdlog::warn("feed {}: parse error: {}", spec.id, parsed.error().message);
    publish_feed_error(spec.id, r.status, "parse_error", parsed.error().message);
    verdict.parse_failed = true;
    verdict.recorded = false;
    done(verdict);
    return;
  }
  metrics_.items_parsed += parsed->items.size();
  for (const auto& problem : parsed->problems)
    spdlog::warn("feed {}: {}", spec.id, problem);
  if (parsed->ttl_minutes && *parsed->ttl_minutes > 0) verdict.ttl = std::chrono::minutes(*parsed->ttl_minutes);
  record_items(*snapshot, spec, *parsed, verdict, std::move(done), spans);
}

void Ingest::record_items(const Snapshot& snapshot, const feeds::FeedSpec& spec, feeds::Feed& feed,
                          feeds::FetchVerdict verdict, feeds::VerdictSink done, Spans spans) {
  // A document recovered from broken XML keeps no validators: if it was cut short, a 304
  // would hide its missing items until the feed changes; the next poll reads it whole.
  const bool complete = !feed.incomplete;
  std::optional<CommitGroup::Batch> batch;
  const auto give_up = [&](const char* what, const Error& e) {
    batch.reset();  // rolled back before anyone hears of it
    spdlog::error("feed {}: {}: {}", spec.id, what, e.message);
    ++metrics_.batches_unrecorded;
    verdict.recorded = false;
    done(verdict);
  };
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::int64_t unix_now = now.time_since_epoch().count();

  std::vector<feeds::Item*> fresh;
  std::vector<const feeds::Item*> still_listed;  // seen long ago: refresh so they never expire while listed
  const std::int64_t refresh_before = unix_now - snapshot.config.dedup.seen_max_age.count() / 4;
  std::set<std::string_view> batch_ids;
  // Feeds list newest first: walk backwards so alerts go out oldest first.
  for (auto it = feed.items.rbegin(); it != feed.items.rend(); ++it) {
    if (!batch_ids.insert(it->id).second) continue;
    auto listed = store_.last_listed(spec.id, it->id);
    if (!listed) return give_up("state database", listed.error());
    if (!*listed) {
      fresh.push_back(&*it);
    } else if (**listed < refresh_before) {
      still_listed.push_back(&*it);
    }
  }
  // The listing is recorded at least every quarter of seen_max_age, like the items in it:
  // pruning spares what the feed listed then (see FeedStore::prune_seen). A document
  // recovered from broken XML may lack items the feed still lists, so it is no listing.
  bool listing_stale = false;
  if (complete) {
    const auto listed = store_.listed_at(spec.id);
    if (!listed) return give_up("state database", listed.error());
    listing_stale = !*listed || **listed < refresh_before;
  }
  if (fresh.empty() && still_listed.empty() && !listing_stale) {
    verdict.recorded = complete;
    done(verdict);
    return;
  }

  // Only new items are identified (seen ones will not be matched again): the feed's configured
  // language first, then what the document declares unless its text clearly says otherwise.
  for (auto* item : fresh)
    item->language = filters::item_language(filters::LanguageIdentifier::standard(), *item, spec.language);

  follow(snapshot);
  const bool with_stories = snapshot.config.stories.enabled;
  // What this batch told the stages: if it is given up or its group fails, they rebuild from
  // the database, which then holds none of it.
  bool stages_touched = false;
  const auto give_up_batch = [&](const char* what, const Error& e) {
    give_up(what, e);
    if (stages_touched) {
      stories_.invalidate();
      bursts_.invalidate();
    }
  };

  // Opened only now: a feed with nothing new takes no write lock, so a database another
  // process holds for a moment costs only the feeds that have something to record.
  auto opened = group_.open_batch();
  if (!opened) return give_up("state database", opened.error());
  batch.emplace(std::move(*opened));
  BatchTally tally;
  std::uint64_t seq = journal_.next_seq();
  const auto journal = [&](alerts::Alert a, std::string filter_id, MessageKind kind) -> Result<Ok> {
    if (auto r = journal_.append(a, unix_now); !r) return r.error();
    tally.messages.push_back(std::move(a));
    tally.filters.push_back(std::move(filter_id));
    tally.kinds.push_back(kind);
    return Ok{};
  };
  for (const auto* item : fresh) {
    const auto match_start = std::chrono::steady_clock::now();
    auto matched = snapshot.matcher->match({item->title, item->summary, item->content, item->language}, spec.id);
    metrics_.match_seconds.observe(seconds_since(match_start));
    if (!matched) return give_up_batch("matcher", matched.error());
    if (matched->truncated) spdlog::warn("feed {}: item {}: {}", spec.id, item->id, filters::truncation_note());
    std::optional<stories::StoryAssignment> story;
    if (with_stories) {
      stages_touched = true;
      auto assigned = stories_.assign(story_item(*item, spec.id, matched->entities, now));
      if (!assigned) return give_up_batch("stories", assigned.error());
      story = std::move(*assigned);
      tally.story_sizes.push_back(story->size);
      if (story->new_story) ++tally.stories;
      if (story->copy_of) ++tally.copies;
    }
    for (const auto& fm : matched->filters) {
      const auto& def = snapshot.matcher->filters()[fm.filter_index];
      auto verdict = stories::CollapseVerdict::alert;
      if (story) {
        auto decided = stories_.decide(def, *story, spec.id, item->id, now);
        if (!decided) return give_up_batch("stories", decided.error());
        verdict = *decided;
      }
      if (verdict == stories::CollapseVerdict::update) {
        const auto topic = "story." + def.id;
        alerts::Alert u{seq, topic,
                        alerts::encode_story_update_payload(seq, def.id, topic, spec.id, now, *item, *story)};
        ++seq;
        if (auto r = journal(std::move(u), def.id, MessageKind::story_update); !r)
          return give_up_batch("journal", r.error());
        continue;
      }
      const std::uint64_t alert_seq = seq++;
      auto a = alert_for_match(def, fm, *matched, *item, spec.id, now, alert_seq, story ? &*story : nullptr);
      if (auto r = journal(std::move(a), def.id, MessageKind::alert); !r) return give_up_batch("journal", r.error());
      if (!bursts_.enabled()) continue;
      stages_touched = true;
      auto found = bursts_.observe(burst_event(def.id, *item, spec.id, story ? &*story : nullptr, matched->entities,
                                               bursts_.entity_types(), unix_now),
                                   alert_seq);
      if (!found) return give_up_batch("bursts", found.error());
      for (const auto& b : *found) {
        alerts::Alert m{seq, bursts::burst_topic(def.id), bursts::encode_burst_payload(seq, b)};
        ++seq;
        if (auto line = bursts::format_burst_line(m.payload)) tally.burst_lines.push_back(std::move(*line));
        if (auto r = journal(std::move(m), def.id, burst_kind(b.level)); !r) return give_up_batch("journal", r.error());
      }
    }
    if (auto m = store_.mark_seen(spec.id, item->id, unix_now); !m) return give_up_batch("state database", m.error());
  }
  if (stages_touched) {
    if (auto r = bursts_.checkpoint(unix_now); !r) return give_up_batch("bursts", r.error());
  }
  for (const auto* item : still_listed) {
    if (auto t = store_.touch_seen(spec.id, item->id, unix_now); !t) return give_up_batch("state database", t.error());
  }
  if (complete) {
    if (auto l = store_.set_listed(spec.id, unix_now); !l) return give_up_batch("state database", l.error());
  }
  const std::size_t fresh_count = fresh.size();
  auto messages = std::move(tally.messages);
  tally.messages.clear();
  spans.sealed = std::chrono::steady_clock::now();
  group_.seal(std::move(*std::exchange(batch, std::nullopt)), std::move(messages), fresh_count + still_listed.size(),
              [this, verdict, complete, done, fresh_count, stages_touched, tally = std::move(tally), feed_id = spec.id,
               spans](bool committed) mutable {
                if (!committed) {
                  spdlog::error("feed {}: its batch was not committed; its items come again", feed_id);
                  ++metrics_.batches_unrecorded;
                  if (stages_touched) {
                    stories_.invalidate();
                    bursts_.invalidate();
                  }
                  verdict.recorded = false;
                  done(verdict);
                  return;
                }
                if (fresh_count > 0) log_spans(feed_id, spans);
                count_committed(feed_id, fresh_count, tally);
                verdict.recorded = complete;
                done(verdict);
              });
}

void Ingest::log_spans(std::string_view feed_id, const Spans& spans) {
  if (!spdlog::should_log(spdlog::level::debug) || spans.fetch_ended == std::chrono::steady_clock::time_point{}) return;
  const auto us = [](auto from, auto to) {
    return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
  };
  const auto sent = std::chrono::steady_clock::now();
  spdlog::debug("feed {}: alerts sent {} us after the fetch ended (parse {}, record {}, commit and send {})", feed_id,
                us(spans.fetch_ended, sent), us(spans.fetch_ended, spans.parsed), us(spans.parsed, spans.sealed),
                us(spans.sealed, sent));
}

void Ingest::count_committed(std::string_view feed_id, std::size_t fresh_count, const BatchTally& tally) {
  std::size_t alert_count = 0;
  std::size_t update_count = 0;
  for (std::size_t i = 0; i < tally.kinds.size(); ++i) {
    switch (tally.kinds[i]) {
      case MessageKind::alert:
        ++metrics_.alerts_by_filter[tally.filters[i]];
        ++alert_count;
        break;
      case MessageKind::story_update:
        ++metrics_.story_updates_by_filter[tally.filters[i]];
        ++update_count;
        break;
      case MessageKind::burst_watch:
        ++metrics_.bursts_by_level["watch"];
        break;
      case MessageKind::burst_alert:
        ++metrics_.bursts_by_level["alert"];
        break;
    }
  }
  if (fresh_count > 0) {
    if (update_count > 0) {
      spdlog::info("feed {}: {} new {}, {} {}, {} story {}", feed_id, fresh_count, fresh_count == 1 ? "item" : "items",
                   alert_count, alert_count == 1 ? "alert" : "alerts", update_count,
                   update_count == 1 ? "update" : "updates");
    } else {
      spdlog::info("feed {}: {} new {}, {} {}", feed_id, fresh_count, fresh_count == 1 ? "item" : "items", alert_count,
                   alert_count == 1 ? "alert" : "alerts");
    }
  }
  for (const auto& line : tally.burst_lines)
    spdlog::warn("feed {}: {}", feed_id, line);
  metrics_.items_new += fresh_count;
  metrics_.stories_started += tally.stories;
  metrics_.story_copies += tally.copies;
  for (const auto size : tally.story_sizes)
    metrics_.story_size.observe(static_cast<double>(size));
  published_ += alert_count;
}

}  // namespace newswatch::daemon
