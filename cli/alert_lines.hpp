#pragma once
// How `newswatch tail` prints one message, whichever way it came (the daemon's PUB socket or
// the cluster's stream): the payload as it is with --json, else one readable line.

#include <ostream>
#include <string>

namespace newswatch::cli {

// "#<seq> <topic> [<feed>] <title>  (<terms>)  <link>" for alerts, "#<seq> ↳ also: ..." for
// story updates, the burst line for bursts, "<topic> <payload>" for anything else.
std::string readable_line(const std::string& topic, const std::string& payload);

// One line on `out`, flushed (a pipe reader sees each alert as it comes).
void print_message(std::ostream& out, const std::string& topic, const std::string& payload, bool json);

}  // namespace newswatch::cli
