// Ticket text feeds scoring end to end (issue 4, linkage): a linked ticket set in the ingest
// tickets folder, analysed through the real enrichment service (fallback analyser, no model),
// raises churn_intent_30d and the cancellation rule in the gateway's views. An unlinked set in
// the same folder never does.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "churn/v1/gateway.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration/gateway_stack.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "testing/data_folder.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using namespace std::chrono_literals;

v1::GetCustomerBriefResponse Brief(v1::GatewayService::Stub& stub, const std::string& id) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  v1::GetCustomerBriefRequest request;
  request.set_customer_id(id);
  v1::GetCustomerBriefResponse response;
  EXPECT_TRUE(stub.GetCustomerBrief(&context, request, &response).ok());
  return response;
}

TEST(ChurnIntentSystem, LinkedTicketsRaiseChurnIntentAndUnlinkedOnesDoNot) {
  const std::string data = churn::testing::WriteDataFolder("intent_system");
  const churn::testing::ScratchDir scratch;
  const std::filesystem::path tickets = scratch / "tickets";
  std::filesystem::create_directories(tickets);
  // Linked through account_id; T (support window end) is 2024-12-31 in the default tables.
  std::ofstream(tickets / "linked.csv")
      << "ticket_id,account_id,created_at,subject,body\n"
         "X-1,A-2,2024-12-20,Renewal quote,\"The renewal quote is beyond our budget, we may "
         "downgrade or cancel.\"\n"
         "X-2,A-2,2024-10-01,Old,We will cancel.\n"  // before [T-30d, T]: not counted
         "X-3,A-1,2024-12-21,Question,How do I export a report?\n";
  // No key column: a demo set, whose analyses must never reach scores (docs/PRODUCT.md
  // "Ticket analysis").
  std::ofstream(tickets / "demo.csv") << "id,subject,body\n1,Bye,We will cancel everything.\n";

  churn::testing::GatewayStack stack;
  const absl::Status started = stack.Start({.data_dir = data,
                                            .work_dir = tickets,
                                            .ingest_args = {"--tickets_dir=" + tickets.string()},
                                            .scoring_args = {},
                                            .gateway_args = {"--refresh_interval_ms=200"}});
  ASSERT_TRUE(started.ok()) << started;

  auto stub = v1::GatewayService::NewStub(
      grpc::CreateChannel(stack.gateway().grpc_target(), grpc::InsecureChannelCredentials()));
  // S-2 (account A-2): downgrade 12 + trial 8 + cancellation language 22 = 42 Medium.
  const v1::GetCustomerBriefResponse s2 = Brief(*stub, "S-2");
  EXPECT_EQ(s2.customer().signals().churn_intent_30d(), 1);
  EXPECT_EQ(s2.customer().assessment().risk_score(), 42);
  EXPECT_EQ(s2.customer().assessment().risk_level(), v1::RISK_LEVEL_MEDIUM);
  bool intent_rule = false;
  for (const v1::FiredRule& rule : s2.customer().assessment().fired_rules()) {
    intent_rule |= rule.rule() == "churn_intent" && rule.points() == 22;
  }
  EXPECT_TRUE(intent_rule);
  // The brief shows the linked ticket behind it, with the analyser that read it.
  bool shown = false;
  for (const v1::TicketAnalysis& analysis : s2.ticket_analyses()) {
    if (analysis.ticket_id() == "X-1") {
      shown = true;
      EXPECT_TRUE(analysis.churn_intent());
      EXPECT_EQ(analysis.source(), "fallback");
      EXPECT_EQ(analysis.category(), "billing");
    }
  }
  EXPECT_TRUE(shown);
  // S-1 (account A-1): only a how-to ticket; the unlinked demo set's "cancel" never counts.
  EXPECT_EQ(Brief(*stub, "S-1").customer().signals().churn_intent_30d(), 0);
}

}  // namespace
}  // namespace churn
