#include <cstdio>

#include "daemon/cli.hpp"

namespace newswatch::daemon {

int cmd_match(const std::vector<std::string>& /*args*/) {
  std::fputs("newswatch match: not implemented yet\n", stderr);
  return 3;
}

}  // namespace newswatch::daemon
