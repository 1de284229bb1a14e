#pragma once
// The command-line conventions of both binaries, on CLI11: `--opt=value` and `--opt value`,
// -h/--help on stdout (exit 0), --version, usage errors on stderr naming the bad word (exit 2).

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace newswatch {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;  // invalid input or config
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInternal = 3;

// Makes `app` follow the conventions: help shows every option's default, and the footer
// lists the exit codes. Call it before adding options: defaults are captured as they are added.
void apply_conventions(CLI::App& app);

// Parses `args` (the program or subcommand name excluded). nullopt: parsed, go on; otherwise
// the process exit code to return now, the help, version or usage error already printed.
std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args);

}  // namespace newswatch
