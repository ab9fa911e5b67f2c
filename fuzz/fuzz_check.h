#pragma once
// The fuzzers' invariant check: a violated invariant aborts, which libFuzzer reports as a crash
// with the input that caused it.

#include <cstdio>
#include <cstdlib>

namespace churn::fuzz {

inline void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace churn::fuzz
