#pragma once
// Writes small data folders for tests: the five tables with valid defaults, any of which a
// test can replace with its own (dirty) text.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::testing {

inline const std::map<std::string, std::string>& DefaultTables() {
  static const std::map<std::string, std::string> tables = {
      {"accounts.csv",
       "account_id,account_name,industry,country,signup_date,referral_source,plan_tier,seats,"
       "is_trial,churn_flag\n"
       "A-1,Acme,FinTech,US,2024-01-01,partner,Pro,10,False,False\n"
       "A-2,Globex,EdTech,DE,2024-02-01,ads,Basic,5,True,True\n"},
      {"subscriptions.csv",
       "subscription_id,account_id,start_date,end_date,plan_tier,seats,mrr_amount,arr_amount,"
       "is_trial,upgrade_flag,downgrade_flag,churn_flag,billing_frequency,auto_renew_flag\n"
       "S-1,A-1,2024-01-01,,Pro,10,1000,12000,False,False,False,False,monthly,True\n"
       "S-2,A-2,2024-02-01,,Basic,5,100,1200,True,False,True,False,monthly,True\n"},
      {"feature_usage.csv",
       "usage_id,subscription_id,usage_date,feature_name,usage_count,usage_duration_secs,"
       "error_count,is_beta_feature\n"
       "U-1,S-1,2024-12-31,f1,10,100,1,False\n"
       "U-2,S-1,2024-11-15,f1,20,100,0,False\n"
       "U-3,S-2,2024-12-01,f2,5,100,0,False\n"},
      {"churn_events.csv",
       "churn_event_id,account_id,churn_date,reason_code,refund_amount_usd,"
       "preceding_upgrade_flag,preceding_downgrade_flag,is_reactivation,feedback_text\n"
       "C-1,A-2,2024-10-01,pricing,0,False,False,False,\"too expensive, sorry\"\n"},
      {"support_tickets.csv",
       "ticket_id,account_id,submitted_at,closed_at,resolution_time_hours,priority,"
       "first_response_time_minutes,satisfaction_score,escalation_flag\n"
       "T-1,A-1,2024-12-20,2024-12-21 03:00:00,27.0,high,74,2,True\n"
       "T-2,A-1,2024-12-31 10:00:00,,,low,30,,False\n"},
  };
  return tables;
}

// A fresh folder under the test temp dir holding the defaults with `overrides` applied
// (an override with an empty name removes nothing; a file name mapped to "" writes an
// empty file).
inline std::string WriteDataFolder(const std::string& name,
                                   const std::map<std::string, std::string>& overrides = {}) {
  // In the program's scratch folder: per process (CTest runs test cases in parallel processes)
  // and removed at exit.
  const std::filesystem::path dir = ProgramScratch() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::map<std::string, std::string> tables = DefaultTables();
  for (const auto& [file, text] : overrides) tables[file] = text;
  for (const auto& [file, text] : tables) {
    std::ofstream(dir / file, std::ios::binary) << text;
  }
  return dir.string();
}

}  // namespace churn::testing
