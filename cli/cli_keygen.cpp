// `newswatch keygen [--out DIR] [--name NAME] [--force]`: writes a CURVE key pair,
// DIR/NAME.key (public and secret key, mode 0600, created that way so it is never readable
// by others, not even for an instant) and DIR/NAME.pub (public key only, mode 0644).
// For the daemon: point curve_secret_key_file at NAME.key and give clients NAME.pub.
// For a client: put NAME.pub in the daemon's curve_allowed_keys_dir and use NAME.key.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "alerts/curve.hpp"
#include "cli/cli.hpp"
#include "common/escape.hpp"

namespace newswatch::cli {
namespace {

// O_EXCL (unless forced) so we never overwrite a key someone relies on; the mode is set
// at creation, and fchmod corrects an existing file's mode when forced.
Result<Ok> write_file(const std::string& path, const std::string& text, mode_t mode, bool force) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
  const int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0) return make_error(path + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return make_error(path + ": " + std::strerror(saved));
  return Ok{};
}

}  // namespace

int cmd_keygen(const std::vector<std::string>& args) {
  CLI::App app{
      "Write a CURVE key pair: DIR/NAME.key (public and secret key, mode 0600) and DIR/NAME.pub (public key "
      "only, mode 0644).",
      "newswatch keygen"};
  apply_conventions(app);
  std::string dir = ".";
  std::string name = "newswatch";
  bool force = false;
  app.add_option("--out", dir, "The directory to write the key files in (created if missing)");
  app.add_option("--name", name, "The key files' base name");
  app.add_flag("--force", force, "Overwrite existing key files");
  if (auto code = parse_command_line(app, args)) return *code;
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') {
    print_error_line("newswatch keygen: --name must be a plain file name");
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  auto keys = alerts::generate_key_pair();
  if (!keys) {
    print_error_line(std::string("newswatch keygen: ") + keys.error().message);
    return 3;
  }
  const std::string base = (std::filesystem::path(dir) / name).string();
  if (auto r = write_file(base + ".key", alerts::secret_key_file_text(*keys), 0600, force); !r) {
    print_error_line(std::string("newswatch keygen: ") + r.error().message);
    return 1;
  }
  if (auto r = write_file(base + ".pub", alerts::public_key_file_text(*keys), 0644, force); !r) {
    print_error_line(std::string("newswatch keygen: ") + r.error().message);
    return 1;
  }
  std::printf("%s.key (secret, 0600)\n%s.pub (public: %s)\n", base.c_str(), base.c_str(), keys->public_z85.c_str());
  return 0;
}

}  // namespace newswatch::cli
