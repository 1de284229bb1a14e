#include <cstdio>

#include "daemon/cli.hpp"

namespace newswatch::daemon {

int cmd_parse(const std::vector<std::string>& /*args*/) {
  std::fputs("newswatch parse: not implemented yet\n", stderr);
  return 3;
}

}  // namespace newswatch::daemon
