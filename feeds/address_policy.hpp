#pragma once
// Which peer addresses block_private_addresses refuses: loopback, private, link-local,
// multicast, unspecified and reserved ranges, IPv4 and IPv6 (an IPv4 address inside an IPv6
// one, mapped, NAT64 or 6to4, is judged as that IPv4 address).

#include <sys/socket.h>

#include <string>

namespace newswatch::feeds {

// True when the address must not be connected to; `why` then names it ("127.0.0.1 (loopback)").
bool is_blocked_address(const sockaddr* address, std::string& why);

}  // namespace newswatch::feeds
