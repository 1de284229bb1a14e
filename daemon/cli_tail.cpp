#include <cstdio>

#include "daemon/cli.hpp"

namespace newswatch::daemon {

int cmd_tail(const std::vector<std::string>& /*args*/) {
  std::fputs("newswatch tail: not implemented yet\n", stderr);
  return 3;
}

}  // namespace newswatch::daemon
