// The Ollama client against the fake server (real HTTP on loopback): request shape, reply
// figures, readiness, warm-up and the mapping of every failure to a status code.
#include "ollama/ollama_client.h"

#include "absl/strings/str_cat.h"
#include "fake_ollama/fake_ollama_server.h"
#include "fake_ollama/loopback_socket.h"
#include "gtest/gtest.h"

namespace churn::ollama {
namespace {

using churn::testing::FakeOllamaServer;
using nlohmann::json;
using std::chrono::milliseconds;

class OllamaClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fake = FakeOllamaServer::Start({});
    ASSERT_TRUE(fake.ok()) << fake.status();
    fake_ = *std::move(fake);
  }

  OllamaClient Client(std::string model = "llama3.1:8b") const {
    OllamaClientOptions options;
    options.base_url = fake_->base_url();
    options.model = std::move(model);
    options.keep_alive = "10m";
    options.generation.seed = 7;
    options.generation.num_predict = 128;
    options.generation.num_ctx = 2048;
    return OllamaClient(options);
  }

  static ChatRequest UserSays(const std::string& text) {
    ChatRequest request;
    request.messages = {{"system", "Answer in JSON."}, {"user", text}};
    request.format = json{{"type", "object"}};
    return request;
  }

  static Clock::time_point In(milliseconds duration) { return Clock::now() + duration; }

  std::unique_ptr<FakeOllamaServer> fake_;
};

TEST_F(OllamaClientTest, SendsANonStreamedDeterministicBoundedChat) {
  auto reply = Client().Chat(UserSays("hello"), In(milliseconds(5000)));
  ASSERT_TRUE(reply.ok()) << reply.status();
  const json sent = json::parse(fake_->stats().last_chat_body);
  EXPECT_EQ(sent["model"], "llama3.1:8b");
  EXPECT_EQ(sent["stream"], false);
  EXPECT_EQ(sent["keep_alive"], "10m");
  EXPECT_EQ(sent["format"], json({{"type", "object"}}));
  EXPECT_EQ(sent["options"]["temperature"], 0.0);
  EXPECT_EQ(sent["options"]["seed"], 7);
  EXPECT_EQ(sent["options"]["num_predict"], 128);
  EXPECT_EQ(sent["options"]["num_ctx"], 2048);
  ASSERT_EQ(sent["messages"].size(), 2u);
  EXPECT_EQ(sent["messages"][0]["role"], "system");
  EXPECT_EQ(sent["messages"][1]["content"], "hello");
}

TEST_F(OllamaClientTest, RecordsTheReplysFigures) {
  auto reply = Client().Chat(UserSays("The invoice is wrong."), In(milliseconds(5000)));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->model, "llama3.1:8b");
  EXPECT_EQ(reply->done_reason, "stop");
  EXPECT_FALSE(reply->content.empty());
  EXPECT_GT(reply->load_duration_ns, 0);  // the fake's first chat "loads" the model
  EXPECT_GT(reply->eval_count, 0);
  EXPECT_GT(reply->eval_duration_ns, 0);
  EXPECT_GT(reply->prompt_eval_count, 0);
  EXPECT_GE(reply->total_duration_ns, reply->load_duration_ns);
}

TEST_F(OllamaClientTest, MapsEachFailureToItsCode) {
  const OllamaClient client = Client();
  struct Case {
    const char* marker;
    absl::StatusCode code;
  };
  for (const Case& c : {Case{"[[fake:not_found]]", absl::StatusCode::kFailedPrecondition},
                        Case{"[[fake:busy]]", absl::StatusCode::kResourceExhausted},
                        Case{"[[fake:server_error]]", absl::StatusCode::kInternal},
                        Case{"[[fake:garbage]]", absl::StatusCode::kInternal},
                        Case{"[[fake:drop]]", absl::StatusCode::kUnavailable}}) {
    auto reply = client.Chat(UserSays(c.marker), In(milliseconds(5000)));
    EXPECT_EQ(reply.status().code(), c.code) << c.marker << ": " << reply.status();
  }
}

TEST_F(OllamaClientTest, GarbageBodyIsReportedAsNotOllamasJson) {
  auto reply = Client().Chat(UserSays("[[fake:garbage]]"), In(milliseconds(5000)));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(reply.status().message(), "ollama /api/chat: reply is not a JSON object");
}

TEST_F(OllamaClientTest, ModelMissingFromTheServerIsFailedPrecondition) {
  auto reply = Client("mistral:7b").Chat(UserSays("hello"), In(milliseconds(5000)));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(reply.status().message().find("not found"), absl::string_view::npos);
}

TEST_F(OllamaClientTest, HungChatIsDeadlineExceededOnTime) {
  const auto started = Clock::now();
  auto reply = Client().Chat(UserSays("[[fake:hang]]"), started + milliseconds(2000));
  const auto took = Clock::now() - started;
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded) << reply.status();
  EXPECT_LE(took, milliseconds(2100));
}

TEST_F(OllamaClientTest, UnreachableServerIsUnavailable) {
  churn::testing::RefusingPort refusing(/*listen=*/false);
  OllamaClientOptions options;
  options.base_url = absl::StrCat("http://127.0.0.1:", refusing.port());
  auto reply = OllamaClient(options).Chat(UserSays("hello"), In(milliseconds(2000)));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable) << reply.status();
  auto ready = OllamaClient(options).CheckReady(In(milliseconds(2000)));
  EXPECT_EQ(ready.status().code(), absl::StatusCode::kUnavailable) << ready.status();
}

TEST_F(OllamaClientTest, ReadyWhenTheServerHasTheModel) {
  auto ready = Client().CheckReady(In(milliseconds(2000)));
  ASSERT_TRUE(ready.ok()) << ready.status();
  EXPECT_EQ(ready->version, "0.5.7");
  EXPECT_EQ(ready->models, std::vector<std::string>{"llama3.1:8b"});
  EXPECT_EQ(fake_->stats().version_requests, 1);
  EXPECT_EQ(fake_->stats().tags_requests, 1);

  auto missing = Client("mistral:7b").CheckReady(In(milliseconds(2000)));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("ollama pull mistral:7b"), absl::string_view::npos);
}

TEST_F(OllamaClientTest, WarmUpLoadsTheModelWithoutAChat) {
  auto reply = Client().WarmUp(In(milliseconds(2000)));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->done_reason, "load");
  EXPECT_GT(reply->load_duration_ns, 0);
  EXPECT_EQ(fake_->stats().warmups, 1);
  EXPECT_EQ(fake_->stats().chat_requests, 0);
  // Loaded now: the first real chat pays no load.
  auto chat = Client().Chat(UserSays("hello"), In(milliseconds(2000)));
  ASSERT_TRUE(chat.ok()) << chat.status();
  EXPECT_EQ(chat->load_duration_ns, 0);
}

TEST(ModelNames, TaglessNameMeansLatest) {
  EXPECT_TRUE(ModelNamesMatch("llama3.1:8b", "llama3.1:8b"));
  EXPECT_TRUE(ModelNamesMatch("llama3.2:latest", "llama3.2"));
  EXPECT_FALSE(ModelNamesMatch("llama3.2:3b", "llama3.2"));
  EXPECT_FALSE(ModelNamesMatch("llama3.1:8b", "llama3.1:70b"));
}

}  // namespace
}  // namespace churn::ollama
