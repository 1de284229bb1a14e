#pragma once
// Logging setup: spdlog to stderr. Under journald (JOURNAL_STREAM set) lines carry
// syslog priority prefixes ("<3>") and no timestamps of ours; journald adds its own.

#include <string>

namespace newswatch::daemon {

void setup_logging(const std::string& program, const std::string& level);
// Changes the level at run time (on reload); false when the name is not a level.
bool set_log_level(const std::string& level);

}  // namespace newswatch::daemon
