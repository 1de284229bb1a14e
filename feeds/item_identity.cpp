#include "feeds/item_identity.hpp"

#include <cstdint>
#include <cstdio>

namespace newswatch::feeds {
namespace {

class Fnv1a64 {
 public:
  void mix(std::string_view s) {
    for (unsigned char c : s) {
      h_ ^= c;
      h_ *= 1099511628211ULL;
    }
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 1469598103934665603ULL;
};

std::string hash_of(std::string_view link, const Item& item) {
  Fnv1a64 h;
  h.mix(link);
  h.mix(std::string_view("\n", 1));
  h.mix(item.title);
  if (link.empty() && item.title.empty()) {
    // Nothing to name it by but its text.
    h.mix(std::string_view("\n", 1));
    h.mix(item.summary);
    h.mix(std::string_view("\n", 1));
    h.mix(item.content);
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h.value()));
  return std::string("hash:") + buf;
}

}  // namespace

void assign_fallback_id(Item& item, std::string_view link) {
  if (item.id.empty()) item.id = hash_of(link, item);
}

}  // namespace newswatch::feeds
