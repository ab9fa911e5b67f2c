// The gateway's socket stream over socket pairs: bytes already read come first, a response head
// with a Content-Length waits for its body and goes with it in one send, a chunked head goes at
// once, Flush sends a head left alone, and a head and body larger than the socket's buffer
// arrive whole and in order.
#include "buffered_socket_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace churn::gateway {
namespace {

using namespace std::chrono_literals;

class BufferedSocketStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    server_ = fds[0];
    client_ = fds[1];
  }
  void TearDown() override {
    ::close(server_);
    ::close(client_);
  }
  // What the client can read now, without waiting.
  std::string Available() {
    std::string got;
    char buffer[65536];
    ssize_t n;
    while ((n = ::recv(client_, buffer, sizeof(buffer), MSG_DONTWAIT)) > 0) {
      got.append(buffer, static_cast<size_t>(n));
    }
    return got;
  }

  int server_ = -1;
  int client_ = -1;
};

const std::string kHead =
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\n";

TEST_F(BufferedSocketStreamTest, BytesReadBeforeComeFirstThenTheSocket) {
  BufferedSocketStream stream(server_, "GET /", 1s, 1s);
  ASSERT_EQ(::send(client_, " HTTP", 5, 0), 5);
  char buffer[16];
  ASSERT_EQ(stream.read(buffer, sizeof(buffer)), 5);
  EXPECT_EQ(std::string(buffer, 5), "GET /");
  ASSERT_EQ(stream.read(buffer, sizeof(buffer)), 5);
  EXPECT_EQ(std::string(buffer, 5), " HTTP");
}

TEST_F(BufferedSocketStreamTest, HeadWithContentLengthWaitsForItsBodyAndGoesWithIt) {
  BufferedSocketStream stream(server_, "", 1s, 1s);
  ASSERT_EQ(stream.write(kHead.data(), kHead.size()), static_cast<ssize_t>(kHead.size()));
  EXPECT_EQ(Available(), "");  // held
  ASSERT_EQ(stream.write("{\"a\"}", 5), 5);
  EXPECT_EQ(Available(), kHead + "{\"a\"}");
  EXPECT_TRUE(stream.Flush());
  EXPECT_EQ(Available(), "");
}

TEST_F(BufferedSocketStreamTest, ChunkedHeadGoesAtOnce) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n";
  BufferedSocketStream stream(server_, "", 1s, 1s);
  ASSERT_EQ(stream.write(head.data(), head.size()), static_cast<ssize_t>(head.size()));
  EXPECT_EQ(Available(), head);
}

TEST_F(BufferedSocketStreamTest, FlushSendsAHeadWithoutBody) {
  BufferedSocketStream stream(server_, "", 1s, 1s);
  ASSERT_EQ(stream.write(kHead.data(), kHead.size()), static_cast<ssize_t>(kHead.size()));
  EXPECT_EQ(Available(), "");
  EXPECT_TRUE(stream.Flush());
  EXPECT_EQ(Available(), kHead);
}

TEST_F(BufferedSocketStreamTest, OnlyTheFirstWriteIsHeld) {
  BufferedSocketStream stream(server_, "", 1s, 1s);
  ASSERT_EQ(stream.write("abc", 3), 3);
  EXPECT_EQ(Available(), "abc");
  ASSERT_EQ(stream.write(kHead.data(), kHead.size()), static_cast<ssize_t>(kHead.size()));
  EXPECT_EQ(Available(), kHead);
}

TEST_F(BufferedSocketStreamTest, HeadAndBodyBeyondTheSocketBufferArriveWholeAndInOrder) {
  const int small = 4096;
  ::setsockopt(server_, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
  std::string body(300000, 'x');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>('a' + i % 26);
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  std::string got;
  std::thread reader([&] {
    char buffer[1000];
    while (got.size() < head.size() + body.size()) {
      std::this_thread::sleep_for(1ms);
      const ssize_t n = ::recv(client_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      got.append(buffer, static_cast<size_t>(n));
    }
  });
  BufferedSocketStream stream(server_, "", 5s, 5s);
  ASSERT_EQ(stream.write(head.data(), head.size()), static_cast<ssize_t>(head.size()));
  size_t sent = 0;
  while (sent < body.size()) {
    const ssize_t n = stream.write(body.data() + sent, body.size() - sent);
    ASSERT_GT(n, 0);
    sent += static_cast<size_t>(n);
  }
  EXPECT_TRUE(stream.Flush());
  reader.join();
  EXPECT_EQ(got, head + body);
}

}  // namespace
}  // namespace churn::gateway
