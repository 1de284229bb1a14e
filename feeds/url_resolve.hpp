#pragma once
// RFC 3986 reference resolution (section 5.2): relative links in feeds against xml:base
// and the feed URL. Pure string work; no normalisation beyond what the RFC requires.

#include <string>
#include <string_view>

namespace newswatch::feeds {

// Resolves reference against base. An empty or non-absolute base leaves the reference as
// written (there is nothing to resolve against); an absolute reference is returned as is
// apart from dot-segment removal.
std::string resolve_url(std::string_view base, std::string_view reference);

// True if s starts with a URI scheme ("http:", "urn:", ...).
bool has_scheme(std::string_view s);

}  // namespace newswatch::feeds
