#pragma once
// How `newswatch tail` prints messages, whichever way they came (the daemon's PUB socket or
// the cluster's stream): which topics it shows, each as its payload (--json) or one readable
// line, and where it got to, kept in --state-file.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace newswatch::cli {

// "#<seq> <topic> [<feed>] <title>  (<terms>)  <link>" for alerts, "#<seq> ↳ also: ..." for
// story updates, the burst line for bursts, "<topic> <payload>" for anything else.
std::string readable_line(const std::string& topic, const std::string& payload);

// One line on `out`, flushed (a pipe reader sees each alert as it comes).
void print_message(std::ostream& out, const std::string& topic, const std::string& payload, bool json);

// Whether `topic` starts with one of `prefixes` (tail's TOPIC arguments).
bool follows_topic(const std::string& topic, const std::vector<std::string>& prefixes);

// Writes `position` (a seq, or a stream sequence with --nats) and a newline to `path` through a
// temporary file and a rename, so a crash never leaves a torn number; false when it could not.
bool save_position(const std::string& path, std::uint64_t position);

}  // namespace newswatch::cli
