// The practical limit for one poll cycle: a bare libcurl multi loop (curl_multi_poll, no
// Asio, no scheduler, no database) over a list of URLs, N transfers at a time, with the
// same request options as HttpFetcher (conditional GET, Accept-Encoding, limits).
//
//   bench_curl_multi URLS_FILE CONCURRENCY [--save FILE] [--load FILE] [--parse]
//
// --save writes each URL's ETag/Last-Modified after the cycle; --load sends them, so a
// second process run measures the all-304 cycle like a restarted daemon would.
// --parse parses every 200 body with pugixml as it arrives and copies each RSS item's or
// Atom entry's fields into strings: the least a feed reader must do with a body (no
// dedup, matching, journal or publishing), the floor a daemon's poll cycle is held to.
// Prints one line: "fetched N ok A not_modified B failed C bytes D items I".

#include <curl/curl.h>

#include <pugixml.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

struct Transfer {
  std::size_t index = 0;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy{nullptr, &curl_easy_cleanup};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers{nullptr, &curl_slist_free_all};
  std::string body;
  std::string etag;
  std::string last_modified;
};

struct Validators {
  std::string etag;
  std::string last_modified;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<Transfer*>(user)->body.append(data, size * n);
  return size * n;
}

// What a reader keeps of one item; strings, not views, so the copy is really made.
struct ItemFields {
  std::string title;
  std::string link;
  std::string id;
  std::string summary;
  std::string content;
  std::string date;
};

std::string text_of(const pugi::xml_node& parent, const char* name) { return parent.child(name).text().get(); }

// Atom's link: the rel="alternate" one (no rel means alternate), else the first.
std::string atom_link(const pugi::xml_node& entry) {
  pugi::xml_node first;
  for (pugi::xml_node link : entry.children("link")) {
    if (!first) first = link;
    const std::string_view rel = link.attribute("rel").value();
    if (rel.empty() || rel == "alternate") return link.attribute("href").value();
  }
  return first.attribute("href").value();
}

// Parses one body and copies every item's fields; returns the number of items, or 0 for a
// body that is not RSS 2.0, RSS 1.0 or Atom.
std::size_t parse_items(const std::string& body, std::vector<ItemFields>& out) {
  out.clear();
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return 0;
  const pugi::xml_node root = doc.document_element();
  const std::string_view name = root.name();
  if (name == "feed") {
    for (pugi::xml_node e : root.children("entry")) {
      out.push_back({text_of(e, "title"), atom_link(e), text_of(e, "id"), text_of(e, "summary"), text_of(e, "content"),
                     text_of(e, "updated")});
    }
  } else {
    const pugi::xml_node parent = name == "rss" ? root.child("channel") : root;  // rdf:RDF keeps items at the top
    for (pugi::xml_node e : parent.children("item")) {
      std::string id = text_of(e, "guid");
      if (id.empty()) id = e.attribute("rdf:about").value();
      std::string date = text_of(e, "pubDate");
      if (date.empty()) date = text_of(e, "dc:date");
      out.push_back({text_of(e, "title"), text_of(e, "link"), std::move(id), text_of(e, "description"),
                     text_of(e, "content:encoded"), std::move(date)});
    }
  }
  return out.size();
}

std::string header_value(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return {};
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return {};
  }
  line.remove_prefix(name.size() + 1);
  while (!line.empty() && line.front() == ' ')
    line.remove_prefix(1);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' '))
    line.remove_suffix(1);
  return std::string(line);
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * n);
  if (auto v = header_value(line, "etag"); !v.empty()) t->etag = v;
  if (auto v = header_value(line, "last-modified"); !v.empty()) t->last_modified = v;
  return size * n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_curl_multi URLS_FILE CONCURRENCY [--save FILE] [--load FILE] [--parse]\n";
    return 2;
  }
  std::vector<std::string> urls;
  {
    std::ifstream in(argv[1]);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) urls.push_back(line);
  }
  const long concurrency = std::stol(argv[2]);
  std::string save_path;
  std::string load_path;
  bool parse = false;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--parse") == 0) {
      parse = true;
    } else if (i + 1 < argc && std::strcmp(argv[i], "--save") == 0) {
      save_path = argv[++i];
    } else if (i + 1 < argc && std::strcmp(argv[i], "--load") == 0) {
      load_path = argv[++i];
    } else {
      std::cerr << "bench_curl_multi: unknown argument " << argv[i] << "\n";
      return 2;
    }
  }
  std::vector<Validators> validators(urls.size());
  if (!load_path.empty()) {
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < urls.size(); ++i)
      index[urls[i]] = i;
    std::ifstream in(load_path);
    for (std::string line; std::getline(in, line);) {
      const auto a = line.find('\t');
      const auto b = line.find('\t', a + 1);
      if (a == std::string::npos || b == std::string::npos) continue;
      if (auto it = index.find(line.substr(0, a)); it != index.end()) {
        validators[it->second] = {line.substr(a + 1, b - a - 1), line.substr(b + 1)};
      }
    }
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, concurrency);
  std::size_t next = 0;
  std::size_t ok = 0, not_modified = 0, failed = 0, bytes = 0, items = 0, unparsed = 0;
  std::vector<ItemFields> fields;  // reused: one body's items at a time, as a reader would hold them
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
  auto add = [&] {
    auto t = std::make_unique<Transfer>();
    t->index = next;
    t->easy.reset(curl_easy_init());
    CURL* e = t->easy.get();
    curl_easy_setopt(e, CURLOPT_URL, urls[next].c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "bench_curl_multi");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_slist* list = nullptr;
    if (!validators[next].etag.empty())
      list = curl_slist_append(list, ("If-None-Match: " + validators[next].etag).c_str());
    if (!validators[next].last_modified.empty())
      list = curl_slist_append(list, ("If-Modified-Since: " + validators[next].last_modified).c_str());
    t->headers.reset(list);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
    curl_multi_add_handle(multi, e);
    running.emplace(e, std::move(t));
    ++next;
  };
  while (next < urls.size() && static_cast<long>(running.size()) < concurrency)
    add();
  while (!running.empty()) {
    int still = 0;
    curl_multi_perform(multi, &still);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      const CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi, e);
      auto it = running.find(e);
      long status = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
      if (code == CURLE_OK && status == 200) {
        ++ok;
        validators[it->second->index] = {it->second->etag, it->second->last_modified};
        if (parse) {
          const std::size_t n = parse_items(it->second->body, fields);
          items += n;
          if (n == 0) ++unparsed;
        }
      } else if (code == CURLE_OK && status == 304) {
        ++not_modified;
      } else {
        ++failed;
      }
      bytes += it->second->body.size();
      running.erase(it);
      if (next < urls.size()) add();
    }
    if (!running.empty()) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  curl_multi_cleanup(multi);
  curl_global_cleanup();
  if (!save_path.empty()) {
    std::ofstream out(save_path);
    for (std::size_t i = 0; i < urls.size(); ++i)
      out << urls[i] << '\t' << validators[i].etag << '\t' << validators[i].last_modified << '\n';
  }
  std::printf("fetched %zu ok %zu not_modified %zu failed %zu bytes %zu items %zu\n", urls.size(), ok, not_modified,
              failed, bytes, items);
  if (unparsed > 0) std::fprintf(stderr, "bench_curl_multi: %zu bodies had no items\n", unparsed);
  return failed == 0 && unparsed == 0 ? 0 : 1;
}
