#include "feeds/address_policy.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace newswatch::feeds {
namespace {

bool blocked(const char* text) {
  std::string why;
  if (std::string(text).find(':') != std::string::npos) {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text, &a.sin6_addr), 1) << text;
    return is_blocked_address(reinterpret_cast<const sockaddr*>(&a), why);
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  EXPECT_EQ(inet_pton(AF_INET, text, &a.sin_addr), 1) << text;
  return is_blocked_address(reinterpret_cast<const sockaddr*>(&a), why);
}

TEST(AddressPolicy, RefusesEveryNonPublicRange) {
  for (const char* a : {"127.0.0.1",
                        "127.255.0.9",
                        "10.1.2.3",
                        "172.16.0.1",
                        "172.31.255.255",
                        "192.168.1.1",
                        "169.254.169.254",
                        "0.0.0.0",
                        "100.64.0.1",
                        "224.0.0.1",
                        "239.1.1.1",
                        "255.255.255.255",
                        "::",
                        "::1",
                        "fe80::1",
                        "fc00::1",
                        "fd12:3456::1",
                        "ff02::1",
                        "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1",
                        "::ffff:169.254.169.254",
                        "64:ff9b::a00:1",
                        "64:ff9b:1::a00:1",
                        "64:ff9b:1::808:808",
                        "2002:7f00:1::",
                        "2002:a00:1::1",
                        "100::1"}) {
    EXPECT_TRUE(blocked(a)) << a;
  }
}

TEST(AddressPolicy, AllowsPublicAddresses) {
  for (const char* a :
       {"8.8.8.8", "93.184.216.34", "172.32.0.1", "172.15.255.255", "192.169.0.1", "100.128.0.1", "2606:4700::1111",
        "::ffff:8.8.8.8", "2a00:1450:4001::1", "2002:808:808::1", "64:ff9b::808:808", "100:0:0:1::1"}) {
    EXPECT_FALSE(blocked(a)) << a;
  }
}

TEST(AddressPolicy, SaysWhy) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "10.0.0.7", &a.sin_addr);
  std::string why;
  ASSERT_TRUE(is_blocked_address(reinterpret_cast<const sockaddr*>(&a), why));
  EXPECT_EQ(why, "10.0.0.7 (private)");
}

}  // namespace
}  // namespace newswatch::feeds
