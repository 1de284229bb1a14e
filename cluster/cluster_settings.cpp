#include "cluster/cluster_settings.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>

namespace newswatch::cluster {

namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

}  // namespace

std::string members_bucket(const ClusterSettings& s) { return s.stream + "_members"; }
std::string feeds_bucket(const ClusterSettings& s) { return s.stream + "_feeds"; }
std::string seen_stream(const ClusterSettings& s) { return s.stream + "_SEEN"; }

std::string subject_for(std::string_view topic) {
  std::string out(kSubjectPrefix);
  out += topic;
  return out;
}

std::optional<std::string> stream_name_problem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 64) return "must be at most 64 characters";
  if (!std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '-' || c == '_'; }))
    return "may use only letters, digits, '-' and '_'";
  return std::nullopt;
}

std::optional<std::string> node_name_problem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 128) return "must be at most 128 characters";
  if (!std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; }))
    return "may use only letters, digits, '-', '_' and '.'";
  if (name.front() == '.' || name.back() == '.') return "must not start or end with '.'";
  return std::nullopt;
}

std::optional<std::string> topic_subject_problem(std::string_view topic) {
  if (topic.empty()) return "is empty";
  std::size_t start = 0;
  while (start <= topic.size()) {
    const auto dot = topic.find('.', start);
    const auto token = topic.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    // A topic may end in '.', which the stream cannot take as a subject token.
    if (token.empty()) return "has an empty part between dots (a NATS subject cannot)";
    if (token == "*" || token == ">") return "has a '*' or '>' part (a NATS wildcard)";
    for (const char c : token) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= ' ' || u == 0x7f) return "contains a space or control character (a NATS subject cannot)";
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return std::nullopt;
}

std::optional<std::string> server_url_problem(std::string_view url) {
  static constexpr std::array<std::string_view, 4> kSchemes{"nats://", "tls://", "ws://", "wss://"};
  const auto scheme =
      std::find_if(kSchemes.begin(), kSchemes.end(), [&](std::string_view s) { return url.substr(0, s.size()) == s; });
  if (scheme == kSchemes.end()) return "must start with nats://, tls://, ws:// or wss://";
  const auto rest = url.substr(scheme->size());
  if (rest.empty() || rest.front() == ':' || rest.front() == '/') return "has no host";
  if (std::any_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == ','; }))
    return "contains a space, control character or ',' (give several servers as an array)";
  return std::nullopt;
}

std::string default_node_name() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0) return "node";
  std::string name(buf.data());
  // A host name is letters, digits, '-' and '.': already a valid node name unless odd.
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !(is_alnum(c) || c == '-' || c == '_' || c == '.'); }, '_');
  while (!name.empty() && name.front() == '.')
    name.erase(name.begin());
  while (!name.empty() && name.back() == '.')
    name.pop_back();
  if (name.size() > 128) name.resize(128);
  return name.empty() ? "node" : name;
}

}  // namespace newswatch::cluster
