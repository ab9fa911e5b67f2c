#pragma once
// A test whose real component is missing (a tool such as Prometheus, the browser, the sample data
// in ../shared) skips on a developer's machine, with the reason. In CI (CI=true) it fails instead:
// there a skip would turn a green run into one that proved nothing.

#include <cstdlib>
#include <string_view>

#include "gtest/gtest.h"

namespace churn::testing {

inline bool RealComponentsRequired() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

}  // namespace churn::testing

// Skips (or, with CI=true, fails) the current test; `message` says what is missing. Returns from
// the calling function, like GTEST_SKIP().
#define CHURN_SKIP_UNLESS_CI(message)                                           \
  do {                                                                          \
    if (::churn::testing::RealComponentsRequired()) {                           \
      FAIL() << message << " (CI=true: a missing real component is a failure)"; \
    }                                                                           \
    GTEST_SKIP() << message;                                                    \
  } while (0)
