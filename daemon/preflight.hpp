#pragma once
// Preflight: what `newswatchd --check` verifies beyond the config text, because only the
// filesystem knows it: the state directory can be written, the CURVE key files can be read.

#include <string>
#include <vector>

#include "daemon/config.hpp"

namespace newswatch::daemon {

// The state directory the daemon will use: systemd's $STATE_DIRECTORY replaces the
// built-in default, never an explicit state_dir. (App's state_dir_for is the same rule.)
std::string effective_state_dir(const Config& config);

// One message per problem, each naming the key and the path; empty when all is well.
std::vector<std::string> preflight_problems(const Config& config);

// Creates the state directory (0750) and the database file in it (0640: it holds the
// journal, which CURVE may be guarding) when they do not exist yet, and returns the
// database's path. SQLite gives its -wal and -shm files the database's mode. Under systemd,
// StateDirectory= has made the directory already, with the unit's mode.
Result<std::string> prepare_state_database(const std::string& dir);

}  // namespace newswatch::daemon
