#pragma once
// The project's version as CMake's project() declares it: the one source for `--version`,
// the daemon's startup log line and the newswatch_build_info metric.

#include <string_view>

namespace newswatch {

std::string_view version();

}  // namespace newswatch
