// newswatch: the user's command-line tool. Thin: dispatches to cli/cli_*.cpp, one function
// per subcommand; `newswatch help SUB` is `newswatch SUB --help`.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "common/escape.hpp"
#include "common/version.hpp"

namespace {

using Run = int (*)(const std::vector<std::string>&);

struct Subcommand {
  const char* name;
  Run run;
  const char* summary;
};

// One row per subcommand, in the order `newswatch --help` lists them.
constexpr Subcommand kSubcommands[] = {
    {"tail", newswatch::cli::cmd_tail, "follow alerts, with replay of what was missed"},
    {"parse", newswatch::cli::cmd_parse, "print a feed's items as JSON Lines"},
    {"match", newswatch::cli::cmd_match, "print the alerts the config would publish for a feed"},
    {"cluster", newswatch::cli::cmd_cluster, "print how feeds' items group into copies and stories"},
    {"import-opml", newswatch::cli::cmd_import_opml, "print [[feed]] tables for an OPML export"},
    {"export-opml", newswatch::cli::cmd_export_opml, "print the configured feeds as OPML"},
    {"bursts", newswatch::cli::cmd_bursts, "print the bursts a history of alerts would raise"},
    {"keygen", newswatch::cli::cmd_keygen, "write a CURVE key pair"},
    {"status", newswatch::cli::cmd_status, "show each feed's state in the running daemon"},
    {"config", newswatch::cli::cmd_config, "print the effective config (drop-ins merged, defaults filled in)"},
};

const Subcommand* find(const std::string& name) {
  for (const auto& s : kSubcommands) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

int usage(std::FILE* out, int code) {
  std::fputs(
      "newswatch: the client of newswatchd (alerts, dry runs, feeds, keys).\n"
      "Usage: newswatch SUBCOMMAND [OPTIONS]\n"
      "       newswatch help SUBCOMMAND     (or SUBCOMMAND --help): its options and defaults\n"
      "       newswatch --version\n\nSubcommands:\n",
      out);
  for (const auto& s : kSubcommands)
    std::fprintf(out, "  %-13s %s\n", s.name, s.summary);
  std::fputs("\nExit codes: 0 ok, 1 invalid input or config, 2 usage error, 3 internal error.\n", out);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage(stderr, newswatch::kExitUsage);
  const std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "-h" || cmd == "--help") return usage(stdout, newswatch::kExitOk);
  if (cmd == "--version") {
    std::printf("newswatch %.*s\n", static_cast<int>(newswatch::version().size()), newswatch::version().data());
    return newswatch::kExitOk;
  }
  if (cmd == "help") {
    if (args.empty()) return usage(stdout, newswatch::kExitOk);
    const Subcommand* sub = find(args[0]);
    if (sub == nullptr || args.size() > 1) {
      newswatch::print_error_line(std::string("newswatch help: ") +
                                  (sub == nullptr ? "unknown subcommand" : "unexpected argument") + " '" +
                                  (sub == nullptr ? args[0] : args[1]) + "'");
      return usage(stderr, newswatch::kExitUsage);
    }
    return sub->run({"--help"});
  }
  if (const Subcommand* sub = find(cmd)) return sub->run(args);
  newswatch::print_error_line(std::string("newswatch: unknown subcommand '") + cmd + "'");
  return usage(stderr, newswatch::kExitUsage);
}
