#include "stories/story_engine.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <span>

namespace newswatch::stories {
namespace {

constexpr std::uint32_t kNone = UINT32_MAX;
constexpr std::size_t kIndexedTerms = 8;     // an item's strongest terms, looked up and indexed
constexpr std::size_t kPostingCap = 32;      // items kept per term (the most recent)
constexpr std::size_t kRecentPerStory = 16;  // a story's latest items, checked for copies
constexpr std::size_t kMaxCandidateStories = 8;
constexpr std::size_t kCopyStories = 3;  // best stories whose recent items are checked for copies
constexpr std::size_t kBucketCap = 24;   // live items filed under one LSH band value
constexpr std::size_t kMaxFeedsPerStory = 4096;

std::uint64_t item_key(std::string_view feed, std::string_view item) {
  return hash_bytes(item, hash_bytes(feed, 0x17e3));
}

// Story ids are 16 hex digits of a 64-bit value; anything else maps to a hash of its text.
std::uint64_t parse_story_id(std::string_view id) {
  std::uint64_t v = 0;
  if (id.size() != 16) return hash_bytes(id, 0x5707);
  for (char c : id) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return hash_bytes(id, 0x5707);
    }
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

bool known_language(std::string_view l) { return !l.empty() && l != "und"; }

using Span = std::span<const std::uint32_t>;

// One step of a merge of two sorted runs, counting what they share. Without branches on the
// comparison: which side advances is data, and a mispredicted branch per step was most of the
// cost of the copy check.
inline void merge_step(const std::uint32_t*& i, const std::uint32_t*& j, std::size_t& shared) {
  const std::uint32_t x = *i;
  const std::uint32_t y = *j;
  shared += x == y ? 1 : 0;
  i += x <= y ? 1 : 0;
  j += y <= x ? 1 : 0;
}

std::size_t intersect_count(Span a, Span b) {
  std::size_t n = 0;
  const std::uint32_t* i = a.data();
  const std::uint32_t* j = b.data();
  const std::uint32_t* const ie = i + a.size();
  const std::uint32_t* const je = j + b.size();
  while (i != ie && j != je)
    merge_step(i, j, n);
  return n;
}

double containment(Span a, Span b) {
  const std::size_t smaller = std::min(a.size(), b.size());
  return smaller == 0 ? 0.0 : static_cast<double>(intersect_count(a, b)) / static_cast<double>(smaller);
}

// Shared elements a containment of `least` needs when the smaller side has `smaller`.
std::size_t shared_needed(double least, std::size_t smaller) {
  return static_cast<std::size_t>(std::ceil(least * static_cast<double>(smaller) - 1e-9));
}

// containment(a, b) when it reaches `least`, else -1. Most copy candidates share a few shingles
// at most: the merge stops once what is left of the shorter side cannot reach `least`.
double containment_at_least(Span a, Span b, double least) {
  const std::size_t smaller = std::min(a.size(), b.size());
  if (smaller == 0) return least <= 0 ? 0.0 : -1.0;
  const std::size_t need = shared_needed(least, smaller);
  std::size_t n = 0;
  const std::uint32_t* i = a.data();
  const std::uint32_t* j = b.data();
  const std::uint32_t* const ie = i + a.size();
  const std::uint32_t* const je = j + b.size();
  // Checked every 16 steps, so the merge itself stays free of branches.
  while (i != ie && j != je) {
    const std::size_t left = std::min(static_cast<std::size_t>(ie - i), static_cast<std::size_t>(je - j));
    if (n + left < need) return -1;
    for (std::size_t step = std::min<std::size_t>(left, 16); step > 0; --step)
      merge_step(i, j, n);
  }
  return n >= need ? static_cast<double>(n) / static_cast<double>(smaller) : -1.0;
}

// Each side has a value (number, entity) the other lacks: "bulletin 17" against "bulletin 18".
bool numbers_conflict(Span a, Span b) {
  const std::size_t common = intersect_count(a, b);
  return a.size() > common && b.size() > common;
}

// A 256-bit map of a text's shingles, kept inline with each item: the shingles of a new item
// whose bits the other's map lacks are certainly not shared, which bounds the containment from
// above without reading the other's shingles (a cache miss, then a merge) for most candidates.
using ShingleBits = std::array<std::uint64_t, 4>;
inline std::uint32_t shingle_bit(std::uint32_t h) { return (h * 0x9E3779B1U) >> 24; }

// Of `mine` (a new item's shingle bits, one per shingle), how many the other's map holds.
std::size_t bits_found(std::span<const std::uint8_t> mine, const ShingleBits& theirs) {
  std::size_t n = 0;
  for (const std::uint8_t b : mine)
    n += (theirs[b >> 6] >> (b & 63)) & 1U;
  return n;
}

// What the copy check reads of a candidate before anything else, kept in an array apart from
// the items (one cache line touched per candidate, not the item's scattered fields).
struct CopySketch {
  ShingleBits bits{};
  std::uint16_t shingles = 0;
  bool has_summary = false;
};

CopySketch sketch_of(const StoryText& t) {
  CopySketch k;
  for (const std::uint32_t h : t.shingles)
    k.bits[shingle_bit(h) >> 6] |= std::uint64_t{1} << (shingle_bit(h) & 63);
  k.shingles = static_cast<std::uint16_t>(std::min<std::size_t>(t.shingles.size(), 0xFFFF));
  k.has_summary = t.has_summary;
  return k;
}

// What the copy test reads of an item.
struct TextView {
  Span shingles, title_shingles, words, numbers, title_numbers, entities;
  std::size_t word_count = 0;
  bool has_summary = false;
};

TextView view_of(const StoryText& t) {
  return {t.shingles, t.title_shingles, t.words, t.numbers, t.title_numbers, t.entities, t.word_count, t.has_summary};
}

// A stored item's StoryText in one allocation (a window holds 300,000 of them: one block each
// instead of eight keeps memory and the copy test's cache misses down). Term weights are not
// kept: only the terms, to take them out of the document frequencies again.
class PackedText {
 public:
  enum Section { kShingles, kTitleShingles, kWords, kNumbers, kTitleNumbers, kEntities, kTerms, kSections };

  void pack(const StoryText& t) {
    const Span parts[] = {t.shingles, t.title_shingles, t.words, t.numbers, t.title_numbers, t.entities};
    std::size_t total = t.terms.size();
    for (Span p : parts)
      total += p.size();
    data_ = std::make_unique<std::uint32_t[]>(total);
    std::uint32_t at = 0;
    for (int k = 0; k < kTerms; ++k) {
      begin_[k] = at;
      std::copy(parts[k].begin(), parts[k].end(), data_.get() + at);
      at += static_cast<std::uint32_t>(parts[k].size());
    }
    begin_[kTerms] = at;
    for (const auto& [term, tf] : t.terms)
      data_[at++] = term;
    begin_[kSections] = at;
    bands = t.bands;
    word_count_ = static_cast<std::uint16_t>(t.word_count);
    has_summary_ = t.has_summary;
  }

  Span section(Section k) const { return {data_.get() + begin_[k], begin_[k + 1] - begin_[k]}; }
  TextView view() const {
    return {section(kShingles),     section(kTitleShingles), section(kWords), section(kNumbers),
            section(kTitleNumbers), section(kEntities),      word_count_,     has_summary_};
  }

  std::array<std::uint32_t, kBands> bands{};

 private:
  std::unique_ptr<std::uint32_t[]> data_;
  std::array<std::uint32_t, kSections + 1> begin_{};
  std::uint16_t word_count_ = 0;
  bool has_summary_ = false;
};

// The two open-addressing tables below (linear probing over a power-of-two vector of entries,
// each entry knowing whether it is empty() and carrying its `key`) share these steps.

// The first empty entry at or after `i`, cyclically (the table is never full).
template <class Entry>
std::size_t first_empty(const std::vector<Entry>& entries, std::size_t i) {
  const std::size_t mask = entries.size() - 1;
  while (!entries[i].empty())
    i = (i + 1) & mask;
  return i;
}

// Doubles the table and puts every entry back at the first empty entry from its new home.
template <class Entry, class Home>
void grow_table(std::vector<Entry>& entries, Home home) {
  std::vector<Entry> old(entries.size() * 2);
  old.swap(entries);
  for (const auto& e : old)
    if (!e.empty()) entries[first_empty(entries, home(e.key))] = e;
}

// Backward-shift deletion: empties entry `i` and moves each later entry of its run into the hole
// unless its home lies cyclically in (hole, entry], so every key stays reachable from its home
// with no tombstones.
template <class Entry, class Home>
void erase_at(std::vector<Entry>& entries, std::size_t i, Home home) {
  const std::size_t mask = entries.size() - 1;
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    if (entries[j].empty()) break;
    const std::size_t k = home(entries[j].key);
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      entries[i] = entries[j];
      i = j;
    }
  }
  entries[i] = Entry{};
}

// Linear-probing multimap from a 32-bit band key to item slots, with backward-shift deletion so
// that it holds exactly the live items' bands (bounded by the window, no tombstones).
class BucketTable {
 public:
  BucketTable() { entries_.assign(1024, Entry{}); }

  void insert(std::uint32_t key, std::uint32_t slot) {
    if ((size_ + 1) * 2 > entries_.size()) grow();
    place(key, slot);
    ++size_;
  }

  void erase(std::uint32_t key, std::uint32_t slot) {
    const std::size_t mask = entries_.size() - 1;
    std::size_t i = home(key);
    while (!entries_[i].empty()) {
      if (entries_[i].key == key && entries_[i].slot == slot) break;
      i = (i + 1) & mask;
    }
    if (entries_[i].empty()) return;
    erase_at(entries_, i, [this](std::uint32_t k) { return home(k); });
    --size_;
  }

  // Entries under `key`, counted up to `limit`.
  std::size_t count(std::uint32_t key, std::size_t limit) const {
    std::size_t n = 0;
    const std::size_t mask = entries_.size() - 1;
    for (std::size_t i = home(key); entries_[i].slot != kNone && n < limit; i = (i + 1) & mask)
      n += entries_[i].key == key ? 1 : 0;
    return n;
  }

  template <class F>
  void for_each(std::uint32_t key, F&& f) const {
    const std::size_t mask = entries_.size() - 1;
    for (std::size_t i = home(key); entries_[i].slot != kNone; i = (i + 1) & mask) {
      if (entries_[i].key == key) f(entries_[i].slot);
    }
  }

 private:
  struct Entry {
    std::uint32_t key = 0;
    std::uint32_t slot = kNone;
    bool empty() const { return slot == kNone; }
  };
  std::size_t home(std::uint32_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B1U) >> 7) & (entries_.size() - 1);
  }
  void place(std::uint32_t key, std::uint32_t slot) { entries_[first_empty(entries_, home(key))] = {key, slot}; }
  void grow() {
    grow_table(entries_, [this](std::uint32_t k) { return home(k); });
  }
  std::vector<Entry> entries_;
  std::size_t size_ = 0;
};

// Open-addressing map from a 32-bit term to a 32-bit value (linear probing, backward-shift
// deletion): the per-term tables are read ~100 times per item, and node-based maps cost a cache
// miss per node on top of the bucket.
class FlatMap32 {
 public:
  FlatMap32() { entries_.assign(1024, Entry{}); }

  std::uint32_t* find(std::uint32_t key) {
    key = fix(key);
    const std::size_t mask = entries_.size() - 1;
    for (std::size_t i = home(key);; i = (i + 1) & mask) {
      if (entries_[i].key == key) return &entries_[i].value;
      if (entries_[i].key == kEmptyKey) return nullptr;
    }
  }
  const std::uint32_t* find(std::uint32_t key) const { return const_cast<FlatMap32*>(this)->find(key); }

  // The value for `key`, inserted as `initial` when absent.
  std::uint32_t& get(std::uint32_t key, std::uint32_t initial) {
    if (auto* v = find(key)) return *v;
    if ((size_ + 1) * 2 > entries_.size()) grow();
    ++size_;
    return place(fix(key), initial);
  }

  void erase(std::uint32_t key) {
    key = fix(key);
    const std::size_t mask = entries_.size() - 1;
    std::size_t i = home(key);
    while (entries_[i].key != key) {
      if (entries_[i].empty()) return;
      i = (i + 1) & mask;
    }
    erase_at(entries_, i, [this](std::uint32_t k) { return home(k); });
    --size_;
  }

  std::size_t size() const { return size_; }

 private:
  static constexpr std::uint32_t kEmptyKey = UINT32_MAX;
  struct Entry {
    std::uint32_t key = kEmptyKey;
    std::uint32_t value = 0;
    bool empty() const { return key == kEmptyKey; }
  };
  // The one key that means "empty" shares a slot with its neighbour: a negligible collision.
  static std::uint32_t fix(std::uint32_t key) { return key == kEmptyKey ? kEmptyKey - 1 : key; }
  std::size_t home(std::uint32_t key) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(key) * 0x9E3779B97F4A7C15ULL) >> 20) &
           (entries_.size() - 1);
  }
  std::uint32_t& place(std::uint32_t key, std::uint32_t value) {
    Entry& e = entries_[first_empty(entries_, home(key))];
    e = {key, value};
    return e.value;
  }
  void grow() {
    grow_table(entries_, [this](std::uint32_t k) { return home(k); });
  }
  std::vector<Entry> entries_;
  std::size_t size_ = 0;
};

using TermVector = std::vector<std::pair<std::uint32_t, float>>;  // sorted by term

float norm_of(const TermVector& v) {
  double s = 0;
  for (const auto& [t, w] : v)
    s += static_cast<double>(w) * w;
  return static_cast<float>(std::sqrt(s));
}

struct ItemRec {
  bool live = false;
  std::uint64_t key = 0;
  std::string item_id;
  std::string feed_id;
  std::uint32_t story = kNone;
  std::optional<std::string> copy_of;
  std::optional<std::string> copy_feed;
  TimePoint arrival{};
  PackedText text;
  std::vector<std::uint32_t> indexed;  // terms under which the item is posted
};

// A story of the window: what is persisted and restored (story_id is `id` as 16 hex digits,
// feeds kept sorted), and what only the engine needs.
struct StoryRec : StoryRecord {
  bool live = false;
  std::uint64_t id = 0;
  std::size_t live_items = 0;
  TermVector centroid;
  float norm = 0;
  std::array<std::uint64_t, kRecentPerStory> recent{};  // item keys, a ring
  std::size_t recent_count = 0;
};

}  // namespace

struct StoryEngine::State {
  std::vector<ItemRec> items;
  std::vector<CopySketch> sketches;  // per item slot
  std::vector<std::uint32_t> free_items;
  std::vector<StoryRec> stories;
  std::vector<std::uint32_t> free_stories;
  std::deque<std::uint32_t> order;  // item slots in insertion order, for expiry
  std::unordered_map<std::uint64_t, std::uint32_t> by_key;
  std::unordered_map<std::uint64_t, std::uint32_t> story_by_id;
  FlatMap32 df;
  // Per term, its latest items with their stories (the story is read here, not from the item,
  // which would be a cache miss per posting).
  struct Posting {
    std::uint32_t item;
    std::uint32_t story;
  };
  FlatMap32 posting_index;  // term -> index into posting_lists
  std::vector<std::vector<Posting>> posting_lists;
  std::vector<std::uint32_t> free_lists;
  BucketTable buckets;
  std::size_t live_items = 0;
  std::size_t live_stories = 0;
  TimePoint now{};
  StoryTextBuilder builder;
  // scratch
  StoryText text;
  std::vector<std::uint8_t> text_bits;  // shingle_bit() of each of text's shingles
  TermVector vec;
  std::vector<std::uint32_t> cand_items;
  std::vector<std::uint32_t> cand_stories;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> counted;  // (terms hitting, story)
};

std::string story_id_for(std::string_view feed_id, std::string_view item_id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(item_key(feed_id, item_id)));
  return buf;
}

StoryEngine::StoryEngine(StoryTuning tuning) : tuning_(tuning), state_(std::make_unique<State>()) {}
StoryEngine::~StoryEngine() = default;

std::size_t StoryEngine::item_count() const { return state_->live_items; }
std::size_t StoryEngine::story_count() const { return state_->live_stories; }

namespace {

struct Ops {
  StoryEngine::State& s;
  const StoryTuning& t;

  float idf(std::uint32_t term) const {
    const std::uint32_t* n = s.df.find(term);
    const double df = n == nullptr ? 0.0 : *n;
    // A pseudo-corpus of 500 items keeps the first items of a fresh window from treating
    // every word as equally rare.
    return static_cast<float>(std::log((static_cast<double>(s.live_items) + 500.0) / (df + 1.0)));
  }

  // The item's TF-IDF vector, L2-normalised, sorted by term.
  void vectorise(const StoryText& text, TermVector& out) const {
    out.clear();
    for (const auto& [term, tf] : text.terms) {
      const float boost = (term & kEntityBit) != 0 ? t.entity_weight : 1.0F;
      out.emplace_back(term, boost * (1.0F + std::log(tf)) * idf(term));
    }
    const float n = norm_of(out);
    if (n > 0)
      for (auto& [term, w] : out)
        w /= n;
  }

  StoryAssignment assignment_of(const ItemRec& item) const {
    const StoryRec& st = s.stories[item.story];
    StoryAssignment a;
    a.story_id = st.story_id;
    a.copy_of = item.copy_of;
    a.copy_feed = item.copy_feed;
    a.size = st.size;
    a.sources = st.feeds.size();
    a.first_seen = st.first_seen;
    a.first_feed = st.first_feed;
    a.new_story = st.first_item == item.item_id && st.first_feed == item.feed_id;
    return a;
  }

  // Copy score of `a` (the new item) against `b`; < 0 when not a copy.
  // False when `b` cannot be a copy of the new item `a` (whose shingles' bits are `a_bits`):
  // too few of a's shingles are even in b's map. Titles-only judgements are not filtered.
  bool may_be_copy(const TextView& a, std::span<const std::uint8_t> a_bits, const CopySketch& b) const {
    if (!a.has_summary || !b.has_summary) return true;
    const std::size_t smaller = std::min<std::size_t>(a.shingles.size(), b.shingles);
    return bits_found(a_bits, b.bits) >= shared_needed(t.copy_shingles_loose, smaller);
  }

  double copy_score(const TextView& a, const TextView& b) const {
    // An item without summary is judged on its title against the other's title.
    const bool titles = !a.has_summary || !b.has_summary;
    const Span sa = titles ? a.title_shingles : a.shingles;
    const Span sb = titles ? b.title_shingles : b.shingles;
    if (std::min(sa.size(), sb.size()) < t.copy_min_shingles) return -1;
    const double cs = containment_at_least(sa, sb, t.copy_shingles_loose);
    if (cs < 0) return -1;
    // Numbers or places that differ on both sides: another instance of a template ("bulletin
    // 17", "attack in Gao" / "attack in Kidal"), unless all the rest agrees over a long text.
    if (numbers_conflict(a.numbers, b.numbers) || numbers_conflict(a.entities, b.entities)) {
      // A number in the headline is what tells template items apart ("bulletin 17"): no override.
      if (titles || numbers_conflict(a.title_numbers, b.title_numbers) ||
          std::min(a.word_count, b.word_count) < t.copy_numbers_min_words)
        return -1;
      return cs >= t.copy_numbers_override ? cs : -1;
    }
    if (cs >= t.copy_shingles) return cs;
    const double cw = containment(a.words, b.words);
    return cw >= t.copy_words ? cs : -1;
  }

  struct StoryScore {
    std::uint32_t story = kNone;
    double cosine = 0;
    bool joins = false;
  };

  StoryScore score_story(std::uint32_t slot, const TermVector& v, std::size_t item_entities,
                         std::string_view language) const {
    const StoryRec& st = s.stories[slot];
    StoryScore r;
    r.story = slot;
    if (st.norm <= 0) return r;
    double dot = 0;
    std::size_t shared_words = 0;
    std::size_t shared_entities = 0;
    auto i = v.begin();
    auto j = st.centroid.begin();
    while (i != v.end() && j != st.centroid.end()) {
      const std::uint32_t a = i->first;
      const std::uint32_t b = j->first;
      if (a == b) {  // the rare case: the advance below stays free of branches
        dot += static_cast<double>(i->second) * j->second;
        ((a & kEntityBit) != 0 ? shared_entities : shared_words) += 1;
      }
      i += a <= b ? 1 : 0;
      j += b <= a ? 1 : 0;
    }
    r.cosine = dot / st.norm;
    if (known_language(language) && known_language(st.language) && language != st.language) {
      r.joins =
          shared_entities >= t.cross_language_min_entities &&
          static_cast<double>(shared_entities) >= t.cross_language_entity_share * static_cast<double>(item_entities);
    } else {
      r.joins = r.cosine >= t.join_cosine && shared_words >= t.join_min_shared_words &&
                shared_words + shared_entities >= t.join_min_shared_terms;
    }
    return r;
  }

  std::uint32_t new_item_slot() {
    if (!s.free_items.empty()) {
      const std::uint32_t slot = s.free_items.back();
      s.free_items.pop_back();
      return slot;
    }
    s.items.emplace_back();
    s.sketches.emplace_back();
    return static_cast<std::uint32_t>(s.items.size() - 1);
  }

  // A slot holding `in` (whose key is `key`) and the text s.text was built from it; its story,
  // copy and index are the caller's to set.
  std::uint32_t new_item(const StoryItem& in, std::uint64_t key) {
    const std::uint32_t slot = new_item_slot();
    ItemRec& item = s.items[slot];
    item.key = key;
    item.item_id = in.item_id;
    item.feed_id = in.feed_id;
    item.arrival = in.arrival;
    item.text.pack(s.text);
    s.sketches[slot] = sketch_of(s.text);
    return slot;
  }

  std::uint32_t new_story(const ItemRec& first, std::string_view language) {
    std::uint32_t slot;
    if (!s.free_stories.empty()) {
      slot = s.free_stories.back();
      s.free_stories.pop_back();
    } else {
      s.stories.emplace_back();
      slot = static_cast<std::uint32_t>(s.stories.size() - 1);
    }
    StoryRec& st = s.stories[slot];
    st = StoryRec{};
    st.live = true;
    std::uint64_t id = item_key(first.feed_id, first.item_id);
    // The same item id back after its story's first item left the window: a fresh id.
    for (std::uint64_t salt = 1; s.story_by_id.count(id) != 0; ++salt)
      id = hash_bytes(first.item_id, item_key(first.feed_id, first.item_id) + salt);
    st.id = id;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(id));
    st.story_id = buf;
    st.first_seen = first.arrival;
    st.last_seen = first.arrival;
    st.first_feed = first.feed_id;
    st.first_item = first.item_id;
    st.language = known_language(language) ? std::string(language) : std::string();
    s.story_by_id.emplace(id, slot);
    ++s.live_stories;
    return slot;
  }

  void add_to_story(std::uint32_t story, std::uint32_t item_slot, const TermVector& v, std::string_view language,
                    bool count_it) {
    StoryRec& st = s.stories[story];
    ItemRec& item = s.items[item_slot];
    if (count_it) ++st.size;
    ++st.live_items;
    st.last_seen = std::max(st.last_seen, item.arrival);
    if (st.language.empty() && known_language(language)) st.language = std::string(language);
    const auto f = std::lower_bound(st.feeds.begin(), st.feeds.end(), item.feed_id);
    if ((f == st.feeds.end() || *f != item.feed_id) && st.feeds.size() < kMaxFeedsPerStory)
      st.feeds.insert(f, item.feed_id);
    st.recent[st.recent_count % kRecentPerStory] = item.key;
    ++st.recent_count;
    // Centroid: the sum of the members' unit vectors, cut to its strongest terms.
    TermVector merged;
    merged.reserve(st.centroid.size() + v.size());
    std::merge(st.centroid.begin(), st.centroid.end(), v.begin(), v.end(), std::back_inserter(merged));
    std::size_t w = 0;
    for (std::size_t r = 0; r < merged.size(); ++r) {
      if (w > 0 && merged[w - 1].first == merged[r].first) {
        merged[w - 1].second += merged[r].second;
      } else {
        merged[w++] = merged[r];
      }
    }
    merged.resize(w);
    if (merged.size() > t.centroid_terms) {
      std::nth_element(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(t.centroid_terms), merged.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      merged.resize(t.centroid_terms);
      std::sort(merged.begin(), merged.end());
    }
    st.centroid = std::move(merged);
    st.norm = norm_of(st.centroid);
  }

  // Indexes an item already placed in its slot, with its story set.
  void index_item(std::uint32_t slot, const TermVector& v) {
    ItemRec& item = s.items[slot];
    item.live = true;
    s.by_key[item.key] = slot;
    s.order.push_back(slot);
    ++s.live_items;
    for (std::uint32_t term : item.text.section(PackedText::kTerms))
      ++s.df.get(term, 0);
    // Posted under its strongest terms.
    TermVector top = v;
    const std::size_t k = std::min(kIndexedTerms, top.size());
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(k), top.end(),
                      [](const auto& a, const auto& b) { return a.second > b.second; });
    item.indexed.clear();
    for (std::size_t i = 0; i < k; ++i) {
      std::uint32_t& index = s.posting_index.get(top[i].first, kNone);
      if (index == kNone) {
        if (s.free_lists.empty()) {
          index = static_cast<std::uint32_t>(s.posting_lists.size());
          s.posting_lists.emplace_back();
        } else {
          index = s.free_lists.back();
          s.free_lists.pop_back();
        }
      }
      auto& list = s.posting_lists[index];
      if (list.size() >= kPostingCap) list.erase(list.begin());
      list.push_back({slot, item.story});
      item.indexed.push_back(top[i].first);
    }
    // A band value shared by kBucketCap live items is boilerplate (a feed's stock summary, a
    // template), not evidence of a copy: later items are not filed under it, so the copy check
    // stays bounded; their other bands still find their copies.
    for (std::size_t b = 0; b < kBands; ++b) {
      if (item.text.bands[b] == 0) continue;
      const std::uint32_t key = item.text.bands[b] ^ static_cast<std::uint32_t>(b);
      if (s.buckets.count(key, kBucketCap) < kBucketCap) s.buckets.insert(key, slot);
    }
  }

  void remove_item(std::uint32_t slot) {
    ItemRec& item = s.items[slot];
    if (!item.live) return;
    for (std::size_t b = 0; b < kBands; ++b)
      if (item.text.bands[b] != 0) s.buckets.erase(item.text.bands[b] ^ static_cast<std::uint32_t>(b), slot);
    for (std::uint32_t term : item.indexed) {
      const std::uint32_t* index = s.posting_index.find(term);
      if (index == nullptr) continue;
      auto& list = s.posting_lists[*index];
      list.erase(std::remove_if(list.begin(), list.end(), [slot](const auto& p) { return p.item == slot; }),
                 list.end());
      if (list.empty()) {
        list.shrink_to_fit();
        s.free_lists.push_back(*index);
        s.posting_index.erase(term);
      }
    }
    for (std::uint32_t term : item.text.section(PackedText::kTerms)) {
      std::uint32_t* n = s.df.find(term);
      if (n != nullptr && --*n == 0) s.df.erase(term);
    }
    s.by_key.erase(item.key);
    StoryRec& st = s.stories[item.story];
    if (--st.live_items == 0) {
      st.live = false;
      s.story_by_id.erase(st.id);
      st = StoryRec{};
      s.free_stories.push_back(item.story);
      --s.live_stories;
    }
    item = ItemRec{};
    s.free_items.push_back(slot);
    --s.live_items;
  }

  void expire(TimePoint now) {
    if (now > s.now) s.now = now;
    const TimePoint horizon = s.now - t.window;
    while (!s.order.empty() && s.items[s.order.front()].arrival < horizon) {
      remove_item(s.order.front());
      s.order.pop_front();
    }
  }

  // Stories reached by at least two of the item's strongest terms (joining needs two shared
  // words anyway), most terms first, at most kMaxCandidateStories of them.
  void gather_candidate_stories(const TermVector& v) {
    s.cand_stories.clear();
    TermVector top = v;
    const std::size_t k = std::min(kIndexedTerms, top.size());
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(k), top.end(),
                      [](const auto& a, const auto& b) { return a.second > b.second; });
    auto& hits = s.cand_items;  // free until the copy search: one story per (term, story)
    hits.clear();
    for (std::size_t i = 0; i < k; ++i) {
      const std::uint32_t* index = s.posting_index.find(top[i].first);
      if (index == nullptr) continue;
      const std::size_t from = hits.size();
      for (const auto& p : s.posting_lists[*index])
        hits.push_back(p.story);
      std::sort(hits.begin() + static_cast<std::ptrdiff_t>(from), hits.end());
      hits.erase(std::unique(hits.begin() + static_cast<std::ptrdiff_t>(from), hits.end()), hits.end());
    }
    std::sort(hits.begin(), hits.end());
    s.counted.clear();
    for (std::size_t i = 0; i < hits.size();) {
      std::size_t j = i;
      while (j < hits.size() && hits[j] == hits[i])
        ++j;
      if (j - i >= 1) s.counted.emplace_back(static_cast<std::uint32_t>(j - i), hits[i]);
      i = j;
    }
    const std::size_t keep = std::min(kMaxCandidateStories, s.counted.size());
    std::partial_sort(
        s.counted.begin(), s.counted.begin() + static_cast<std::ptrdiff_t>(keep), s.counted.end(),
        [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    for (std::size_t i = 0; i < keep; ++i)
      s.cand_stories.push_back(s.counted[i].second);
  }
};

}  // namespace

void StoryEngine::expire(TimePoint now) { Ops{*state_, tuning_}.expire(now); }

StoryAssignment StoryEngine::assign(const StoryItem& in) {
  State& s = *state_;
  Ops ops{s, tuning_};
  ops.expire(in.arrival);
  const std::uint64_t key = item_key(in.feed_id, in.item_id);
  if (const auto it = s.by_key.find(key); it != s.by_key.end()) {
    StoryAssignment a = ops.assignment_of(s.items[it->second]);
    a.new_story = false;
    return a;
  }
  s.builder.build(in.title, in.summary, in.entities, s.text);
  ops.vectorise(s.text, s.vec);

  // Stories that share the item's strongest terms, scored.
  ops.gather_candidate_stories(s.vec);
  std::vector<Ops::StoryScore> scored;
  scored.reserve(s.cand_stories.size());
  for (std::uint32_t st : s.cand_stories)
    scored.push_back(ops.score_story(st, s.vec, s.text.entities.size(), in.language));
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.cosine > b.cosine; });

  // Copy candidates: LSH band mates, and the latest items of the closest stories.
  s.cand_items.clear();
  for (std::size_t b = 0; b < kBands; ++b) {
    if (s.text.bands[b] == 0) continue;
    s.buckets.for_each(s.text.bands[b] ^ static_cast<std::uint32_t>(b),
                       [&](std::uint32_t slot) { s.cand_items.push_back(slot); });
  }
  for (std::size_t i = 0; i < std::min(kCopyStories, scored.size()); ++i) {
    if (scored[i].cosine < tuning_.join_cosine) break;  // a copy's story is far closer than that
    const StoryRec& st = s.stories[scored[i].story];
    const std::size_t n = std::min(st.recent_count, kRecentPerStory);
    for (std::size_t k = 0; k < n; ++k) {
      if (const auto it = s.by_key.find(st.recent[k]); it != s.by_key.end()) s.cand_items.push_back(it->second);
    }
  }
  std::sort(s.cand_items.begin(), s.cand_items.end());
  s.cand_items.erase(std::unique(s.cand_items.begin(), s.cand_items.end()), s.cand_items.end());
  std::uint32_t original = kNone;
  double best_copy = -1;
  const TextView mine = view_of(s.text);
  s.text_bits.clear();
  for (const std::uint32_t h : s.text.shingles)
    s.text_bits.push_back(static_cast<std::uint8_t>(shingle_bit(h)));
  for (std::uint32_t slot : s.cand_items) {
    if (!ops.may_be_copy(mine, s.text_bits, s.sketches[slot])) continue;
    const ItemRec& other = s.items[slot];
    const double score = ops.copy_score(mine, other.text.view());
    if (score < 0) continue;
    // The closest; of equals, the earliest.
    if (original == kNone || score > best_copy || (score == best_copy && other.arrival < s.items[original].arrival)) {
      best_copy = score;
      original = slot;
    }
  }

  const std::uint32_t slot = ops.new_item(in, key);
  ItemRec& item = s.items[slot];

  std::uint32_t story = kNone;
  if (original != kNone) {
    const ItemRec& o = s.items[original];
    item.copy_of = o.copy_of ? o.copy_of : o.item_id;
    item.copy_feed = o.copy_of ? o.copy_feed : o.feed_id;
    story = o.story;
  } else {
    for (const auto& sc : scored) {
      if (sc.joins) {
        story = sc.story;
        break;
      }
    }
  }
  if (story == kNone) story = ops.new_story(item, in.language);
  s.items[slot].story = story;
  ops.add_to_story(story, slot, s.vec, in.language, true);
  ops.index_item(slot, s.vec);
  return ops.assignment_of(s.items[slot]);
}

void StoryEngine::restore(const std::vector<StoryRecord>& stories, const std::vector<RecordedItem>& items) {
  State& s = *state_;
  Ops ops{s, tuning_};
  std::unordered_map<std::string, const StoryRecord*> records;
  for (const auto& r : stories)
    records.emplace(r.story_id, &r);
  std::unordered_map<std::string, std::uint32_t> slots;
  for (const auto& rec : items) {
    const StoryItem& in = rec.item;
    const std::uint64_t key = item_key(in.feed_id, in.item_id);
    if (s.by_key.count(key) != 0) continue;
    ops.expire(in.arrival);
    s.builder.build(in.title, in.summary, in.entities, s.text);
    ops.vectorise(s.text, s.vec);
    const std::uint32_t slot = ops.new_item(in, key);
    ItemRec& item = s.items[slot];
    item.copy_of = rec.copy_of;
    item.copy_feed = rec.copy_feed;
    std::uint32_t story = kNone;
    if (const auto it = slots.find(rec.story_id); it != slots.end() && s.stories[it->second].live) {
      story = it->second;
    } else {
      story = ops.new_story(item, in.language);
      StoryRec& st = s.stories[story];
      // Keep the recorded id and history, not ones derived from the oldest surviving item.
      s.story_by_id.erase(st.id);
      st.story_id = rec.story_id;
      st.id = parse_story_id(rec.story_id);
      s.story_by_id[st.id] = story;
      if (const auto r = records.find(rec.story_id); r != records.end()) {
        st.first_seen = r->second->first_seen;
        st.last_seen = r->second->last_seen;
        st.first_feed = r->second->first_feed;
        st.first_item = r->second->first_item;
        if (!r->second->language.empty()) st.language = r->second->language;
        st.size = r->second->size;
        st.feeds = r->second->feeds;
        std::sort(st.feeds.begin(), st.feeds.end());
      }
      slots[rec.story_id] = story;
    }
    s.items[slot].story = story;
    ops.add_to_story(story, slot, s.vec, in.language, !records.count(rec.story_id));
    ops.index_item(slot, s.vec);
  }
}

std::optional<StoryRecord> StoryEngine::story(std::string_view story_id) const {
  const auto it = state_->story_by_id.find(parse_story_id(story_id));
  if (it != state_->story_by_id.end()) {
    const StoryRecord& persisted = state_->stories[it->second];
    return persisted;
  }
  return std::nullopt;
}

}  // namespace newswatch::stories
