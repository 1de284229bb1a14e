#pragma once
// HostOwnership: which live node polls which host. A feed's host is reduced to its
// registrable domain (libpsl), and each domain goes to one member by rendezvous hashing.
//
// Rendezvous (highest random weight) hashing: each member gets a weight per key from a fixed
// hash of (member, key); the heaviest member owns the key. Every node computes the same answer
// from the same member list; a member joining takes only the keys it now outweighs, and a
// member leaving gives away only its own keys. The hash is FNV-1a with a 64-bit finaliser,
// fixed here forever: nodes of different builds must agree (docs/cluster.md).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace newswatch::cluster {

// The unit of ownership for a feed URL: the registrable domain of its host
// ("news.bbc.co.uk" -> "bbc.co.uk"), the host itself when it has none (an IP address,
// "localhost", a bare public suffix), lower-cased, without port or user info. "" for a URL
// without a host (file://).
std::string ownership_key(std::string_view url);

// The weight of `member` for `key`: the same on every node and every build.
std::uint64_t rendezvous_weight(std::string_view member, std::string_view key);

// The member owning `key` (ties, which need a 64-bit collision, go to the smaller name), or
// nullopt when `members` is empty.
std::optional<std::string> owner_of(std::string_view key, const std::vector<std::string>& members);

// The owner of each key among `keys`, for status pages and tests.
std::map<std::string, std::string> assign(const std::vector<std::string>& keys,
                                          const std::vector<std::string>& members);

}  // namespace newswatch::cluster
