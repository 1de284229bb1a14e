#include "common/command_line.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "common/escape.hpp"

namespace newswatch {
namespace {

// CLI11's stock help prints a default as `TEXT=value`, easy to miss; ours says
// "(default: value)" after the description, and "(default: off)" for a flag.
class DefaultsFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* opt) const override {
    std::string out;
    if (!opt->get_option_text().empty()) return " " + opt->get_option_text();
    if (opt->get_expected_max() == 0) return out;  // a flag takes no value
    if (!opt->get_type_name().empty()) out += " " + get_label(opt->get_type_name());
    if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) out += " ...";
    if (opt->get_required()) out += " " + get_label("REQUIRED");
    return out;
  }

  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string out = opt->get_description();
    const bool is_flag = opt->get_expected_max() == 0;
    const std::string name = opt->get_name();
    if (is_flag && name != "--help" && name != "--version" && name.rfind("-h", 0) != 0) {
      out += " (default: off)";
    } else if (!is_flag && !opt->get_default_str().empty()) {
      out += " (default: " + opt->get_default_str() + ")";
    } else if (!is_flag && !opt->get_required() && opt->nonpositional()) {
      out += " (default: none)";
    }
    return out;
  }
};

// An option-looking word the app does not know, if any: CLI11 reports a missing required
// positional before unknown options, but the unknown option is the more useful thing to name.
std::string first_unknown_option(const CLI::App& app, const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-') continue;
    const std::string name = a.substr(0, a.find('='));
    if (app.get_option_no_throw(name) == nullptr) return name;
  }
  return {};
}

}  // namespace

void apply_conventions(CLI::App& app) {
  app.formatter(std::make_shared<DefaultsFormatter>());
  app.option_defaults()->always_capture_default();
  app.footer("Exit codes: 0 ok, 1 invalid input or config, 2 usage error, 3 internal error.");
}

std::optional<int> parse_command_line(CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
      if (const auto unknown = first_unknown_option(app, args); !unknown.empty())
        what = "The following argument was not expected: " + unknown;
    }
    print_error_line(app.get_name() + ": " + what);  // `what` quotes the bad word as typed
    std::fprintf(stderr, "Run '%s --help' for the options.\n", app.get_name().c_str());
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace newswatch
