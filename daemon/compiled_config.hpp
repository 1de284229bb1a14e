#pragma once
// CompiledConfig: a config read with its conf.d/ and its watchlist compiled into one matcher,
// the unit the daemon starts on, swaps at reload, and `--check` / `match` test. Every problem
// comes back as one printable line ("file:line:col: message").

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/config.hpp"
#include "filters/matcher.hpp"

namespace newswatch::daemon {

struct CompiledConfig {
  Config config;
  std::shared_ptr<const filters::Matcher> matcher;
};

Result<CompiledConfig, std::vector<std::string>> load_compiled_config(const std::string& path);

// The matcher for a config already read: its filters and entities compiled.
Result<std::shared_ptr<const filters::Matcher>, std::vector<std::string>> compile_watchlist(const Config& config);

}  // namespace newswatch::daemon
