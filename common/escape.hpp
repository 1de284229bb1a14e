#pragma once
// Escaping for text that reaches a terminal or a log line from outside (feeds, configs,
// command lines): control characters and broken UTF-8 become visible escapes, so input can
// neither drive the terminal nor forge a second log line. Every message built from input goes
// through escape_controls before it is printed.

#include <string>
#include <string_view>

namespace newswatch {

// Escapes C0 controls except tab (newline as \n, carriage return as \r, others as \x1b), DEL
// (\x7f), C1 controls (U+0080..U+009F as \u0085), the bidirectional overrides and isolates
// that reorder what a terminal shows (U+202A..U+202E, U+2066..U+2069 as \u202e), and every
// byte of ill-formed UTF-8 (\xff). Everything else, backslashes included, is kept as it is.
std::string escape_controls(std::string_view text);

// escape_controls(line) and a newline on stderr: one line however the input was made.
void print_error_line(std::string_view line);

}  // namespace newswatch
