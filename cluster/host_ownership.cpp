#include "cluster/host_ownership.hpp"

#include <libpsl.h>

#include <algorithm>

#include "common/hash.hpp"

namespace newswatch::cluster {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_ipv4(std::string_view host) {
  int parts = 0;
  std::size_t digits = 0;
  for (const char c : host) {
    if (c >= '0' && c <= '9') {
      if (++digits > 3) return false;
    } else if (c == '.') {
      if (digits == 0) return false;
      ++parts;
      digits = 0;
    } else {
      return false;
    }
  }
  return digits > 0 && parts == 3;
}

// The host of an absolute URL: after "scheme://", before the path, without user info and
// port; an IPv6 literal keeps its brackets.
std::string host_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  auto authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    host = host.substr(0, close == std::string_view::npos ? host.size() : close + 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  while (!host.empty() && host.back() == '.')  // "example.com." is example.com
    host.remove_suffix(1);
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

const psl_ctx_t* suffix_list() {
  // The list compiled into libpsl: no file is read, so every node of one build agrees.
  static const psl_ctx_t* const builtin = psl_builtin();
  return builtin;
}

}  // namespace

std::string ownership_key(std::string_view url) {
  std::string host = host_of(url);
  if (host.empty() || host.front() == '[' || is_ipv4(host)) return host;
  if (const psl_ctx_t* psl = suffix_list()) {
    if (const char* domain = psl_registrable_domain(psl, host.c_str())) return domain;
  }
  return host;
}

std::uint64_t rendezvous_weight(std::string_view member, std::string_view key) {
  std::uint64_t h = fnv1a(kFnvOffset, member);
  h = fnv1a(h, std::string_view("\0", 1));  // "ab"+"c" and "a"+"bc" must differ
  return mix64(fnv1a(h, key));
}

std::optional<std::string> owner_of(std::string_view key, const std::vector<std::string>& members) {
  const std::string* best = nullptr;
  std::uint64_t best_weight = 0;
  for (const auto& m : members) {
    const auto w = rendezvous_weight(m, key);
    if (best == nullptr || w > best_weight || (w == best_weight && m < *best)) {
      best = &m;
      best_weight = w;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

std::map<std::string, std::string> assign(const std::vector<std::string>& keys,
                                          const std::vector<std::string>& members) {
  std::map<std::string, std::string> out;
  for (const auto& k : keys) {
    if (auto o = owner_of(k, members)) out[k] = std::move(*o);
  }
  return out;
}

}  // namespace newswatch::cluster
