#include "bursts/poisson_tail.hpp"

#include <cmath>
#include <limits>

namespace newswatch::bursts {
namespace {

constexpr double kEps = 1e-15;
constexpr double kTiny = 1e-300;
constexpr int kMaxIterations = 100000;

// log of the regularized lower incomplete gamma P(a, x) by its power series; converges
// fast for x < a + 1. Every term is relative to the leading x^a e^-x / Gamma(a+1), so no
// intermediate overflows or underflows however far out the tail is.
double log_lower_gamma_series(double a, double x) {
  double ap = a;
  double term = 1.0 / a;
  double sum = term;
  for (int i = 0; i < kMaxIterations; ++i) {
    ap += 1.0;
    term *= x / ap;
    sum += term;
    if (std::fabs(term) < std::fabs(sum) * kEps) break;
  }
  return std::log(sum) - x + a * std::log(x) - std::lgamma(a);
}

// The regularized upper incomplete gamma Q(a, x) by its continued fraction (modified
// Lentz); converges fast for x > a + 1.
double upper_gamma_fraction(double a, double x) {
  double b = x + 1.0 - a;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < kMaxIterations; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1.0) < kEps) break;
  }
  return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

}  // namespace

double log_poisson_upper_tail(std::int64_t k, double mu) {
  if (k <= 0) return 0.0;
  if (!(mu > 0.0)) return -std::numeric_limits<double>::infinity();
  // P(X >= k) = P(k, mu), the regularized lower incomplete gamma function.
  const auto a = static_cast<double>(k);
  if (mu < a + 1.0) return log_lower_gamma_series(a, mu);
  return std::log1p(-upper_gamma_fraction(a, mu));
}

double poisson_upper_tail(std::int64_t k, double mu) { return std::exp(log_poisson_upper_tail(k, mu)); }

double sidak_level(double family_p, double tests) {
  if (!(tests > 1.0)) return family_p;
  if (!(family_p > 0.0)) return 0.0;
  if (family_p >= 1.0) return 1.0;
  return -std::expm1(std::log1p(-family_p) / tests);
}

}  // namespace newswatch::bursts
