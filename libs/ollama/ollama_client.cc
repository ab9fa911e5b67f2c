#include "ollama/ollama_client.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ollama/chat_reply.h"
#include "ollama/ollama_errors.h"
#include "status/status_macros.h"

namespace churn::ollama {
namespace {

using nlohmann::json;

HttpRequest Get(std::string path) {
  HttpRequest request;
  request.path = std::move(path);
  return request;
}

HttpRequest Post(std::string path, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.path = std::move(path);
  request.body = std::move(body);
  return request;
}

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

bool ModelNamesMatch(std::string_view listed, std::string_view model) {
  if (listed == model) return true;
  // Ollama lists "name:tag"; a name without a tag means ":latest".
  if (model.find(':') == std::string_view::npos) {
    return listed.size() == model.size() + 7 && listed.substr(0, model.size()) == model &&
           listed.substr(model.size()) == ":latest";
  }
  return false;
}

OllamaClient::OllamaClient(OllamaClientOptions options)
    : options_(std::move(options)), endpoint_{options_.base_url, options_.connect_timeout} {}

json OllamaClient::ChatBody(const ChatRequest& request) const {
  json messages = json::array();
  for (const ChatMessage& message : request.messages) {
    messages.push_back({{"role", message.role}, {"content", message.content}});
  }
  json body = {
      {"model", options_.model},
      {"messages", std::move(messages)},
      {"stream", false},
      {"keep_alive", options_.keep_alive},
      {"options",
       {{"temperature", options_.generation.temperature},
        {"seed", options_.generation.seed},
        {"num_predict", options_.generation.num_predict},
        {"num_ctx", options_.generation.num_ctx}}},
  };
  if (!request.format.is_null()) body["format"] = request.format;
  return body;
}

absl::StatusOr<json> OllamaClient::CallJson(const HttpRequest& request, std::string_view call,
                                            Clock::time_point deadline,
                                            std::stop_token stop) const {
  CHURN_ASSIGN_OR_RETURN(HttpResponse response,
                         CallWithDeadline(endpoint_, request, deadline, std::move(stop)));
  if (absl::Status status = StatusFromHttpReply(response.status, response.body, call);
      !status.ok()) {
    return status;
  }
  return ParseReplyBody(response.body, call);
}

absl::StatusOr<ChatReply> OllamaClient::Chat(const ChatRequest& request, Clock::time_point deadline,
                                             std::stop_token stop) const {
  CHURN_ASSIGN_OR_RETURN(json body, CallJson(Post("/api/chat", ChatBody(request).dump()),
                                             "ollama /api/chat", deadline, std::move(stop)));
  return ChatReplyFromJson(body, /*content_required=*/true);
}

absl::StatusOr<ChatReply> OllamaClient::WarmUp(Clock::time_point deadline,
                                               std::stop_token stop) const {
  CHURN_ASSIGN_OR_RETURN(json body, CallJson(Post("/api/chat", ChatBody({}).dump()),
                                             "ollama warm-up", deadline, std::move(stop)));
  return ChatReplyFromJson(body, /*content_required=*/false);
}

absl::StatusOr<ServerStatus> OllamaClient::CheckReady(Clock::time_point deadline,
                                                      std::stop_token stop) const {
  ServerStatus status;
  CHURN_ASSIGN_OR_RETURN(json version,
                         CallJson(Get("/api/version"), "ollama /api/version", deadline, stop));
  status.version = StringField(version, "version");

  CHURN_ASSIGN_OR_RETURN(json tags, CallJson(Get("/api/tags"), "ollama /api/tags", deadline, stop));
  auto models = tags.find("models");
  if (models == tags.end() || !models->is_array()) {
    return absl::InternalError("ollama /api/tags: no models array");
  }
  bool present = false;
  for (const json& model : *models) {
    if (!model.is_object()) continue;
    std::string name = StringField(model, "name");
    if (name.empty()) name = StringField(model, "model");
    present |= ModelNamesMatch(name, options_.model);
    status.models.push_back(std::move(name));
  }
  if (!present) {
    return absl::FailedPreconditionError(absl::StrCat("ollama at ", options_.base_url,
                                                      " does not have model ", options_.model,
                                                      " (run: ollama pull ", options_.model, ")"));
  }
  return status;
}

}  // namespace churn::ollama
