#include "daemon/ingest.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <set>
#include <utility>

#include "alerts/system_messages.hpp"
#include "feeds/feed_parser.hpp"
#include "filters/language_id.hpp"

namespace newswatch::daemon {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Result<ItemAlerts> alerts_for_item(const filters::Matcher& matcher, const feeds::Item& item, std::string_view feed_id,
                                   feeds::TimePoint detected_at, const std::function<std::uint64_t()>& next_seq) {
  auto result = matcher.match({item.title, item.summary, item.content, item.language}, feed_id);  // LANGUAGES
  if (!result) return result.error();
  ItemAlerts out;
  out.truncated = result->truncated;
  out.alerts.reserve(result->filters.size());
  out.filter_ids.reserve(result->filters.size());
  for (const auto& fm : result->filters) {
    const auto& def = matcher.filters()[fm.filter_index];
    alerts::Alert a;
    a.seq = next_seq();
    a.topic = def.topic;
    a.payload =
        alerts::encode_alert_payload(a.seq, def.id, def.topic, feed_id, detected_at, item, fm, result->entities);
    out.alerts.push_back(std::move(a));
    out.filter_ids.push_back(def.id);
  }
  return out;
}

Ingest::Ingest(feeds::FeedStore& store, alerts::AlertJournal& journal, alerts::AlertPublisher& publisher,
               CommitGroup& group, Metrics& metrics)
    : store_(store), journal_(journal), publisher_(publisher), group_(group), metrics_(metrics) {}

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
  // LANGUAGES (issue 18): Content-Language is the last declared fallback; then every item gets
  // its final language (feed's `language` in the config first) before dedup, match and encode.
  auto parsed = feeds::parse_feed(r.body, {r.effective_url, r.content_type, r.content_language});
  metrics_.parse_seconds.observe(seconds_since(parse_start));
  if (!parsed) {
    spdlog::warn("feed {}: parse error: {}", spec.id, parsed.error().message);
    publish_feed_error(spec.id, r.status, "parse_error", parsed.error().message);
    verdict.parse_failed = true;
    verdict.recorded = false;
    done(verdict);
    return;
  }
  metrics_.items_parsed += parsed->items.size();
  if (parsed) {  // LANGUAGES
    std::string configured;
    for (const auto& f : snapshot->config.feeds) {
      if (f.id == spec.id) configured = f.language;
    }
    for (auto& item : parsed->items)
      item.language = filters::item_language(filters::LanguageIdentifier::standard(), item, configured);
  }
  for (const auto& problem : parsed->problems)
    spdlog::warn("feed {}: {}", spec.id, problem);
  if (parsed->ttl_minutes && *parsed->ttl_minutes > 0) verdict.ttl = std::chrono::minutes(*parsed->ttl_minutes);
  record_items(*snapshot, spec, *parsed, verdict, std::move(done));
}

void Ingest::record_items(const Snapshot& snapshot, const feeds::FeedSpec& spec, const feeds::Feed& feed,
                          feeds::FetchVerdict verdict, feeds::VerdictSink done) {
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

  std::vector<const feeds::Item*> fresh;
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

  auto opened = group_.open_batch();
  if (!opened) return give_up("state database", opened.error());
  batch.emplace(std::move(*opened));
  std::vector<alerts::Alert> out;
  std::vector<std::string> out_filters;
  std::uint64_t seq = journal_.next_seq();
  const std::function<std::uint64_t()> next_seq = [&seq] { return seq++; };
  for (const auto* item : fresh) {
    const auto match_start = std::chrono::steady_clock::now();
    auto raised = alerts_for_item(*snapshot.matcher, *item, spec.id, now, next_seq);
    metrics_.match_seconds.observe(seconds_since(match_start));
    if (!raised) return give_up("matcher", raised.error());
    if (raised->truncated) spdlog::warn("feed {}: item {}: {}", spec.id, item->id, filters::truncation_note());
    for (std::size_t i = 0; i < raised->alerts.size(); ++i) {
      if (auto a = journal_.append(raised->alerts[i], unix_now); !a) return give_up("journal", a.error());
      out.push_back(std::move(raised->alerts[i]));
      out_filters.push_back(std::move(raised->filter_ids[i]));
    }
    if (auto m = store_.mark_seen(spec.id, item->id, unix_now); !m) return give_up("state database", m.error());
  }
  for (const auto* item : still_listed) {
    if (auto t = store_.touch_seen(spec.id, item->id, unix_now); !t) return give_up("state database", t.error());
  }
  if (complete) {
    if (auto l = store_.set_listed(spec.id, unix_now); !l) return give_up("state database", l.error());
  }
  const std::size_t fresh_count = fresh.size();
  const std::size_t alert_count = out.size();
  group_.seal(std::move(*std::exchange(batch, std::nullopt)), std::move(out), fresh_count + still_listed.size(),
              [this, verdict, complete, done, fresh_count, alert_count, out_filters = std::move(out_filters),
               feed_id = spec.id](bool committed) mutable {
                if (!committed) {
                  spdlog::error("feed {}: its batch was not committed; its items come again", feed_id);
                  ++metrics_.batches_unrecorded;
                  verdict.recorded = false;
                  done(verdict);
                  return;
                }
                if (fresh_count > 0)
                  spdlog::info("feed {}: {} new {}, {} {}", feed_id, fresh_count, fresh_count == 1 ? "item" : "items",
                               alert_count, alert_count == 1 ? "alert" : "alerts");
                metrics_.items_new += fresh_count;
                for (const auto& f : out_filters)
                  ++metrics_.alerts_by_filter[f];
                published_ += alert_count;
                verdict.recorded = complete;
                done(verdict);
              });
}

}  // namespace newswatch::daemon
