// `newswatch bursts [--config FILE] [--input FILE.jsonl]`: a backtest. Replays a history of
// alert payloads (by default the daemon's journal, opened read-only; or one payload per
// line as `tail --json` prints them) through the daemon's burst detector, each at its
// detected_at, and prints the burst messages it would have published, one per line.
// [bursts] enabled is ignored here: the point is to try settings before turning them on.
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "bursts/burst_detector.hpp"
#include "bursts/burst_message.hpp"
#include "cli/cli.hpp"
#include "common/escape.hpp"
#include "daemon/burst_config.hpp"
#include "daemon/preflight.hpp"

namespace newswatch::cli {
namespace {

class Backtest {
 public:
  explicit Backtest(const Config& config)
      : detector_(settings(config), daemon::burst_filters(config)), types_(daemon::entity_types(config)) {}

  // One alert payload; other messages (burst., story., sys.) are passed over.
  Result<Ok> feed(std::string_view payload) {
    auto event = bursts::event_from_alert_payload(payload, types_);
    if (!event) {
      if (!payload.empty() && payload.front() == '{' && payload.find("\"item\"") == std::string_view::npos) return Ok{};
      return event.error();
    }
    for (const auto& b : detector_.observe(*event)) {
      const std::string line = bursts::encode_burst_payload(++seq_, b) + "\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    (void)detector_.take_changes();  // nothing is stored: drop what a daemon would write
    ++alerts_;
    return Ok{};
  }

  std::uint64_t alerts() const { return alerts_; }
  std::uint64_t bursts() const { return seq_; }

 private:
  static bursts::BurstSettings settings(const Config& config) {
    auto s = daemon::burst_settings(config);
    s.enabled = true;
    return s;
  }

  bursts::BurstDetector detector_;
  bursts::EntityTypes types_;
  std::uint64_t seq_ = 0;  // a dry run: bursts are numbered 1..n in output order
  std::uint64_t alerts_ = 0;
};

int from_file(Backtest& backtest, const std::string& path) {
  std::ifstream in(path == "-" ? "/dev/stdin" : path, std::ios::binary);
  if (!in) {
    print_error_line(std::string("newswatch bursts: cannot read ") + path);
    return 1;
  }
  std::string line;
  int bad = 0;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (auto r = backtest.feed(line); !r) {
      if (++bad <= 10)
        print_error_line("newswatch bursts: " + path + ":" + std::to_string(n) + ": " + r.error().message);
    }
  }
  if (bad > 10)
    print_error_line("newswatch bursts: " + path + ": " + std::to_string(bad) + " lines were not alert payloads");
  return bad > 0 ? 1 : 0;
}

int from_journal(Backtest& backtest, const std::string& db_path) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) {
    print_error_line(std::string("newswatch bursts: no journal at ") + db_path +
                     " (give --input FILE.jsonl, or --config with the state_dir)");
    return 1;
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  const std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, &sqlite3_close_v2);
  if (rc != SQLITE_OK) {
    print_error_line("newswatch bursts: cannot open " + db_path + ": " +
                     (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
    return 1;
  }
  sqlite3_busy_timeout(raw, 2000);
  sqlite3_stmt* st_raw = nullptr;
  // The alerts/ journal table; burst. and story. messages are the detector's own output or updates.
  if (sqlite3_prepare_v2(raw,
                         "SELECT seq, payload FROM journal WHERE topic NOT LIKE 'burst.%' AND topic NOT LIKE 'story.%' "
                         "ORDER BY seq",
                         -1, &st_raw, nullptr) != SQLITE_OK) {
    print_error_line("newswatch bursts: " + db_path + ": " + sqlite3_errmsg(raw));
    return 1;
  }
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(st_raw, &sqlite3_finalize);
  int bad = 0;
  int step = 0;
  while ((step = sqlite3_step(st_raw)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st_raw, 1));
    const std::string_view payload(text != nullptr ? text : "",
                                   static_cast<std::size_t>(sqlite3_column_bytes(st_raw, 1)));
    if (auto r = backtest.feed(payload); !r) {
      if (++bad <= 10)
        print_error_line("newswatch bursts: journal seq " + std::to_string(sqlite3_column_int64(st_raw, 0)) + ": " +
                         r.error().message);
    }
  }
  if (step != SQLITE_DONE) {
    print_error_line("newswatch bursts: " + db_path + ": " + sqlite3_errmsg(raw));
    return 1;
  }
  return 0;
}

}  // namespace

int cmd_bursts(const std::vector<std::string>& args) {
  CLI::App app{
      "A backtest of burst detection: replays alert payloads through the burst detector with the config's "
      "[bursts] settings (even when enabled = false), each at its detected_at, and prints the burst messages it "
      "would have published, one JSON object per line. See docs/bursts.md.",
      "newswatch bursts"};
  apply_conventions(app);
  std::string config_path = daemon::kDefaultConfigPath;
  std::string input;
  add_config_option(app, config_path);
  app.add_option("--input", input, "Alert payloads, one per line as `newswatch tail --json` prints them (- for stdin)")
      ->type_name("FILE.jsonl")
      ->default_str("the journal in the config's state_dir, opened read-only");
  if (auto code = parse_command_line(app, args)) return *code;

  auto loaded = load_config(config_path);
  if (!loaded) {
    for (const auto& e : loaded.error())
      print_error_line(format_error(e));
    return 1;
  }
  Backtest backtest(*loaded);
  const int rc =
      input.empty()
          ? from_journal(backtest,
                         (std::filesystem::path(daemon::effective_state_dir(*loaded)) / "newswatch.db").string())
          : from_file(backtest, input);
  std::fprintf(stderr, "newswatch bursts: %llu alerts replayed, %llu bursts\n",
               static_cast<unsigned long long>(backtest.alerts()), static_cast<unsigned long long>(backtest.bursts()));
  if (std::fflush(stdout) != 0) return kExitInternal;
  return rc;
}

}  // namespace newswatch::cli
