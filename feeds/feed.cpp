#include "feeds/feed.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace newswatch::feeds {

bool tidy_categories(std::vector<std::string>& categories) {
  auto& c = categories;
  std::vector<bool> keep;
  if (c.size() > 16) {
    // Sorted stably, equal names sit together with the first seen leading its run.
    std::vector<std::uint32_t> order(c.size());
    std::iota(order.begin(), order.end(), 0U);
    std::stable_sort(order.begin(), order.end(), [&c](std::uint32_t a, std::uint32_t b) { return c[a] < c[b]; });
    keep.assign(c.size(), false);
    for (std::size_t i = 0; i < order.size(); ++i)
      keep[order[i]] = i == 0 || c[order[i]] != c[order[i - 1]];
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const auto first_kept = c.begin();
    const auto end_kept = c.begin() + static_cast<std::ptrdiff_t>(kept);
    // The usual item has a few: comparing with those kept so far costs less than sorting.
    const bool first_seen = keep.empty() ? std::find(first_kept, end_kept, c[i]) == end_kept : keep[i];
    if (c[i].empty() || !first_seen) continue;
    if (kept != i) c[kept] = std::move(c[i]);
    ++kept;
  }
  c.resize(std::min(kept, kMaxCategories));
  return kept > kMaxCategories;
}

}  // namespace newswatch::feeds
