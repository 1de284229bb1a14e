#pragma once
// The Poisson upper tail P(X >= k) for X ~ Poisson(mu), exact at small counts and stable far
// into the tail (computed in log space), and the Šidák per-test level for a daily budget.

#include <cstdint>

namespace newswatch::bursts {

// log P(X >= k), X ~ Poisson(mu). k <= 0 gives 0 (certain); mu <= 0 with k > 0 gives -inf.
double log_poisson_upper_tail(std::int64_t k, double mu);

// P(X >= k), X ~ Poisson(mu); underflows to 0 only below ~1e-308 (use the log form there).
double poisson_upper_tail(std::int64_t k, double mu);

// The per-test level that keeps the chance of any false positive among `tests` independent
// tests at `family_p` (Šidák): 1 - (1 - family_p)^(1/tests). Bonferroni's family_p/tests is
// a hair smaller; both are conservative for the positively correlated tests we run.
double sidak_level(double family_p, double tests);

}  // namespace newswatch::bursts
