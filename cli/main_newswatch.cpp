// newswatch: the user's command-line tool. Thin: dispatches to daemon/cli_*.cpp.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace {

int usage(std::FILE* out, int code) {
  std::fputs(
      "usage: newswatch <command> [options]\n"
      "  tail [TOPIC...] [--since N|last] [--state-file F] [--json] [--seconds S] [--config FILE]\n"
      "       [--endpoint ADDR] [--replay ADDR] [--curve-server-key FILE --curve-secret-key FILE]\n"
      "  parse FILE|URL            print the parsed items as JSON Lines\n"
      "  match [--config FILE] FILE|URL   print the alerts the config would publish\n"
      "  import-opml FILE [--config FILE]  print [[feed]] tables for an OPML export\n"
      "  export-opml [--config FILE]       print the configured feeds as OPML\n"
      "  bursts [--config FILE] [--input FILE.jsonl]   print the bursts a history of alerts would raise\n"
      "  keygen [--out DIR] [--name NAME] [--force]   write a CURVE key pair NAME.key/NAME.pub\n",
      out);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace newswatch::cli;
  if (argc < 2) return usage(stderr, 2);
  const std::string cmd = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "-h" || cmd == "--help" || cmd == "help") return usage(stdout, 0);
  if (cmd == "tail") return cmd_tail(args);
  if (cmd == "parse") return cmd_parse(args);
  if (cmd == "match") return cmd_match(args);
  if (cmd == "import-opml") return cmd_import_opml(args);
  if (cmd == "export-opml") return cmd_export_opml(args);
  if (cmd == "keygen") return cmd_keygen(args);
  if (cmd == "bursts") return cmd_bursts(args);
  std::fprintf(stderr, "newswatch: unknown command '%s'\n", cmd.c_str());
  return usage(stderr, 2);
}
