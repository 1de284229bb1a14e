#include "feeds/address_policy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>

namespace newswatch::feeds {
namespace {

const char* ipv4_class(std::uint32_t a) {
  const auto in = [a](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x00000000, 8)) return "unspecified";
  if (in(0x7F000000, 8)) return "loopback";
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return "private";
  if (in(0x64400000, 10)) return "shared address space";
  if (in(0xA9FE0000, 16)) return "link-local";
  if (in(0xC0000000, 24)) return "IETF protocol assignments";
  if (in(0xC6120000, 15)) return "benchmarking";
  if (in(0xE0000000, 4)) return "multicast";
  if (in(0xF0000000, 4)) return "reserved";
  return nullptr;
}

// The IPv4 address written in the four bytes at b, as a host-order number.
std::uint32_t v4_at(const std::uint8_t* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

const char* ipv6_class(const std::uint8_t* b, std::uint32_t& mapped_v4, bool& is_mapped) {
  static constexpr std::uint8_t zero[16] = {};
  static constexpr std::uint8_t nat64_prefix[4] = {0x00, 0x64, 0xFF, 0x9B};  // 64:ff9b::/32
  is_mapped = false;
  if (std::memcmp(b, zero, 16) == 0) return "unspecified";
  if (std::memcmp(b, zero, 15) == 0 && b[15] == 1) return "loopback";
  const bool v4_mapped = std::memcmp(b, zero, 10) == 0 && b[10] == 0xFF && b[11] == 0xFF;
  const bool v4_compat = std::memcmp(b, zero, 12) == 0;
  const bool nat64 = std::memcmp(b, nat64_prefix, 4) == 0 && std::memcmp(b + 4, zero, 8) == 0;
  if (v4_mapped || v4_compat || nat64) {
    is_mapped = true;
    mapped_v4 = v4_at(b + 12);
    return nullptr;
  }
  if (b[0] == 0x20 && b[1] == 0x02) {  // 6to4 (2002::/16): the IPv4 address it tunnels to follows
    is_mapped = true;
    mapped_v4 = v4_at(b + 2);
    return nullptr;
  }
  // Local-use IPv4/IPv6 translation (RFC 8215): the network's own NAT64, whatever it embeds.
  if (std::memcmp(b, nat64_prefix, 4) == 0 && b[4] == 0x00 && b[5] == 0x01) return "local-use NAT64";
  if (b[0] == 0x01 && std::memcmp(b + 1, zero, 7) == 0) return "discard";  // 100::/64
  if ((b[0] & 0xFE) == 0xFC) return "unique local";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "link-local";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return "site-local";
  if (b[0] == 0xFF) return "multicast";
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return "documentation";
  return nullptr;
}

}  // namespace

bool is_blocked_address(const sockaddr* address, std::string& why) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, address, sizeof v4);
    const std::uint32_t a = ntohl(v4.sin_addr.s_addr);
    if (const char* c = ipv4_class(a)) {
      inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
      why = std::string(text) + " (" + c + ")";
      return true;
    }
    return false;
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, address, sizeof v6);
    std::uint32_t mapped = 0;
    bool is_mapped = false;
    const char* c = ipv6_class(v6.sin6_addr.s6_addr, mapped, is_mapped);
    if (is_mapped) c = ipv4_class(mapped);
    if (c != nullptr) {
      inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
      why = std::string(text) + " (" + c + (is_mapped ? ", embedded IPv4" : "") + ")";
      return true;
    }
    return false;
  }
  why = "address family " + std::to_string(address->sa_family);
  return true;  // only IP is ever allowed
}

}  // namespace newswatch::feeds
