#include "daemon/compiled_config.hpp"

namespace newswatch::daemon {
namespace {

std::vector<ConfigError> compile_errors(const std::vector<filters::CompileError>& errors) {
  std::vector<ConfigError> out;
  out.reserve(errors.size());
  for (const auto& e : errors)
    out.push_back({e.pos, e.message});
  return out;
}

std::vector<std::string> formatted(const std::vector<ConfigError>& errors) {
  std::vector<std::string> lines;
  lines.reserve(errors.size());
  for (const auto& e : errors)
    lines.push_back(format_error(e));
  return lines;
}

}  // namespace

Result<std::shared_ptr<const filters::Matcher>, std::vector<std::string>> compile_watchlist(const Config& config) {
  auto matcher = filters::Matcher::compile(config.filters, config.entities);
  if (matcher) return std::move(*matcher);
  return formatted(compile_errors(matcher.error()));
}

Result<CompiledConfig, std::vector<std::string>> load_compiled_config(const std::string& path) {
  auto read = read_config(path);
  // The watchlist is compiled even when the settings have errors, so that a bad interval does
  // not hide a bad query further down: every problem is reported at once, in line order.
  std::vector<filters::FilterDef> usable;
  for (const auto& f : read.config.filters) {
    if (!f.query.empty() || !f.rank.empty()) usable.push_back(f);
  }
  auto matcher = filters::Matcher::compile(usable, read.config.entities);
  std::vector<ConfigError> errors = std::move(read.errors);
  if (!matcher) {
    auto more = compile_errors(matcher.error());
    errors.insert(errors.end(), more.begin(), more.end());
  }
  if (!errors.empty()) {
    sort_by_position(errors, read.config.files);
    return formatted(errors);
  }
  return CompiledConfig{std::move(read.config), std::move(*matcher)};
}

}  // namespace newswatch::daemon
