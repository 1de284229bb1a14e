#include "feeds/url_resolve.hpp"

#include <optional>

#include "common/text.hpp"

namespace newswatch::feeds {
namespace {

struct UriParts {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> fragment;
};

std::size_t scheme_length(std::string_view s) {
  if (s.empty() || !is_ascii_alpha(s[0])) return 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') return i;
    if (!(is_ascii_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return 0;
  }
  return 0;
}

// Splits by the regular expression of RFC 3986 appendix B, without a regex engine.
UriParts split(std::string_view s) {
  UriParts p;
  if (const auto n = scheme_length(s); n > 0) {
    p.scheme = s.substr(0, n);
    s.remove_prefix(n + 1);
  }
  if (const auto hash = s.find('#'); hash != std::string_view::npos) {
    p.fragment = s.substr(hash + 1);
    s = s.substr(0, hash);
  }
  if (const auto q = s.find('?'); q != std::string_view::npos) {
    p.query = s.substr(q + 1);
    s = s.substr(0, q);
  }
  if (s.substr(0, 2) == "//") {
    s.remove_prefix(2);
    const auto slash = s.find('/');
    p.authority = s.substr(0, slash);
    s = slash == std::string_view::npos ? std::string_view{} : s.substr(slash);
  }
  p.path = s;
  return p;
}

// Section 5.2.4.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../" || in == "/..") {
      in = in.size() == 3 ? std::string_view("/") : in.substr(3);
      const auto last = out.rfind('/');
      out.resize(last == std::string::npos ? 0 : last);
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const auto next = in.find('/', in[0] == '/' ? 1 : 0);
      const auto seg = in.substr(0, next);
      out.append(seg);
      in.remove_prefix(seg.size());
    }
  }
  return out;
}

// Appends rather than concatenates: GCC 12 at -O3 warns falsely on `"/" + std::string` (bug 105329).
std::string merge(const UriParts& base, std::string_view ref_path) {
  std::string out;
  out.reserve(base.path.size() + ref_path.size() + 1);
  if (base.authority && base.path.empty()) {
    out.push_back('/');
  } else if (const auto slash = base.path.rfind('/'); slash != std::string_view::npos) {
    out.append(base.path.substr(0, slash + 1));
  }
  out.append(ref_path);
  return out;
}

std::string recompose(std::string_view scheme, const std::optional<std::string_view>& authority, std::string_view path,
                      const std::optional<std::string_view>& query, const std::optional<std::string_view>& fragment) {
  std::string out;
  out.reserve(scheme.size() + path.size() + 32);
  if (!scheme.empty()) {
    out.append(scheme);
    out.push_back(':');
  }
  if (authority) {
    out.append("//");
    out.append(*authority);
  }
  out.append(path);
  if (query) {
    out.push_back('?');
    out.append(*query);
  }
  if (fragment) {
    out.push_back('#');
    out.append(*fragment);
  }
  return out;
}

}  // namespace

bool has_scheme(std::string_view s) { return scheme_length(s) > 0; }

std::string resolve_url(std::string_view base_text, std::string_view ref_text) {
  ref_text = trim_space(ref_text);
  base_text = trim_space(base_text);
  const UriParts ref = split(ref_text);
  if (ref.scheme) {
    // Only hierarchical URLs have dot segments worth removing; leave "urn:", "mailto:" alone.
    if (!ref.authority) return std::string(ref_text);
    const std::string path = remove_dot_segments(ref.path);
    return recompose(*ref.scheme, ref.authority, path, ref.query, ref.fragment);
  }
  const UriParts base = split(base_text);
  if (!base.scheme) return std::string(ref_text);
  std::optional<std::string_view> authority;
  std::string path;
  std::optional<std::string_view> query;
  if (ref.authority) {
    authority = ref.authority;
    path = remove_dot_segments(ref.path);
    query = ref.query;
  } else {
    authority = base.authority;
    if (ref.path.empty()) {
      path = std::string(base.path);
      query = ref.query ? ref.query : base.query;
    } else {
      path = ref.path.front() == '/' ? remove_dot_segments(ref.path) : remove_dot_segments(merge(base, ref.path));
      query = ref.query;
    }
  }
  return recompose(*base.scheme, authority, path, query, ref.fragment);
}

}  // namespace newswatch::feeds
