// The fake must answer in the real API's shapes (libs/ollama/ollama_client.h), or tests against
// it prove nothing about a real Ollama; and it must stop promptly whatever its clients are doing.
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "fake_ollama/fake_ollama_server.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace churn::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::unique_ptr<FakeOllamaServer> StartFake(FakeOllamaOptions options = {}) {
  auto fake = FakeOllamaServer::Start(std::move(options));
  EXPECT_TRUE(fake.ok()) << fake.status();
  return fake.ok() ? *std::move(fake) : nullptr;
}

std::string ChatBody(const std::string& user_content, bool stream = false,
                     const std::string& model = "llama3.1:8b") {
  return json{{"model", model},
              {"stream", stream},
              {"messages", {{{"role", "user"}, {"content", user_content}}}}}
      .dump();
}

httplib::Result Chat(FakeOllamaServer& fake, const std::string& body) {
  httplib::Client client(fake.base_url());
  client.set_read_timeout(5, 0);
  return client.Post("/api/chat", body, "application/json");
}

TEST(FakeOllama, AnswersTheDiscoveryCalls) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  httplib::Client client(fake->base_url());
  auto root = client.Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->body, "Ollama is running");

  auto version = client.Get("/api/version");
  ASSERT_TRUE(version);
  EXPECT_EQ(json::parse(version->body)["version"], "0.5.7");

  auto tags = client.Get("/api/tags");
  ASSERT_TRUE(tags);
  const json models = json::parse(tags->body)["models"];
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0]["name"], "llama3.1:8b");
  EXPECT_TRUE(models[0]["size"].is_number_integer());
  EXPECT_TRUE(models[0]["details"].is_object());
  EXPECT_EQ(fake->stats().tags_requests, 1);
  EXPECT_EQ(fake->stats().version_requests, 1);
}

TEST(FakeOllama, ChatReplyHasOllamasShape) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  auto reply = Chat(*fake, ChatBody("Analyse.\n<<<TICKET\nThe renewal quote is beyond our budget. "
                                    "We may downgrade or cancel.\nTICKET>>>"));
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200);
  const json body = json::parse(reply->body);
  EXPECT_EQ(body["model"], "llama3.1:8b");
  EXPECT_TRUE(body["done"].get<bool>());
  EXPECT_EQ(body["done_reason"], "stop");
  EXPECT_EQ(body["message"]["role"], "assistant");
  for (const char* key : {"total_duration", "load_duration", "prompt_eval_count",
                          "prompt_eval_duration", "eval_count", "eval_duration"}) {
    EXPECT_TRUE(body[key].is_number_integer()) << key;
  }
  // The first chat loads the model; the next does not.
  EXPECT_GT(body["load_duration"].get<int64_t>(), 0);
  EXPECT_GT(body["eval_count"].get<int64_t>(), 0);
  // The model's answer is a JSON *string* inside message.content.
  ASSERT_TRUE(body["message"]["content"].is_string());
  const json content = json::parse(body["message"]["content"].get<std::string>());
  EXPECT_EQ(content["category"], "billing");
  EXPECT_EQ(content["sentiment"], "negative");
  EXPECT_EQ(content["churn_intent"], true);

  auto second = Chat(*fake, ChatBody("<<<TICKET\nhello\nTICKET>>>"));
  ASSERT_TRUE(second);
  EXPECT_EQ(json::parse(second->body)["load_duration"], 0);
  EXPECT_EQ(fake->stats().chat_requests, 2);
}

TEST(FakeOllama, StreamsNdjsonUnlessToldNotTo) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  auto reply = Chat(*fake, ChatBody("hello", /*stream=*/true));
  ASSERT_TRUE(reply);
  const std::string& text = reply->body;
  const size_t newline = text.find('\n');
  ASSERT_NE(newline, std::string::npos);
  const json first = json::parse(text.substr(0, newline));
  const json last = json::parse(text.substr(newline + 1));
  EXPECT_FALSE(first["done"].get<bool>());
  EXPECT_TRUE(last["done"].get<bool>());
  EXPECT_TRUE(last.contains("eval_count"));
}

TEST(FakeOllama, UnknownModelIsTheReal404) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  auto reply = Chat(*fake, ChatBody("hello", false, "mistral:7b"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 404);
  EXPECT_EQ(json::parse(reply->body)["error"],
            "model \"mistral:7b\" not found, try pulling it first");
}

TEST(FakeOllama, WarmUpLoadsWithoutGenerating) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  auto reply = Chat(*fake, json{{"model", "llama3.1:8b"}, {"messages", json::array()}}.dump());
  ASSERT_TRUE(reply);
  const json body = json::parse(reply->body);
  EXPECT_EQ(body["done_reason"], "load");
  EXPECT_EQ(fake->stats().warmups, 1);
  EXPECT_EQ(fake->stats().chat_requests, 0);
}

TEST(FakeOllama, ScriptedErrorsUseOllamasBodies) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  auto busy = Chat(*fake, ChatBody("[[fake:busy]]"));
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(json::parse(busy->body)["error"],
            "server busy, please try again.  maximum pending requests exceeded");
  auto missing = Chat(*fake, ChatBody("[[fake:not_found]]"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto failed = Chat(*fake, ChatBody("[[fake:server_error]]"));
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
}

// Sends `request` over a fresh loopback connection and reads until the server closes it.
std::string RawExchange(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string received;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) received.append(buffer, n);
  }
  ::close(fd);
  return received;
}

TEST(FakeOllama, DropClosesTheConnectionHalfwayThroughTheBody) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  const std::string body = ChatBody("[[fake:drop]]");
  const std::string reply = RawExchange(fake->port(),
                                        "POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "Content-Type: application/json\r\nContent-Length: " +
                                            std::to_string(body.size()) + "\r\n\r\n" + body);
  const size_t head_end = reply.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << reply;
  const std::string head = reply.substr(0, head_end);
  EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
  const size_t length_at = head.find("Content-Length: ");
  ASSERT_NE(length_at, std::string::npos) << head;
  const size_t announced = std::stoul(head.substr(length_at + 16));
  const size_t sent = reply.size() - head_end - 4;
  EXPECT_GT(announced, 0u);
  EXPECT_EQ(sent, announced / 2) << "announced " << announced;
}

TEST(FakeOllama, DefaultBehaviourCanBeSetOverHttp) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  httplib::Client client(fake->base_url());
  auto set = client.Post("/fake/behaviour", "busy", "text/plain");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->status, 200);
  auto reply = Chat(*fake, ChatBody("hello"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
  auto rejected = client.Post("/fake/behaviour", "explode", "text/plain");
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status, 400);
}

TEST(FakeOllama, StopsPromptlyWithHungAndTricklingRequests) {
  auto fake = StartFake();
  ASSERT_NE(fake, nullptr);
  const std::string base_url = fake->base_url();
  auto call = [base_url](std::string marker) {
    httplib::Client client(base_url);
    client.set_read_timeout(30, 0);
    (void)client.Post("/api/chat", ChatBody(marker), "application/json");
  };
  std::thread hung(call, "[[fake:hang]]");
  std::thread trickling(call, "[[fake:trickle]]");
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (fake->stats().in_flight < 2 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(fake->stats().in_flight, 2);

  const auto stop_started = Clock::now();
  fake->Stop();
  const auto stop_took = Clock::now() - stop_started;
  EXPECT_LT(stop_took, std::chrono::milliseconds(1000));
  hung.join();
  trickling.join();
}

}  // namespace
}  // namespace churn::testing
