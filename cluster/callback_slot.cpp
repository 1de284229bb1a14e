#include "cluster/callback_slot.hpp"

#include <vector>

namespace newswatch::cluster {

void CallbackSlotBase::keep_for_process(std::unique_ptr<CallbackSlotBase> slot) {
  static std::mutex mu;
  // Never destroyed, not even at exit: a libnats thread may still look at a slot then.
  static auto* slots = std::make_unique<std::vector<std::unique_ptr<CallbackSlotBase>>>().release();
  std::lock_guard lock(mu);
  slots->push_back(std::move(slot));
}

}  // namespace newswatch::cluster
