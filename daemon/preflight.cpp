#include "daemon/preflight.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "alerts/curve.hpp"

namespace newswatch::daemon {
namespace {

namespace fs = std::filesystem;

// The directory exists and we may create files in it, or it does not exist yet and its
// nearest existing ancestor lets us create it.
std::string state_dir_problem(const std::string& dir) {
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (ec) return ec.message();
  if (fs::exists(p, ec) && !fs::is_directory(p, ec)) return "exists and is not a directory";
  while (!fs::exists(p, ec)) {
    if (!p.has_parent_path() || p.parent_path() == p) return "no existing parent directory";
    p = p.parent_path();
  }
  if (!fs::is_directory(p, ec)) return p.string() + " is not a directory";
  if (::access(p.c_str(), W_OK | X_OK) != 0) return p.string() + ": " + std::strerror(errno);
  return {};
}

}  // namespace

std::string effective_state_dir(const Config& config) {
  if (const char* env = std::getenv("STATE_DIRECTORY");
      env != nullptr && config.daemon.state_dir == Config{}.daemon.state_dir) {
    std::string dir = env;
    if (auto colon = dir.find(':'); colon != std::string::npos) dir.resize(colon);
    return dir;
  }
  return config.daemon.state_dir;
}

Result<std::string> prepare_state_database(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return make_error("cannot create the state directory " + dir + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec, ec);
  }
  const std::string path = (fs::path(dir) / "newswatch.db").string();
  // O_EXCL: an existing database keeps the mode its operator gave it.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    return make_error("cannot create " + path + ": " + std::strerror(errno));
  }
  return path;
}

std::vector<std::string> preflight_problems(const Config& config) {
  std::vector<std::string> out;
  const std::string dir = effective_state_dir(config);
  if (auto why = state_dir_problem(dir); !why.empty()) {
    out.push_back("[daemon] state_dir '" + dir + "' cannot be written: " + why);
  }
  const auto& p = config.publish;
  if (p.curve_secret_key_file.empty() != p.curve_allowed_keys_dir.empty()) {
    out.emplace_back("[publish] curve_secret_key_file and curve_allowed_keys_dir go together (both or neither)");
  }
  if (!p.curve_secret_key_file.empty()) {
    if (auto keys = alerts::load_server_keys(p.curve_secret_key_file); !keys) {
      out.push_back("[publish] curve_secret_key_file: " + keys.error().message);
    }
  }
  if (!p.curve_allowed_keys_dir.empty()) {
    if (auto keys = alerts::load_allowed_keys(p.curve_allowed_keys_dir); !keys) {
      out.push_back("[publish] curve_allowed_keys_dir: " + keys.error().message);
    }
  }
  return out;
}

}  // namespace newswatch::daemon
