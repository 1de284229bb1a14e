#pragma once
// The [bursts] section and the filters' expected_per_day as the burst detector takes them,
// and the gazetteer's entity types; shared by the daemon and `newswatch bursts`.

#include <vector>

#include "bursts/burst_detector.hpp"
#include "bursts/burst_message.hpp"
#include "daemon/config.hpp"

namespace newswatch::daemon {

bursts::BurstSettings burst_settings(const Config& config);
std::vector<bursts::BurstFilter> burst_filters(const Config& config);
bursts::EntityTypes entity_types(const Config& config);

}  // namespace newswatch::daemon
