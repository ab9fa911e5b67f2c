#pragma once
// Per-test folders for the fault tests: a scratch work folder (removed with the FaultTestFolder),
// the demo tables from `churnctl generate`, and a linked ticket
// text set for ingest.

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integration/run_command.h"
#include "integration_faults/restartable_service_set.h"
#include "testing/scratch_dir.h"

namespace churn::testing {

struct FaultTestFolder {
  std::shared_ptr<const ScratchDir> scratch;  // owns `work`
  std::filesystem::path work;
  std::filesystem::path data;
  std::filesystem::path tickets;
};

// Fails the test (ADD_FAILURE) when churnctl cannot generate the tables.
inline FaultTestFolder MakeFaultTestFolder(int accounts = 150) {
  FaultTestFolder folder;
  folder.scratch = std::make_shared<const ScratchDir>();
  folder.work = folder.scratch->path();
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

}  // namespace churn::testing
