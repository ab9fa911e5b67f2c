#pragma once
// Scratch folders for tests: a fresh folder under the test temp dir (TMPDIR; ctest gives every
// test build/test-tmp, which the test_tmp_left_empty check wants empty at the end of the run),
// removed when the ScratchDir goes away, also when the test failed. CHURN_KEEP_TEST_SCRATCH=1
// keeps it (its path is printed) to look at after a failure.
//
//   churn::testing::ScratchDir scratch;              // <TMPDIR>/<Suite>.<Test>-XXXXXX
//   WriteTables(scratch / "data");
//   const std::filesystem::path model = churn::testing::ProgramScratch() / "model.json";

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "gtest/gtest.h"

namespace churn::testing {

inline bool KeepTestScratch() {
  const char* keep = std::getenv("CHURN_KEEP_TEST_SCRATCH");
  return keep != nullptr && std::string_view(keep) == "1";
}

class ScratchDir {
 public:
  // Named after the running test (or `prefix` when given, e.g. outside a test).
  explicit ScratchDir(std::string_view prefix = {}) {
    std::string name(prefix);
    if (name.empty()) {
      const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
      name =
          test != nullptr ? std::string(test->test_suite_name()) + "." + test->name() : "scratch";
    }
    // Parameterized names carry '/', which would make sub folders.
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    std::string path_template =
        (std::filesystem::path(::testing::TempDir()) / (name + "-XXXXXX")).string();
    if (::mkdtemp(path_template.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << path_template << ": " << std::strerror(errno);
    }
    path_ = path_template;
  }
  ~ScratchDir() {
    if (KeepTestScratch()) {
      std::fprintf(stderr, "CHURN_KEEP_TEST_SCRATCH=1: kept %s\n", path_.c_str());
      return;
    }
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string string() const { return path_.string(); }
  // A path inside the folder (not created).
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// One scratch folder for the whole test program (data built once and shared by its tests),
// removed when the program exits.
inline const ScratchDir& ProgramScratch() {
  static const ScratchDir scratch(program_invocation_short_name);
  return scratch;
}

}  // namespace churn::testing
