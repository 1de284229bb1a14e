// HttpFetcher against a real HTTP server on 127.0.0.1 (tests/integration/scripted_server.py):
// conditional GET, content codings, redirects, limits, timeouts and the address policy.

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "feeds/http_fetcher.hpp"
#include "scripted_server.hpp"

namespace newswatch::feeds {
namespace {

using namespace std::chrono_literals;
using test::ScriptedServer;

// Short limits keep every failure test to a few seconds.
FetchOptions quick_options() {
  FetchOptions o;
  o.user_agent = "newswatch-test/1.0 (+https://example.org/newswatch)";
  o.connect_timeout = 2s;
  o.timeout = 3s;
  o.low_speed_time = 2s;
  return o;
}

class FetcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ScriptedServer>(); }
  static void TearDownTestSuite() { server_.reset(); }

  static FetchResult get(const std::string& path, const std::string& etag = "", const std::string& lm = "",
                         FetchOptions o = quick_options()) {
    return fetch_blocking({server_->url(path), etag, lm}, o);
  }

  static std::unique_ptr<ScriptedServer> server_;
};
std::unique_ptr<ScriptedServer> FetcherTest::server_;

TEST_F(FetcherTest, EtagThenNotModified) {
  auto first = get("/feed/etag?etag=1");
  ASSERT_EQ(first.outcome, FetchOutcome::ok) << first.error;
  EXPECT_EQ(first.status, 200);
  ASSERT_FALSE(first.etag.empty());
  EXPECT_NE(first.body.find("<guid>etag-1</guid>"), std::string::npos);

  auto second = get("/feed/etag?etag=1", first.etag);
  EXPECT_EQ(second.outcome, FetchOutcome::not_modified);
  EXPECT_EQ(second.status, 304);
  EXPECT_TRUE(second.body.empty());

  auto reqs = server_->requests("/feed/etag");
  ASSERT_EQ(reqs.size(), 2U);
  EXPECT_TRUE(reqs[0]["inm"].is_null());
  EXPECT_EQ(reqs[1]["inm"], first.etag);
  EXPECT_EQ(reqs[1]["status"], 304);
}

TEST_F(FetcherTest, LastModifiedThenNotModified) {
  auto first = get("/feed/lm?lm=1");
  ASSERT_EQ(first.outcome, FetchOutcome::ok) << first.error;
  EXPECT_TRUE(first.etag.empty());
  ASSERT_EQ(first.last_modified, "Thu, 20 Dec 2012 18:05:00 GMT");

  auto second = get("/feed/lm?lm=1", "", first.last_modified);
  EXPECT_EQ(second.outcome, FetchOutcome::not_modified);
  auto reqs = server_->requests("/feed/lm");
  ASSERT_EQ(reqs.size(), 2U);
  EXPECT_EQ(reqs[1]["ims"], first.last_modified);
}

TEST_F(FetcherTest, CompressedBodiesAreDecoded) {
  const auto plain = get("/feed/coded?items=20");
  ASSERT_EQ(plain.outcome, FetchOutcome::ok);
  for (const std::string enc : {"gzip", "deflate", "br"}) {
    auto r = get("/feed/coded?items=20&enc=" + enc);
    ASSERT_EQ(r.outcome, FetchOutcome::ok) << enc << ": " << r.error;
    EXPECT_EQ(r.body, plain.body) << enc;
    auto reqs = server_->requests("/feed/coded?items=20&enc=" + enc);
    ASSERT_EQ(reqs.size(), 1U);
    EXPECT_EQ(reqs[0]["ce"], enc) << "the server really sent " << enc << "; client offered " << reqs[0]["ae"];
    EXPECT_LT(reqs[0]["sent"].get<std::size_t>(), plain.body.size()) << enc;
  }
}

TEST_F(FetcherTest, SendsTheConfiguredUserAgent) {
  ASSERT_EQ(get("/feed/ua").outcome, FetchOutcome::ok);
  auto reqs = server_->requests("/feed/ua");
  ASSERT_EQ(reqs.size(), 1U);
  EXPECT_EQ(reqs[0]["ua"], "newswatch-test/1.0 (+https://example.org/newswatch)");
}

// At a reload: new transfers take the new options, one already in flight keeps its own.
TEST_F(FetcherTest, NewOptionsApplyToTransfersStartedAfterThem) {
  asio::io_context io;
  FetchOptions before = quick_options();
  before.user_agent = "before-reload";
  HttpFetcher fetcher(io, before);
  std::map<std::string, FetchOutcome> outcomes;
  const auto record = [&outcomes](const std::string& name) {
    return [&outcomes, name](FetchResult r) { outcomes[name] = r.outcome; };
  };
  fetcher.start({server_->url("/feed/opts-slow?delay=1"), "", ""}, record("slow"));
  io.run_for(200ms);  // the slow one is on the wire
  FetchOptions after = quick_options();
  after.user_agent = "after-reload";
  after.max_body_size = 100;  // every feed here is larger
  fetcher.set_options(after);
  fetcher.start({server_->url("/feed/opts-new"), "", ""}, record("new"));
  io.restart();
  io.run_for(5s);
  ASSERT_EQ(outcomes.size(), 2U);
  EXPECT_EQ(outcomes["new"], FetchOutcome::too_large) << "the new transfer has the new size limit";
  EXPECT_EQ(outcomes["slow"], FetchOutcome::ok) << "the one in flight keeps its options";
  EXPECT_EQ(server_->requests("/feed/opts-slow")[0]["ua"], "before-reload");
  EXPECT_EQ(server_->requests("/feed/opts-new")[0]["ua"], "after-reload");
}

TEST_F(FetcherTest, PermanentRedirectsReportTheNewUrl) {
  for (const std::string code : {"301", "308"}) {
    auto r = get("/redirect/" + code + "/feed/moved" + code);
    ASSERT_EQ(r.outcome, FetchOutcome::ok) << code << ": " << r.error;
    EXPECT_EQ(r.permanent_url, server_->url("/feed/moved" + code)) << code;
  }
  // Two permanent hops: the final URL.
  auto two = get("/redirect/301/redirect/308/feed/moved2");
  EXPECT_EQ(two.permanent_url, server_->url("/feed/moved2"));
}

TEST_F(FetcherTest, TemporaryRedirectsDoNot) {
  for (const std::string code : {"302", "307"}) {
    auto r = get("/redirect/" + code + "/feed/visiting" + code);
    ASSERT_EQ(r.outcome, FetchOutcome::ok) << code << ": " << r.error;
    EXPECT_EQ(r.effective_url, server_->url("/feed/visiting" + code));
    EXPECT_TRUE(r.permanent_url.empty()) << code;
  }
  // A temporary hop anywhere in the chain makes the whole move temporary.
  EXPECT_TRUE(get("/redirect/301/redirect/302/feed/mixed").permanent_url.empty());
}

TEST_F(FetcherTest, RedirectLoopAndTooManyRedirectsAreErrors) {
  auto loop = get("/loop/a/b");
  EXPECT_EQ(loop.outcome, FetchOutcome::redirect_error) << loop.error;
  EXPECT_LE(server_->requests("/loop/").size(), 6U) << "max_redirects 5: at most 6 requests";

  FetchOptions o = quick_options();
  o.max_redirects = 1;
  auto chain = get("/redirect/301/redirect/301/feed/far", "", "", o);
  EXPECT_EQ(chain.outcome, FetchOutcome::redirect_error);
}

TEST_F(FetcherTest, HttpErrorsCarryStatusAndRetryAfter) {
  auto nf = get("/status/404");
  EXPECT_EQ(nf.outcome, FetchOutcome::http_error);
  EXPECT_EQ(nf.status, 404);
  EXPECT_TRUE(nf.body.empty());
  auto gone = get("/status/410");
  EXPECT_EQ(gone.status, 410);
  auto limited = get("/status/429?retry_after=120");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.retry_after, "120");
  auto busy = get("/status/503?retry_after_date=60");
  EXPECT_EQ(busy.status, 503);
  EXPECT_NE(busy.retry_after.find(" GMT"), std::string::npos) << busy.retry_after;
}

TEST_F(FetcherTest, OversizedBodyWithAndWithoutContentLength) {
  FetchOptions o = quick_options();
  o.max_body_size = 100000;
  for (const std::string cl : {"1", "0"}) {
    auto r = get("/big?size=5000000&cl=" + cl, "", "", o);
    EXPECT_EQ(r.outcome, FetchOutcome::too_large) << "cl=" << cl << ": " << r.error;
    EXPECT_TRUE(r.body.empty());
  }
  auto fits = get("/big?size=90000", "", "", o);
  EXPECT_EQ(fits.outcome, FetchOutcome::ok) << fits.error;
  EXPECT_EQ(fits.body.size(), 90000U);
}

long max_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST_F(FetcherTest, GzipBombFailsFastWithBoundedMemory) {
  FetchOptions o = quick_options();
  // Above the bomb's size on the wire (about 7 MB, so its Content-Length passes), far below
  // what it decodes to (7 GiB): the limit on decoded bytes is what must stop it.
  o.max_body_size = 8 << 20;
  const long rss_before = max_rss_kib();
  auto r = get("/bomb?gib=7", "", "", o);
  EXPECT_EQ(r.outcome, FetchOutcome::too_large) << r.error;
  // "Fast" is judged by bytes, not by a wall clock a loaded machine can stretch: the client
  // stopped reading the wire early (below), so it never decoded the 7 GiB.
  const long grew = max_rss_kib() - rss_before;
  EXPECT_LT(grew, 64 * 1024) << "peak memory grew by " << grew << " KiB";
  auto reqs = server_->requests("/bomb");
  ASSERT_EQ(reqs.size(), 1U);
  ASSERT_TRUE(reqs[0]["total"].is_number()) << reqs[0].dump() << ": the body was never started";
  const double sent = reqs[0]["sent"].get<double>();
  const double total = reqs[0]["total"].get<double>();
  EXPECT_LT(sent, total) << "the client should stop reading early: " << sent << " of " << total << " bytes sent";
}

TEST_F(FetcherTest, BlockPrivateAddressesRefusesLoopback) {
  FetchOptions o = quick_options();
  o.block_private_addresses = true;
  auto r = get("/feed/private", "", "", o);
  EXPECT_EQ(r.outcome, FetchOutcome::blocked_address) << r.error;
  EXPECT_NE(r.error.find("127.0.0.1"), std::string::npos) << r.error;
  auto by_name = fetch_blocking({"http://localhost:" + std::to_string(server_->port()) + "/feed/private", "", ""}, o);
  EXPECT_EQ(by_name.outcome, FetchOutcome::blocked_address) << by_name.error;
  EXPECT_TRUE(server_->requests("/feed/private").empty()) << "no request reached the server";
}

// A reload turning the block on must not let a connection pooled before it (keep-alive to a
// private address) carry the next request.
TEST_F(FetcherTest, BlockTurnedOnByAReloadAppliesToPooledConnections) {
  asio::io_context io;
  HttpFetcher fetcher(io, quick_options());
  std::vector<FetchResult> results;
  const auto fetch = [&] {
    fetcher.start({server_->url("/feed/pooled"), "", ""}, [&results](FetchResult r) { results.push_back(r); });
    io.restart();
    io.run_for(3s);
  };
  fetch();
  ASSERT_EQ(results.size(), 1U);
  ASSERT_EQ(results[0].outcome, FetchOutcome::ok) << results[0].error;
  FetchOptions blocking = quick_options();
  blocking.block_private_addresses = true;
  fetcher.set_options(blocking);
  fetch();
  ASSERT_EQ(results.size(), 2U);
  EXPECT_EQ(results[1].outcome, FetchOutcome::blocked_address) << results[1].error;
  std::this_thread::sleep_for(2200ms);  // past the first two seconds, when no connection is reused at all
  fetch();
  ASSERT_EQ(results.size(), 3U);
  EXPECT_EQ(results[2].outcome, FetchOutcome::blocked_address) << results[2].error;
  EXPECT_EQ(server_->requests("/feed/pooled").size(), 1U) << "no later request reached the server";
}

TEST_F(FetcherTest, OnlyHttpAndHttps) {
  auto file = fetch_blocking({"file:///etc/hostname", "", ""}, quick_options());
  EXPECT_EQ(file.outcome, FetchOutcome::other_error);
  auto ftp = fetch_blocking({"ftp://127.0.0.1:1/x", "", ""}, quick_options());
  EXPECT_EQ(ftp.outcome, FetchOutcome::other_error) << ftp.error;
}

TEST_F(FetcherTest, ConnectionRefused) {
  // A port we bound and released: nothing listens there.
  int port = 0;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  auto r = fetch_blocking({"http://127.0.0.1:" + std::to_string(port) + "/x", "", ""}, quick_options());
  EXPECT_EQ(r.outcome, FetchOutcome::connect_error) << r.error;
}

// Slow servers cost a slot each, never the loop: other transfers finish meanwhile.
TEST_F(FetcherTest, HangingAndDrippingServersDoNotStallOthers) {
  asio::io_context io;
  HttpFetcher fetcher(io, quick_options());
  std::map<std::string, FetchResult> done;
  std::map<std::string, std::chrono::steady_clock::duration> when;
  const auto t0 = std::chrono::steady_clock::now();
  auto start = [&](const std::string& name, const std::string& path) {
    fetcher.start({server_->url(path), "", ""}, [&, name](FetchResult r) {
      when[name] = std::chrono::steady_clock::now() - t0;
      done[name] = std::move(r);
    });
  };
  start("hang", "/hang");
  start("drip", "/drip?n=100");
  for (int i = 0; i < 10; ++i)
    start("fast" + std::to_string(i), "/feed/fast" + std::to_string(i));
  io.run();
  EXPECT_EQ(done["hang"].outcome, FetchOutcome::timeout) << done["hang"].error;
  EXPECT_EQ(done["drip"].outcome, FetchOutcome::timeout) << done["drip"].error;
  EXPECT_GE(when["hang"], 1900ms) << "no bytes for low_speed_time (2 s) ends it";
  EXPECT_LT(when["hang"], 5s);
  for (int i = 0; i < 10; ++i) {
    const std::string name = "fast" + std::to_string(i);
    EXPECT_EQ(done[name].outcome, FetchOutcome::ok) << name;
    EXPECT_LT(when[name], when["drip"]) << name << " waited for the slow ones";
    EXPECT_LT(when[name], 1900ms) << name << " waited for the slow ones";
  }
}

TEST_F(FetcherTest, LowSpeedLimitAbortsATrickle) {
  FetchOptions o = quick_options();
  o.low_speed_limit = 100;  // bytes/s
  o.low_speed_time = 1s;
  o.timeout = 10s;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = get("/drip?n=100", "", "", o);
  EXPECT_EQ(r.outcome, FetchOutcome::timeout) << r.error;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
}

TEST_F(FetcherTest, CancelAllCompletesEveryTransferAsCancelled) {
  asio::io_context io;
  HttpFetcher fetcher(io, quick_options());
  std::vector<FetchOutcome> outcomes;
  for (int i = 0; i < 3; ++i)
    fetcher.start({server_->url("/hang"), "", ""}, [&](FetchResult r) { outcomes.push_back(r.outcome); });
  asio::steady_timer t(io);
  t.expires_after(200ms);
  t.async_wait([&](auto) { fetcher.cancel_all(); });
  io.run();
  // Cancelled, not ended by the low-speed timeout (2 s) that would otherwise end a hang.
  EXPECT_EQ(outcomes, std::vector<FetchOutcome>(3, FetchOutcome::cancelled));
  EXPECT_EQ(fetcher.in_flight(), 0U);
}

// TLS failures are the feed's tls_error with curl's reason, and never fall back to plain HTTP.
TEST_F(FetcherTest, HttpsToAPlainHttpServerIsATlsError) {
  std::string url = server_->url("/ok");
  url.replace(0, 4, "https");
  const auto r = fetch_blocking({url, "", ""}, quick_options());
  EXPECT_EQ(r.outcome, FetchOutcome::tls_error) << r.error;
}

// RFC 2606 reserves .invalid: no resolver can answer it. Where a resolver is reachable the
// lookup fails at once (dns_error); where none is, the connect timeout ends it first.
TEST_F(FetcherTest, AnUnresolvableHostIsADnsError) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = fetch_blocking({"http://no-such-host.invalid/feed", "", ""}, quick_options());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  if (r.outcome == FetchOutcome::dns_error) {
    EXPECT_NE(r.error.find("resolve"), std::string::npos) << r.error;
  } else {
    EXPECT_EQ(r.outcome, FetchOutcome::timeout) << r.error;
  }
}

// A real HTTPS server whose certificate nobody signed: the peer check must refuse it.
TEST(FetcherTls, AnUntrustedCertificateIsATlsError) {
  char dir_template[] = "/tmp/newswatch-tls-XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  ASSERT_NE(dir, nullptr);
  const std::string cert = std::string(dir) + "/cert.pem";
  const std::string key = std::string(dir) + "/key.pem";
  const std::string make_cert =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(make_cert.c_str()), 0) << "openssl could not make a test certificate";
  {
    ScriptedServer tls(cert, key);
    const auto r = fetch_blocking({tls.url("/ok"), "", ""}, quick_options());
    EXPECT_EQ(r.outcome, FetchOutcome::tls_error) << r.error;
    EXPECT_NE(r.error.find("certificate"), std::string::npos) << r.error;
  }
  std::remove(cert.c_str());
  std::remove(key.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace newswatch::feeds
