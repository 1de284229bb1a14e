#include "common/version.hpp"

namespace newswatch {

// NEWSWATCH_VERSION is defined for this file alone (common/CMakeLists.txt), so a version
// bump recompiles one file, not the project.
std::string_view version() { return NEWSWATCH_VERSION; }

}  // namespace newswatch
