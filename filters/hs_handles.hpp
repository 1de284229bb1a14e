#pragma once
// RAII owners for Vectorscan handles, so a failed compile or a reload frees them exactly once.
// Plain unique_ptrs with the library's free functions as deleters.

#include <hs.h>

#include <memory>

namespace newswatch::filters {

struct HsDatabaseFree {
  void operator()(hs_database_t* db) const noexcept { hs_free_database(db); }
};
struct HsScratchFree {
  void operator()(hs_scratch_t* s) const noexcept { hs_free_scratch(s); }
};
struct HsCompileErrorFree {
  void operator()(hs_compile_error_t* e) const noexcept { hs_free_compile_error(e); }
};

using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseFree>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchFree>;
using HsCompileError = std::unique_ptr<hs_compile_error_t, HsCompileErrorFree>;

}  // namespace newswatch::filters
