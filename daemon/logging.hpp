#pragma once
// Logging setup: spdlog to stderr. Under journald (JOURNAL_STREAM set) lines carry
// syslog priority prefixes ("<3>") and no timestamps of ours; journald adds its own.
// Elsewhere each line starts with an RFC 3339 local time with its zone. Messages are escaped
// (common/escape.hpp) on the way out.

#include <string>

namespace newswatch::daemon {

void setup_logging(const std::string& program, const std::string& level);
// The spdlog pattern setup_logging uses ("%q" is the escaped message, "%*" the priority).
std::string log_pattern(bool under_journald);
// Changes the level at run time (on reload); false when the name is not a level.
bool set_log_level(const std::string& level);

}  // namespace newswatch::daemon
