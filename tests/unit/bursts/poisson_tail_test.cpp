// The Poisson tail against values computed to 30 digits (mpmath's regularized gamma),
// across small counts, deep tails and the continued-fraction side; and the Šidák level.
#include "bursts/poisson_tail.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace newswatch::bursts {
namespace {

struct Known {
  std::int64_t k;
  double mu;
  double p;
};

constexpr Known kKnown[] = {
    {1, 0.5, 0.39346934028736658},
    {3, 0.5, 0.014387677966970687},
    {3, 2.1, 0.35036864811793099},
    {14, 2.1, 5.289979837430046e-8},
    {10, 1, 1.1142547833872068e-7},
    {5, 5, 0.55950671493478759},
    {20, 5, 3.4521358209144602e-7},
    {50, 10, 1.8547268838697993e-19},
    {100, 10, 5.3985897281395815e-63},
    {1, 1e-06, 9.9999950000016662e-7},
    {30, 60, 0.99999312373503127},
    {1000, 900, 0.00054990226571178292},
    {2, 50, 1.0},
};

TEST(PoissonTail, MatchesKnownValues) {
  for (const auto& c : kKnown) {
    SCOPED_TRACE("k=" + std::to_string(c.k) + " mu=" + std::to_string(c.mu));
    EXPECT_NEAR(poisson_upper_tail(c.k, c.mu), c.p, c.p * 1e-9);
  }
}

TEST(PoissonTail, LogFormReachesBeyondDoubleRange) {
  // P(X >= 200 | 0.5) = 4.80e-436: no double holds it, its logarithm is exact.
  EXPECT_NEAR(log_poisson_upper_tail(200, 0.5), -1002.4, 0.05);
  EXPECT_EQ(poisson_upper_tail(200, 0.5), 0.0);
}

TEST(PoissonTail, EdgeCases) {
  EXPECT_EQ(poisson_upper_tail(0, 3.0), 1.0);
  EXPECT_EQ(poisson_upper_tail(-2, 3.0), 1.0);
  EXPECT_EQ(poisson_upper_tail(1, 0.0), 0.0);
  EXPECT_EQ(poisson_upper_tail(1, -1.0), 0.0);
  EXPECT_TRUE(std::isinf(log_poisson_upper_tail(1, 0.0)));
  EXPECT_NEAR(poisson_upper_tail(1, 2.0), 1.0 - std::exp(-2.0), 1e-15);
}

TEST(PoissonTail, DecreasesInCountAndIncreasesInMean) {
  for (double mu : {0.01, 0.3, 1.0, 4.0, 17.0, 120.0}) {
    double previous = 1.0;
    for (std::int64_t k = 1; k < 300; ++k) {
      const double p = poisson_upper_tail(k, mu);
      EXPECT_LE(p, previous) << "k=" << k << " mu=" << mu;
      EXPECT_GE(p, 0.0);
      previous = p;
    }
  }
  for (std::int64_t k : {1, 3, 10, 40}) {
    double previous = 0.0;
    for (double mu = 0.05; mu < 100; mu *= 1.3) {
      const double p = poisson_upper_tail(k, mu);
      EXPECT_GE(p, previous) << "k=" << k << " mu=" << mu;
      previous = p;
    }
  }
}

TEST(PoissonTail, SumOfTermsAgreesAtSmallCounts) {
  // Against the direct sum 1 - sum_{i<k} e^-mu mu^i / i!, fine where it does not cancel.
  for (double mu : {0.2, 1.5, 6.0}) {
    double cdf = 0;
    double term = std::exp(-mu);
    for (std::int64_t k = 1; k <= 12; ++k) {
      cdf += term;
      term *= mu / static_cast<double>(k);
      const double direct = 1.0 - cdf;
      if (direct > 1e-6) {
        EXPECT_NEAR(poisson_upper_tail(k, mu), direct, direct * 1e-9) << k << " " << mu;
      }
    }
  }
}

TEST(SidakLevel, SplitsADailyBudget) {
  EXPECT_NEAR(sidak_level(1e-2, 48), 2.0936007806748869e-4, 1e-15);
  EXPECT_NEAR(sidak_level(1e-4, 48), 1e-4 / 48, 2e-10);
  EXPECT_EQ(sidak_level(1e-2, 1), 1e-2);
  EXPECT_EQ(sidak_level(0.0, 48), 0.0);
  // The family rate it promises for independent tests.
  const double level = sidak_level(0.05, 100);
  EXPECT_NEAR(1.0 - std::pow(1.0 - level, 100), 0.05, 1e-12);
}

}  // namespace
}  // namespace newswatch::bursts
