#include "daemon/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "common/escape.hpp"

namespace newswatch::daemon {
namespace {

// "%*" in the pattern: the sd-daemon priority prefix journald understands.
class SyslogPriorityFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*tm*/, spdlog::memory_buf_t& dest) override {
    static constexpr const char* prefixes[] = {"<7>", "<7>", "<6>", "<4>", "<3>", "<2>", "<6>"};
    const auto i = static_cast<std::size_t>(msg.level);
    const char* p = i < std::size(prefixes) ? prefixes[i] : "<6>";
    dest.append(p, p + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return spdlog::details::make_unique<SyslogPriorityFlag>();
  }
};

// "%q": the message with control characters escaped (common/escape.hpp). Log lines carry
// feed titles, URLs and error texts from the network; none of it may drive a terminal or
// split into a forged second line.
class EscapedMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*tm*/, spdlog::memory_buf_t& dest) override {
    const std::string escaped = escape_controls(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return spdlog::details::make_unique<EscapedMessageFlag>();
  }
};

}  // namespace

std::string log_pattern(bool under_journald) {
  // journald stamps each line itself; elsewhere the time carries its zone (RFC 3339).
  return under_journald ? "%*%q" : "%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %q";
}

void setup_logging(const std::string& program, const std::string& level) {
  auto logger = std::make_shared<spdlog::logger>(program, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  const bool journald = std::getenv("JOURNAL_STREAM") != nullptr;
  formatter->add_flag<SyslogPriorityFlag>('*');
  formatter->add_flag<EscapedMessageFlag>('q');
  formatter->set_pattern(log_pattern(journald));
  logger->set_formatter(std::move(formatter));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  set_log_level(level);
}

bool set_log_level(const std::string& level) {
  const auto l = spdlog::level::from_str(level);
  if (l == spdlog::level::off && level != "off") return false;
  spdlog::set_level(l);
  return true;
}

}  // namespace newswatch::daemon
