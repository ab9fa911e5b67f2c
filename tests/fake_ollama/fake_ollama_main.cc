// fake-ollama: the fake Ollama server as a process, for integration tests and the local demo
// (`fake-ollama --port=11434` and the enrichment service works through the "model" path on a
// machine without Ollama). Loopback only by default. Stops on SIGTERM/SIGINT.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "fake_ollama/fake_ollama_server.h"

ABSL_FLAG(std::string, host, "127.0.0.1", "address to listen on");
ABSL_FLAG(int, port, 0, "port to listen on (0 = a free port; see --port_file)");
ABSL_FLAG(std::string, port_file, "",
          "when set, the bound port is written there as 'http_port=N' (plus grpc_port=N and "
          "metrics_port=N, the keys the shared test process launcher waits for)");
ABSL_FLAG(std::string, models, "llama3.1:8b", "comma-separated model names /api/tags lists");
ABSL_FLAG(std::string, behaviour, "answer",
          "default behaviour: answer, slow=MS, hang, trickle, drop, not_found, busy, server_error, "
          "malformed, garbage, schema_violation, invalid_once, xml");
ABSL_FLAG(int, answer_delay_ms, 0, "delay before every normal answer");

namespace {

bool WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "http_port=" << port << "\ngrpc_port=" << port << "\nmetrics_port=" << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("A fake Ollama HTTP server with scripted misbehaviour.");
  absl::ParseCommandLine(argc, argv);

  // Before any thread starts, so that only sigwait below sees the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  churn::testing::FakeOllamaOptions options;
  options.host = absl::GetFlag(FLAGS_host);
  options.port = absl::GetFlag(FLAGS_port);
  options.models = absl::StrSplit(absl::GetFlag(FLAGS_models), ',', absl::SkipEmpty());
  options.default_behaviour = absl::GetFlag(FLAGS_behaviour);
  options.answer_delay = std::chrono::milliseconds(absl::GetFlag(FLAGS_answer_delay_ms));
  auto fake = churn::testing::FakeOllamaServer::Start(options);
  if (!fake.ok()) {
    std::fprintf(stderr, "fake-ollama: %s\n", std::string(fake.status().message()).c_str());
    return 1;
  }
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty() && !WritePortFile(port_file, (*fake)->port())) {
    std::fprintf(stderr, "fake-ollama: cannot write %s\n", port_file.c_str());
    return 1;
  }
  std::fprintf(stderr, "fake-ollama listening on %s\n", (*fake)->base_url().c_str());

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  (*fake)->Stop();
  return 0;
}
