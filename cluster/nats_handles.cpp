#include "cluster/nats_handles.hpp"

namespace newswatch::cluster {

Error nats_error(std::string_view what, natsStatus status, jsErrCode js_code) {
  std::string message(what);
  message += ": ";
  message += natsStatus_GetText(status);
  if (static_cast<int>(js_code) != 0) message += " (JetStream error " + std::to_string(static_cast<int>(js_code)) + ")";
  // The thread's last error often says more (which server, which field); it is per thread.
  const char* detail = nats_GetLastError(nullptr);
  if (detail != nullptr && *detail != '\0' && std::string_view(detail) != natsStatus_GetText(status)) {
    message += ": ";
    message += detail;
  }
  return Error{std::move(message)};
}

}  // namespace newswatch::cluster
