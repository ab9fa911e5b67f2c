// Data set upload end to end (issue 10): the real churn-ingest, churn-scoring,
// churn-enrichment and churn-gateway binaries on loopback. Data sets are uploaded through the
// gateway's HTTP API as five files and as one zip, a bad file is refused with file, line and
// column while the served data stays the last good one, and an uploaded set is listed, selected
// (over HTTP and gRPC) and then served.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <httplib.h>

#include "absl/strings/escaping.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "data_sets/zip_writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/gateway_stack.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "nlohmann/json.hpp"
#include "testing/data_folder.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

using Tables = std::map<std::string, std::string>;

// The default tables plus a third customer (A-3 / S-3).
Tables ThreeCustomers() {
  Tables tables = churn::testing::DefaultTables();
  tables["accounts.csv"] +=
      "A-3,Initech,DevTools,FR,2024-03-01,organic,Enterprise,50,False,False\n";
  tables["subscriptions.csv"] +=
      "S-3,A-3,2024-03-01,,Enterprise,50,5000,60000,False,False,False,False,annual,True\n";
  tables["feature_usage.csv"] += "U-4,S-3,2024-12-30,f1,40,100,0,False\n";
  return tables;
}

int64_t JsonInt(const nlohmann::json& value) {
  return value.is_string() ? std::stoll(value.get<std::string>()) : value.get<int64_t>();
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class DataSetUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string data = churn::testing::WriteDataFolder("data_set_upload_configured");
    absl::Status started = stack_.Start(
        {.data_dir = data,
         .work_dir = work_,
         .ingest_args = {"--watch_interval_ms=0", "--uploads_dir=" + (work_ / "uploads").string()},
         .scoring_args = {},
         // Only the selection's own refresh moves the views.
         .gateway_args = {"--refresh_interval_ms=60000"}});
    ASSERT_TRUE(started.ok()) << started;
    http_port_ = stack_.http_port();
  }

  httplib::Client Http() {
    httplib::Client client("127.0.0.1", http_port_);
    client.set_read_timeout(60, 0);
    return client;
  }

  // POSTs five (or any) files as JSON with base64 contents.
  httplib::Result UploadFiles(const std::string& name, const Tables& tables) {
    nlohmann::json body = {{"name", name}, {"files", nlohmann::json::array()}};
    for (const auto& [file, text] : tables) {
      body["files"].push_back({{"file_name", file}, {"content", absl::Base64Escape(text)}});
    }
    return Http().Post("/api/v1/data-sets/upload", body.dump(), "application/json");
  }

  nlohmann::json Get(const std::string& path) {
    httplib::Result result = Http().Get(path);
    EXPECT_TRUE(result) << path;
    if (!result) return {};
    EXPECT_EQ(result->status, 200) << path << ": " << result->body;
    return nlohmann::json::parse(result->body);
  }

  int64_t Customers() { return JsonInt(Get("/api/v1/executive")["customers"]); }

  // name -> current, from the data set list ("" is the configured data folder).
  std::map<std::string, bool> Listed() {
    std::map<std::string, bool> sets;
    const nlohmann::json list = Get("/api/v1/data-sets");
    for (const nlohmann::json& set : list["data_sets"]) {
      sets[set["name"].get<std::string>()] = set["current"].get<bool>();
    }
    return sets;
  }

  const churn::testing::ScratchDir scratch_;
  const fs::path work_ = scratch_.path();
  churn::testing::GatewayStack stack_;
  int http_port_ = 0;
};

TEST_F(DataSetUploadTest, UploadFilesOrZipRefuseBadDataSelectAndServe) {
  ASSERT_EQ(Customers(), 2);
  EXPECT_EQ(Listed(), (std::map<std::string, bool>{{"", true}}));

  // Five files.
  httplib::Result files = UploadFiles("three", ThreeCustomers());
  ASSERT_TRUE(files);
  ASSERT_EQ(files->status, 201) << files->body;
  const nlohmann::json uploaded = nlohmann::json::parse(files->body);
  EXPECT_EQ(uploaded["data_set"]["name"], "three");
  EXPECT_EQ(uploaded["data_set"]["files"].size(), 5u);
  EXPECT_THAT(files->body, Not(HasSubstr(work_.string())));  // no server folder

  // One zip, its tables in a folder.
  const fs::path zip = work_ / "export.zip";
  std::vector<churn::testing::ZipEntry> entries = {{"export/", ""}};
  for (const auto& [file, text] : ThreeCustomers()) {
    entries.push_back({"export/acme_" + file, text});
  }
  churn::testing::WriteZip(zip.string(), entries);
  httplib::Result zipped = Http().Post("/api/v1/data-sets/upload?name=zipped&file_name=export.zip",
                                       ReadFile(zip), "application/zip");
  ASSERT_TRUE(zipped);
  ASSERT_EQ(zipped->status, 201) << zipped->body;
  EXPECT_THAT(zipped->body, HasSubstr("acme_accounts.csv"));

  // A bad value: file, line and column; nothing kept; the served data stays the last good one.
  const int64_t version_before = JsonInt(Get("/readyz")["snapshot_version"]);
  Tables bad = ThreeCustomers();
  bad["subscriptions.csv"] =
      "subscription_id,account_id,plan_tier,arr_amount,is_trial,downgrade_flag\n"
      "S-1,A-1,Pro,12000,False,False\n"
      "S-2,A-2,Basic,lots,True,False\n";
  httplib::Result refused = UploadFiles("bad", bad);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400) << refused->body;
  const std::string error = nlohmann::json::parse(refused->body)["error"];
  EXPECT_THAT(error, HasSubstr("subscriptions.csv:3:"));
  EXPECT_THAT(error, HasSubstr("arr_amount"));
  EXPECT_THAT(error, Not(HasSubstr(work_.string())));
  // A zip that is not one, and a zip with a path traversal entry, are refused the same way.
  httplib::Result not_zip =
      Http().Post("/api/v1/data-sets/upload?name=notzip", "account_id\n", "application/zip");
  ASSERT_TRUE(not_zip);
  EXPECT_EQ(not_zip->status, 400);
  churn::testing::WriteZip(zip.string(), {{"../accounts.csv", "x\n"}});
  httplib::Result traversal =
      Http().Post("/api/v1/data-sets/upload?name=evil", ReadFile(zip), "application/zip");
  ASSERT_TRUE(traversal);
  EXPECT_EQ(traversal->status, 400);
  EXPECT_THAT(traversal->body, HasSubstr("'..' in a path is refused"));
  EXPECT_FALSE(fs::exists(work_ / "uploads" / "accounts.csv"));
  // A name in use, and a form's content type.
  httplib::Result again = UploadFiles("three", ThreeCustomers());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  httplib::Result form = Http().Post("/api/v1/data-sets/upload", "name=x", "text/plain");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);

  EXPECT_EQ(Customers(), 2);
  EXPECT_EQ(JsonInt(Get("/readyz")["snapshot_version"]), version_before);
  EXPECT_EQ(Listed(),
            (std::map<std::string, bool>{{"", true}, {"three", false}, {"zipped", false}}));
  // Nothing of the refused uploads is left in the uploads folder.
  for (const auto& entry : fs::recursive_directory_iterator(work_ / "uploads")) {
    EXPECT_THAT(entry.path().string(), Not(HasSubstr("staging"))) << entry.path();
    EXPECT_THAT(entry.path().string(), Not(HasSubstr("bad"))) << entry.path();
  }

  // Selected over HTTP: served at once.
  httplib::Result selected =
      Http().Post("/api/v1/data-sets/select", R"({"name": "three"})", "application/json");
  ASSERT_TRUE(selected);
  ASSERT_EQ(selected->status, 200) << selected->body;
  EXPECT_EQ(JsonInt(nlohmann::json::parse(selected->body)["snapshot"]["customer_count"]), 3);
  EXPECT_EQ(Customers(), 3);
  EXPECT_EQ(Listed(),
            (std::map<std::string, bool>{{"", false}, {"three", true}, {"zipped", false}}));
  httplib::Result unknown =
      Http().Post("/api/v1/data-sets/select", R"({"name": "nope"})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Customers(), 3);

  // The configured folder again, and the zipped set over the gateway's gRPC API.
  ASSERT_EQ(Http().Post("/api/v1/data-sets/select", R"({"name": ""})", "application/json")->status,
            200);
  EXPECT_EQ(Customers(), 2);
  auto stub = v1::GatewayService::NewStub(
      grpc::CreateChannel(stack_.gateway().grpc_target(), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 30s);
    v1::ListDataSetsResponse list;
    ASSERT_TRUE(stub->ListDataSets(&context, v1::ListDataSetsRequest(), &list).ok());
    ASSERT_EQ(list.data_sets_size(), 3);
    EXPECT_TRUE(list.data_sets(0).configured());
    EXPECT_TRUE(list.data_sets(0).current());
  }
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 30s);
    v1::SelectDataSetRequest request;
    request.set_name("zipped");
    v1::SelectDataSetResponse response;
    grpc::Status status = stub->SelectDataSet(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.data_set().current());
  }
  EXPECT_EQ(Customers(), 3);
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 30s);
    v1::UploadDataSetFilesRequest request;
    request.set_name("grpc-bad");
    for (const auto& [file, text] : bad) {
      v1::DataSetFile* added = request.add_files();
      added->set_file_name(file);
      added->set_content(text);
    }
    v1::UploadDataSetResponse response;
    grpc::Status status = stub->UploadDataSet(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("subscriptions.csv:3:"));
  }
}

}  // namespace
}  // namespace churn
