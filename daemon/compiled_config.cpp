#include "daemon/compiled_config.hpp"

namespace newswatch::daemon {

Result<std::shared_ptr<const filters::Matcher>, std::vector<std::string>> compile_watchlist(const Config& config) {
  auto matcher = filters::Matcher::compile(config.filters, config.entities);
  if (matcher) return std::move(*matcher);
  std::vector<std::string> lines;
  for (const auto& e : matcher.error())
    lines.push_back(filters::format_error(e));
  return lines;
}

Result<CompiledConfig, std::vector<std::string>> load_compiled_config(const std::string& path) {
  auto config = load_config(path);
  if (!config) {
    std::vector<std::string> lines;
    for (const auto& e : config.error())
      lines.push_back(format_error(e));
    return lines;
  }
  auto matcher = compile_watchlist(*config);
  if (!matcher) return matcher.error();
  return CompiledConfig{std::move(*config), std::move(*matcher)};
}

}  // namespace newswatch::daemon
