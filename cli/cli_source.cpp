// Where `parse`, `match`, `cluster` and `import-opml` get their bytes: a path, `-` (stdin), a
// file:// URL or an http(s) URL. The person running the command names the file, so file://
// is always allowed here: [fetch] allow_file_urls guards the daemon, which reads what a config
// names, not this tool.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli.hpp"
#include "feeds/http_fetcher.hpp"

namespace newswatch::cli {
namespace {

Result<std::string> read_stream(std::istream& in, const std::string& name) {
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error("cannot read " + name + ": " + std::strerror(errno));
  return ss.str();
}

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return make_error("cannot read " + path + ": " + std::strerror(EISDIR));
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + path + ": " + std::strerror(errno != 0 ? errno : ENOENT));
  return read_stream(in, path);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> file_url_path(const std::string& url) {
  std::string rest = url.substr(7);  // after "file://"
  // file:///path and file://localhost/path name a local file; file://host/path does not.
  if (rest.rfind("localhost/", 0) == 0) rest.erase(0, 9);
  if (rest.empty() || rest[0] != '/')
    return make_error(url + ": a file URL names a local absolute path (file:///path)");
  std::string path;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && hex_value(rest[i + 1]) >= 0 && hex_value(rest[i + 2]) >= 0) {
      path += static_cast<char>(hex_value(rest[i + 1]) * 16 + hex_value(rest[i + 2]));
      i += 2;
    } else if (rest[i] == '?' || rest[i] == '#') {
      break;
    } else {
      path += rest[i];
    }
  }
  return path;
}

Result<FeedSource> read_feed_source(const std::string& file_or_url) {
  FeedSource src;
  if (file_or_url.rfind("http://", 0) == 0 || file_or_url.rfind("https://", 0) == 0) {
    feeds::FetchOptions options;
    options.user_agent = "newswatch/0.1 (command line)";
    options.timeout = std::chrono::seconds(30);
    auto r = feeds::fetch_blocking({file_or_url, "", ""}, options);
    if (r.outcome != feeds::FetchOutcome::ok) {
      return make_error(file_or_url + ": " + feeds::to_string(r.outcome) + (r.error.empty() ? "" : ": " + r.error));
    }
    src.body = std::move(r.body);
    src.content_type = std::move(r.content_type);
    src.content_language = std::move(r.content_language);
    src.base_url = r.effective_url.empty() ? file_or_url : r.effective_url;
    return src;
  }
  if (file_or_url == "-") {
    auto body = read_stream(std::cin, "stdin");
    if (!body) return body.error();
    src.body = std::move(*body);
    return src;
  }
  if (file_or_url.rfind("file://", 0) == 0) {
    auto path = file_url_path(file_or_url);
    if (!path) return path.error();
    auto body = read_file(*path);
    if (!body) return body.error();
    src.body = std::move(*body);
    src.base_url = file_or_url;
    return src;
  }
  // "ftp://…", "gopher://…": a scheme we do not speak, said as such rather than "cannot read".
  if (const auto colon = file_or_url.find("://"); colon != std::string::npos && colon > 0) {
    const std::string scheme = file_or_url.substr(0, colon);
    if (std::all_of(scheme.begin(), scheme.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
        })) {
      return make_error(file_or_url + ": unsupported scheme '" + scheme +
                        "' (give a file, '-' for stdin, or an http, https or file URL)");
    }
  }
  auto body = read_file(file_or_url);
  if (!body) return body.error();
  src.body = std::move(*body);
  return src;
}

}  // namespace newswatch::cli
