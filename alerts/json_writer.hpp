#pragma once
// JsonWriter: appends JSON to a string in one pass, byte for byte what nlohmann::json's
// dump(-1, ' ', false, replace) writes for the same values (alert payloads are hot: no tree).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace newswatch::alerts {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  // A JSON string: ", \ and control characters escaped as nlohmann does (\b \f \n \r \t,
  // else \u00XX), UTF-8 copied as is, each ill-formed sequence replaced by one U+FFFD.
  void string(std::string_view s);
  void key(std::string_view k) {
    string(k);
    out_.push_back(':');
  }
  // A member after another: the comma, then the key.
  void next_key(std::string_view k) {
    out_.push_back(',');
    key(k);
  }
  void number(std::uint64_t v);
  void number(std::int64_t v);
  // Whole numbers print as integers ("4", as the analyst wrote them); others as nlohmann does.
  void number(double v);
  void null() { out_.append("null"); }
  // The value as string() or number() writes it, or null when there is none.
  template <class T>
  void value_or_null(const std::optional<T>& v) {
    if (!v) {
      null();
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      string(*v);
    } else {
      number(*v);
    }
  }
  void boolean(bool v) { out_.append(v ? "true" : "false"); }
  void raw(char c) { out_.push_back(c); }

 private:
  std::string& out_;
};

}  // namespace newswatch::alerts
