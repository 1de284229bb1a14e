#include "alerts/curve.hpp"

#include <zmq.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace newswatch::alerts {

namespace {

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

bool valid_z85_key(const std::string& z85) {
  if (z85.size() != 40) return false;
  std::array<std::uint8_t, 32> raw{};
  return zmq_z85_decode(raw.data(), z85.c_str()) != nullptr;
}

Result<std::string> parse_key_text(const std::string& text, KeyKind kind) {
  const std::string wanted = kind == KeyKind::public_key ? "public-key" : "secret-key";
  std::istringstream in(text);
  std::string line;
  std::string bare;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty()) continue;
    // Z85 uses '=' and '#' too (a key cannot start with '#': it would overflow), so a bare
    // key line is recognised before comments and name = value lines.
    if (valid_z85_key(line)) {
      if (bare.empty()) bare = line;
      continue;
    }
    if (line[0] == '#') continue;
    if (const auto eq = line.find('='); eq != std::string::npos) {
      if (trim(line.substr(0, eq)) != wanted) continue;
      std::string value = unquote(trim(line.substr(eq + 1)));
      if (!valid_z85_key(value)) return make_error(wanted + " is not a 40-character Z85 key");
      return value;
    }
  }
  if (!bare.empty()) return bare;
  return make_error("no " + wanted + " found");
}

Result<std::string> read_key_file(const std::string& path, KeyKind kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(path + ": cannot read key file");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 64 * 1024) return make_error(path + ": too large for a key file");
  auto key = parse_key_text(text.str(), kind);
  if (!key) return make_error(path + ": " + key.error().message);
  return key;
}

Result<CurveKeyPair> generate_key_pair() {
  std::array<char, 41> pub{};
  std::array<char, 41> sec{};
  if (zmq_curve_keypair(pub.data(), sec.data()) != 0)
    return make_error(std::string("cannot generate a CURVE key pair: ") + zmq_strerror(zmq_errno()));
  return CurveKeyPair{pub.data(), sec.data()};
}

Result<std::string> public_key_for(const std::string& secret_z85) {
  std::array<char, 41> pub{};
  if (!valid_z85_key(secret_z85) || zmq_curve_public(pub.data(), secret_z85.c_str()) != 0)
    return make_error("not a valid CURVE secret key");
  return std::string(pub.data());
}

Result<CurveKeyPair> load_server_keys(const std::string& secret_key_file) {
  auto secret = read_key_file(secret_key_file, KeyKind::secret_key);
  if (!secret) return secret.error();
  auto pub = public_key_for(*secret);
  if (!pub) return make_error(secret_key_file + ": " + pub.error().message);
  return CurveKeyPair{*pub, *secret};
}

Result<std::set<std::string>> load_allowed_keys(const std::string& dir, std::vector<std::string>* skipped) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return make_error(dir + ": cannot list allowed keys: " + ec.message());
  std::set<std::string> keys;
  for (const auto& entry : it) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;  // editor swap files, dotfiles
    if (!entry.is_regular_file(ec)) continue;
    auto key = read_key_file(entry.path().string(), KeyKind::public_key);
    if (key) {
      keys.insert(*key);
    } else if (skipped != nullptr) {
      skipped->push_back(key.error().message);
    }
  }
  return keys;
}

void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& keys) {
  socket.set(zmq::sockopt::zap_domain, kZapDomain);
  // ZMQ_ZAP_ENFORCE_DOMAIN is a DRAFT constant in libzmq 4.3 headers (so cppzmq lacks it)
  // but the stable library honours it. With it, a connection is refused when no handler
  // answers, instead of being let in: our ZapHandler is bound first, this is the belt to
  // its braces. An older library that rejects the option still asks the bound handler.
  constexpr int kZapEnforceDomain = 93;
  const int one = 1;
  (void)zmq_setsockopt(socket.handle(), kZapEnforceDomain, &one, sizeof one);
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
}

std::string secret_key_file_text(const CurveKeyPair& keys) {
  return "# newswatch CURVE secret key: keep this file private (mode 0600)\n"
         "public-key = \"" +
         keys.public_z85 + "\"\nsecret-key = \"" + keys.secret_z85 + "\"\n";
}

std::string public_key_file_text(const CurveKeyPair& keys) {
  return "# newswatch CURVE public key\npublic-key = \"" + keys.public_z85 + "\"\n";
}

}  // namespace newswatch::alerts
