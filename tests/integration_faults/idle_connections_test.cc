// 2,000 idle TCP connections and a slowloris client (connections sending one header byte every
// few seconds) against the gateway's HTTP port: the probes and the views still answer within a
// second each.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integration_faults/fault_test_folder.h"
#include "integration_faults/gateway_http.h"
#include "integration_faults/restartable_service_set.h"

namespace churn::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kIdleConnections = 2000;
constexpr int kSlowlorisConnections = 50;
constexpr auto kSlowlorisByteEvery = 2s;
constexpr auto kMeasureFor = 10s;

// A connected TCP socket to 127.0.0.1:port, or -1.
int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The test process holds 2,000 + sockets; the gateway (its child) inherits the raised limit.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

TEST(IdleConnectionsTest, ProbesAndViewsAnswerWithinASecondBesideIdleAndSlowlorisClients) {
  RaiseOpenFileLimit();
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < kIdleConnections + kSlowlorisConnections + 500) {
    GTEST_SKIP() << "RLIMIT_NOFILE is " << limit.rlim_cur << ", too low for " << kIdleConnections
                 << " connections";
  }
  const FaultTestFolder folder = MakeFaultTestFolder();
  RestartableServiceSet services(ConfigFor(folder));
  ASSERT_TRUE(services.StartAll().ok());
  const int port = services.http_port();

  std::vector<int> idle;
  for (int i = 0; i < kIdleConnections; ++i) {
    const int fd = Connect(port);
    if (fd >= 0) idle.push_back(fd);
  }
  EXPECT_EQ(static_cast<int>(idle.size()), kIdleConnections) << "connections refused";

  // The slowloris: a request line and headers that never end, one byte at a time.
  std::atomic<bool> stop{false};
  std::thread slowloris([&] {
    std::vector<int> slow;
    for (int i = 0; i < kSlowlorisConnections; ++i) {
      const int fd = Connect(port);
      if (fd >= 0) slow.push_back(fd);
    }
    const std::string request =
        "GET /api/v1/executive HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(4096, 'a');
    size_t sent = 0;
    while (!stop && sent < request.size()) {
      for (int fd : slow) (void)::send(fd, &request[sent], 1, MSG_NOSIGNAL);
      ++sent;
      const auto next = Clock::now() + kSlowlorisByteEvery;
      while (!stop && Clock::now() < next) std::this_thread::sleep_for(50ms);
    }
    for (int fd : slow) ::close(fd);
  });

  std::vector<long long> readyz_ms, executive_ms;
  std::vector<std::string> failures;
  const auto until = Clock::now() + kMeasureFor;
  while (Clock::now() < until) {
    for (const char* path : {"/readyz", "/api/v1/executive"}) {
      const HttpReply reply = HttpGet(port, path, 5s);
      (path[1] == 'r' ? readyz_ms : executive_ms).push_back(reply.took.count());
      if (reply.status != 200 || reply.took >= 1s) {
        failures.push_back(absl::StrCat(path, ": ", reply.status, " ", reply.error, " after ",
                                        reply.took.count(), " ms"));
      }
    }
    std::this_thread::sleep_for(200ms);
  }
  stop = true;
  slowloris.join();
  for (int fd : idle) ::close(fd);

  auto summary = [](std::vector<long long> ms) {
    std::sort(ms.begin(), ms.end());
    if (ms.empty()) return std::string("none");
    return absl::StrCat(ms.size(), " calls, median ", ms[ms.size() / 2], " ms, max ", ms.back(),
                        " ms");
  };
  std::printf("[ faults ] %zu idle + %d slowloris connections: /readyz %s; /api/v1/executive %s\n",
              idle.size(), kSlowlorisConnections, summary(readyz_ms).c_str(),
              summary(executive_ms).c_str());
  EXPECT_TRUE(failures.empty()) << failures.size() << " slow or failed calls, e.g. " << failures[0];
  // The gateway is still whole afterwards.
  EXPECT_TRUE(services.process(Service::kGateway)->Running());
  EXPECT_EQ(HttpGet(port, "/readyz").status, 200);
}

}  // namespace
}  // namespace churn::testing
