#pragma once
// What load_config_texts reports for (file name, TOML text) pairs: one formatted line per
// error, none when the config loads. The config tests' oracle.

#include <string>
#include <utility>
#include <vector>

#include "daemon/config.hpp"

namespace newswatch::daemon {

using Texts = std::vector<std::pair<std::string, std::string>>;

inline std::vector<std::string> errors_of(const Texts& files) {
  auto r = load_config_texts(files);
  std::vector<std::string> out;
  if (!r) {
    for (const auto& e : r.error())
      out.push_back(format_error(e));
  }
  return out;
}

}  // namespace newswatch::daemon
