#pragma once
// CallbackSlot: a function that libnats calls from its own threads. libnats may still call a
// closure after the connection was closed (its callback threads are not joined), so a slot
// is never freed: it stays reachable for the life of the process (one per session or
// publisher, a few bytes each), and clear() guarantees that the function, and whatever it
// refers to, is not called any more once clear() returns.

#include <functional>
#include <memory>
#include <mutex>
#include <utility>

namespace newswatch::cluster {

class CallbackSlotBase {
 public:
  virtual ~CallbackSlotBase() = default;

 protected:
  static void keep_for_process(std::unique_ptr<CallbackSlotBase> slot);
};

template <class... Args>
class CallbackSlot final : public CallbackSlotBase {
 public:
  static CallbackSlot* make(std::function<void(Args...)> f) {
    std::unique_ptr<CallbackSlot> slot(new CallbackSlot(std::move(f)));
    CallbackSlot* raw = slot.get();
    keep_for_process(std::move(slot));
    return raw;
  }
  void call(Args... args) {
    std::lock_guard lock(mu_);
    if (f_) f_(args...);
  }
  // Waits for a call in progress, then disables the slot for good.
  void clear() {
    std::lock_guard lock(mu_);
    f_ = nullptr;
  }

 private:
  explicit CallbackSlot(std::function<void(Args...)> f) : f_(std::move(f)) {}
  std::mutex mu_;
  std::function<void(Args...)> f_;
};

}  // namespace newswatch::cluster
