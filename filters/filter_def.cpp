#include "filters/filter_def.hpp"

namespace newswatch::filters {

std::string format_error(const CompileError& e) {
  return e.pos.file + ":" + std::to_string(e.pos.line) + ":" + std::to_string(e.pos.column) + ": " + e.message;
}

}  // namespace newswatch::filters
