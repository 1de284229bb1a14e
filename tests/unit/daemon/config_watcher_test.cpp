// ConfigWatcher on a real folder with real inotify: edits to the config and to conf.d/ call
// back (debounced), unrelated files do not, and a conf.d/ made, deleted or re-made while the
// daemon runs is watched as it is now.

#include "daemon/config_watcher.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace newswatch::daemon {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Long enough that two writes made back to back fall in one quiet period even on a loaded
// machine; the checks for silence wait several of them.
constexpr auto kDebounce = 150ms;
constexpr auto kPatience = 3s;  // a callback later than this counts as missing

class ConfigWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "newswatch-watch-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ / "main.toml") << "";
  }
  void TearDown() override {
    watcher_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void start() {
    auto w = ConfigWatcher::start(io_, (dir_ / "main.toml").string(), kDebounce, [this] { ++calls_; });
    ASSERT_TRUE(w) << w.error().message;
    watcher_ = std::move(*w);
  }

  // Runs the loop until the callback count reaches `want` (true) or kPatience passes (false).
  bool calls_reach(int want) {
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (calls_ < want && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(20ms);
      if (io_.stopped()) io_.restart();
    }
    return calls_ >= want;
  }

  // Lets pending events and the debounce play out, so the next step starts from quiet.
  void settle() {
    io_.run_for(kDebounce * 4);
    if (io_.stopped()) io_.restart();
  }

  void write(const fs::path& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }

  asio::io_context io_;
  fs::path dir_;
  std::unique_ptr<ConfigWatcher> watcher_;
  int calls_ = 0;
};

TEST_F(ConfigWatcherTest, AnEditOfTheConfigCallsBackOnce) {
  start();
  write("main.toml", "[daemon]\n");
  write("main.toml", "[daemon]\n# twice, as editors do\n");
  ASSERT_TRUE(calls_reach(1));
  settle();
  EXPECT_EQ(calls_, 1);  // debounced into one
}

TEST_F(ConfigWatcherTest, UnrelatedFilesAreIgnored) {
  start();
  write("notes.txt", "not a config");
  settle();
  settle();
  EXPECT_EQ(calls_, 0);
}

TEST_F(ConfigWatcherTest, ConfDPresentAtStartIsWatched) {
  fs::create_directory(dir_ / "conf.d");
  start();
  write("conf.d/10-a.toml", "[[feed]]\n");
  EXPECT_TRUE(calls_reach(1));
}

TEST_F(ConfigWatcherTest, ConfDMadeLaterIsWatched) {
  start();
  fs::create_directory(dir_ / "conf.d");
  ASSERT_TRUE(calls_reach(1));  // the folder's arrival is itself a change
  settle();
  const int before = calls_;
  write("conf.d/10-a.toml", "[[feed]]\n");
  EXPECT_TRUE(calls_reach(before + 1));
}

TEST_F(ConfigWatcherTest, ConfDDeletedAndMadeAgainIsWatchedAgain) {
  fs::create_directory(dir_ / "conf.d");
  start();
  fs::remove_all(dir_ / "conf.d");
  ASSERT_TRUE(calls_reach(1));
  settle();
  fs::create_directory(dir_ / "conf.d");
  ASSERT_TRUE(calls_reach(2));
  settle();
  const int before = calls_;
  write("conf.d/20-b.toml", "[[feed]]\n");
  EXPECT_TRUE(calls_reach(before + 1)) << "a file in the re-made conf.d/ went unnoticed";
}

TEST_F(ConfigWatcherTest, ConfDReplacedByAMoveIsWatchedNotTheOldOne) {
  // Deploy tools stage a new folder and move it into place; the old one lives on elsewhere.
  fs::create_directory(dir_ / "conf.d");
  fs::create_directory(dir_ / "staged");
  start();
  fs::rename(dir_ / "conf.d", dir_ / "old");
  fs::rename(dir_ / "staged", dir_ / "conf.d");
  ASSERT_TRUE(calls_reach(1));
  settle();
  int before = calls_;
  write("old/30-c.toml", "[[feed]]\n");  // no longer the config's
  settle();
  settle();
  EXPECT_EQ(calls_, before) << "the moved-away folder is still watched";
  before = calls_;
  write("conf.d/30-c.toml", "[[feed]]\n");
  EXPECT_TRUE(calls_reach(before + 1)) << "a file in the moved-in conf.d/ went unnoticed";
}

TEST_F(ConfigWatcherTest, AnEditLostInAQueueOverflowStillReloads) {
  // More events than the kernel queues (fs.inotify.max_queued_events) while the loop is not
  // reading, then the edit: the kernel drops it and says only that it dropped something.
  long max_queued = 16384;
  std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> max_queued;
  start();
  for (long k = 0; k < max_queued + 100; ++k)
    std::ofstream(dir_ / ("burst-" + std::to_string(k % 64) + ".txt")) << k;
  write("main.toml", "[daemon]\n");
  EXPECT_TRUE(calls_reach(1)) << "the edit after the burst was lost";
}

}  // namespace
}  // namespace newswatch::daemon
