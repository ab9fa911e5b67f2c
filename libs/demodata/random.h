#pragma once
// Portable randomness for the demo generator: the same seed gives the same numbers with every
// compiler and standard library. std::*_distribution is implementation-defined, so it is not
// used; the distributions below only use +, -, *, / and sqrt, which IEEE 754 rounds the same
// way everywhere.

#include <cmath>
#include <cstdint>
#include <span>

// Byte-identical output also needs every a*b+c rounded twice, never fused into one FMA (which
// rounds once): libs/demodata/CMakeLists.txt builds this library with -ffp-contract=off.

namespace churn::demodata {

// splitmix64 finaliser: a stateless, well-mixed 64-bit hash (used to derive seeds).
inline uint64_t Mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// One seed per (run seed, account, purpose), so an account's data does not depend on how many
// numbers other accounts (or other purposes of the same account) consumed.
inline uint64_t DeriveSeed(uint64_t seed, uint64_t index, uint64_t purpose) {
  return Mix64(Mix64(seed ^ Mix64(index)) + purpose);
}

// e^-x for x >= 0 from basic arithmetic only (std::exp may differ in the last bit between libms).
inline double ExpNeg(double x) {
  int halvings = 0;
  while (x > 0.5) {  // exact: halving a double does not round
    x *= 0.5;
    ++halvings;
  }
  double sum = 1.0;
  double term = 1.0;
  for (int i = 1; i <= 16; ++i) {  // Taylor series; 16 terms exhaust double precision at |x| <= 0.5
    term = term * -x;
    term = term / i;
    sum = sum + term;
  }
  for (int i = 0; i < halvings; ++i) sum = sum * sum;
  return sum;
}

// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed += 0x9E3779B97F4A7C15ULL;
      word = Mix64(seed);
    }
  }

  uint64_t Next() {
    const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  double UniformReal(double low, double high) {
    const double span = high - low;
    const double offset = Uniform() * span;
    return low + offset;
  }

  // Uniform integer in [low, high] (inclusive). The modulo bias is below 2^-40 for our ranges.
  int64_t UniformInt(int64_t low, int64_t high) {
    if (high <= low) return low;
    const uint64_t span = static_cast<uint64_t>(high - low) + 1;
    return low + static_cast<int64_t>(Next() % span);
  }

  bool Chance(double probability) { return Uniform() < probability; }

  // Index drawn with probability proportional to weights[i].
  size_t Weighted(std::span<const int> weights) {
    int64_t total = 0;
    for (int weight : weights) total += weight;
    int64_t pick = UniformInt(0, total - 1);
    for (size_t i = 0; i < weights.size(); ++i) {
      if (pick < weights[i]) return i;
      pick -= weights[i];
    }
    return weights.size() - 1;
  }

  // Poisson(mean): Knuth's product method for small means, a rounded normal approximation
  // (Irwin-Hall sum of 12 uniforms) for large ones.
  int64_t Poisson(double mean) {
    if (!(mean > 0.0)) return 0;
    if (mean < 30.0) {
      const double limit = ExpNeg(mean);
      int64_t count = -1;
      double product = 1.0;
      do {
        ++count;
        product = product * Uniform();
      } while (product > limit);
      return count;
    }
    double standard_normal = -6.0;
    for (int i = 0; i < 12; ++i) standard_normal = standard_normal + Uniform();
    const double spread = std::sqrt(mean) * standard_normal;
    const double value = std::floor(mean + spread + 0.5);
    return value < 0.0 ? 0 : static_cast<int64_t>(value);
  }

 private:
  static uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
};

}  // namespace churn::demodata
