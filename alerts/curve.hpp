#pragma once
// CURVE keys: reading and writing key files, and configuring a server socket.
//
// Key files are text. A line `secret-key = "<Z85>"` or `public-key = "<Z85>"` names a key
// (czmq's zcert files use the same lines, so they work too); a file holding one bare
// 40-character Z85 line is accepted as whichever key was asked for. Lines starting with
// '#' are comments. `newswatch keygen` writes NAME.key (both lines, mode 0600) and
// NAME.pub (the public line only).

#include <set>
#include <string>

#include <zmq.hpp>

#include "common/result.hpp"

namespace newswatch::alerts {

// The ZAP domain our server sockets announce; the ZAP handler accepts only this one.
inline constexpr const char* kZapDomain = "newswatch";

enum class KeyKind { public_key, secret_key };

struct CurveKeyPair {
  std::string public_z85;
  std::string secret_z85;
};

// Extracts the requested key from a key file's text; checks that it is valid Z85 of 32 bytes.
Result<std::string> parse_key_text(const std::string& text, KeyKind kind);
Result<std::string> read_key_file(const std::string& path, KeyKind kind);

// True when `z85` is 40 characters of Z85 decoding to 32 bytes.
bool valid_z85_key(const std::string& z85);

Result<CurveKeyPair> generate_key_pair();
// The public key that belongs to a secret key.
Result<std::string> public_key_for(const std::string& secret_z85);

// The server's pair from its secret key file (the public key is derived, never trusted
// from the file).
Result<CurveKeyPair> load_server_keys(const std::string& secret_key_file);

// Public keys (Z85) from every regular, non-hidden file in `dir`; files that hold no
// usable key are listed in `skipped` (path: reason).
Result<std::set<std::string>> load_allowed_keys(const std::string& dir, std::vector<std::string>* skipped = nullptr);

// Makes `socket` a CURVE server with our ZAP domain enforced. Call before bind().
void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& keys);

// The text of NAME.key / NAME.pub as keygen writes them.
std::string secret_key_file_text(const CurveKeyPair& keys);
std::string public_key_file_text(const CurveKeyPair& keys);

}  // namespace newswatch::alerts
