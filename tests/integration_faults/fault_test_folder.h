#pragma once
// Per-test folders for the fault tests: a work folder under the test temp dir (per process, as
// ctest runs tests in parallel), the demo tables from `churnctl generate`, and a linked ticket
// text set for ingest.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integration/run_command.h"
#include "integration_faults/restartable_service_set.h"

namespace churn::testing {

struct FaultTestFolder {
  std::filesystem::path work;
  std::filesystem::path data;
  std::filesystem::path tickets;
};

// Fails the test (ADD_FAILURE) when churnctl cannot generate the tables.
inline FaultTestFolder MakeFaultTestFolder(int accounts = 150) {
  const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  FaultTestFolder folder;
  folder.work =
      std::filesystem::path(::testing::TempDir()) / absl::StrCat("faults_", ::getpid()) / test;
  std::filesystem::remove_all(folder.work);
  std::filesystem::create_directories(folder.work);
  folder.data = folder.work / "data";
  int exit_code = 0;
  const std::string output =
      RunCommand(absl::StrCat(CHURNCTL_BINARY, " generate --out ", folder.data.string(),
                              " --accounts ", accounts, " --seed 11 2>&1"),
                 &exit_code);
  if (exit_code != 0) ADD_FAILURE() << "churnctl generate failed: " << output;
  folder.tickets = folder.work / "tickets";
  std::filesystem::create_directories(folder.tickets);
  std::ofstream(folder.tickets / "demo_tickets.csv")
      << "ticket_id,subject,body\n"
         "D-1,Renewal quote,\"The renewal quote is beyond our budget, we may cancel.\"\n"
         "D-2,Login,We cannot log in since this morning.\n";
  return folder;
}

// The service set on this folder: no model, the outcome log in the work folder.
inline ServiceSetConfig ConfigFor(const FaultTestFolder& folder) {
  ServiceSetConfig config;
  config.data_dir = folder.data.string();
  config.tickets_dir = folder.tickets.string();
  config.work_dir = folder.work.string();
  config.outcomes_db = (folder.work / "outcomes.sqlite").string();
  return config;
}

inline void RemoveFaultTestFolder(const FaultTestFolder& folder) {
  std::error_code ignored;
  std::filesystem::remove_all(folder.work, ignored);
}

}  // namespace churn::testing
