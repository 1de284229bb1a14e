#pragma once
// The effective config written back as TOML: the main file and its drop-ins merged, every
// default filled in, as `newswatch config` prints it. Reading the output gives the same config.

#include <string>

#include "daemon/config.hpp"

namespace newswatch::daemon {

std::string config_to_toml(const Config& config);

}  // namespace newswatch::daemon
