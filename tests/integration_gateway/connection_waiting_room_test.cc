// The gateway's connection waiting room on its own, over socket pairs: a request head that
// arrives in pieces is handed over whole, idle and slow connections are closed on time, and an
// oversized head or a stop closes the connection.
#include "connection_waiting_room.h"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace churn::gateway {
namespace {

using namespace std::chrono_literals;

struct Handed {
  int socket;
  std::string received;
};

class ConnectionWaitingRoomTest : public ::testing::Test {
 protected:
  void StartRoom(WaitingRoomOptions options) {
    room_ = std::make_unique<ConnectionWaitingRoom>(options, [this](int socket, std::string got) {
      std::lock_guard<std::mutex> lock(mu_);
      handed_.push_back({socket, std::move(got)});
      cv_.notify_all();
    });
    ASSERT_TRUE(room_->Start().ok());
  }
  void TearDown() override {
    room_.reset();
    for (const Handed& h : handed_) ::close(h.socket);
  }

  // (server end, client end); the server end goes to the room.
  std::pair<int, int> Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    return {fds[0], fds[1]};
  }

  bool WaitHanded(size_t count, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return handed_.size() >= count; });
  }

  // True when the peer closed the connection within `timeout`.
  static bool ClosedWithin(int client, std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000),
               static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char byte;
    return ::recv(client, &byte, 1, 0) == 0;
  }

  std::unique_ptr<ConnectionWaitingRoom> room_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Handed> handed_;
};

TEST_F(ConnectionWaitingRoomTest, HeadArrivingInPiecesIsHandedOverWhole) {
  StartRoom({});
  auto [server, client] = Pair();
  room_->Park(server, "");
  const std::string head = "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(client, head.data(), 10, 0), 10);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(WaitHanded(1, 0ms));
  ASSERT_EQ(::send(client, head.data() + 10, head.size() - 10, 0),
            static_cast<ssize_t>(head.size() - 10));
  ASSERT_TRUE(WaitHanded(1, 2s));
  EXPECT_EQ(handed_[0].socket, server);
  EXPECT_EQ(handed_[0].received, head);
  ::close(client);
}

TEST_F(ConnectionWaitingRoomTest, PipelinedCompleteHeadIsHandedOverAtOnce) {
  StartRoom({});
  auto [server, client] = Pair();
  room_->Park(server, "GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(WaitHanded(1, 0ms));
  ::close(client);
}

TEST_F(ConnectionWaitingRoomTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  StartRoom({.idle_timeout = 300ms, .head_timeout = 10s});
  auto [server, client] = Pair();
  const auto parked = std::chrono::steady_clock::now();
  room_->Park(server, "");
  EXPECT_TRUE(ClosedWithin(client, 3s));
  EXPECT_GE(std::chrono::steady_clock::now() - parked, 300ms);
  ::close(client);
}

TEST_F(ConnectionWaitingRoomTest, SlowHeadIsClosedAfterTheHeadTimeoutThoughBytesKeepComing) {
  StartRoom({.idle_timeout = 10s, .head_timeout = 500ms});
  auto [server, client] = Pair();
  room_->Park(server, "");
  bool closed = false;
  for (int i = 0; i < 40 && !closed; ++i) {
    closed = ::send(client, "G", 1, MSG_NOSIGNAL) != 1;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(closed || ClosedWithin(client, 1s));
  EXPECT_FALSE(WaitHanded(1, 0ms));
  ::close(client);
}

TEST_F(ConnectionWaitingRoomTest, OversizedHeadIsClosed) {
  StartRoom({.idle_timeout = 10s, .head_timeout = 10s, .max_head_bytes = 1000});
  auto [server, client] = Pair();
  room_->Park(server, "");
  const std::string lots(4000, 'a');
  ::send(client, lots.data(), lots.size(), MSG_NOSIGNAL);
  EXPECT_TRUE(ClosedWithin(client, 3s));
  EXPECT_FALSE(WaitHanded(1, 0ms));
  ::close(client);
}

TEST_F(ConnectionWaitingRoomTest, StopClosesWaitingConnectionsAndLaterOnes) {
  StartRoom({});
  auto [server, client] = Pair();
  room_->Park(server, "");
  room_->Stop();
  EXPECT_TRUE(ClosedWithin(client, 1s));
  auto [late_server, late_client] = Pair();
  room_->Park(late_server, "");
  EXPECT_TRUE(ClosedWithin(late_client, 1s));
  ::close(client);
  ::close(late_client);
}

// The room's threads serve what they read: with two threads, two requests are served at once
// (each on the thread its head woke, never the caller's), and a third waits for a free thread.
TEST(ConnectionWaitingRoomThreadsTest, EachThreadServesTheHeadItCompletedAndNoMoreRunAtOnce) {
  std::mutex mu;
  std::condition_variable cv;
  int serving = 0;
  int served = 0;
  bool release = false;
  std::vector<std::thread::id> threads;
  std::vector<int> sockets;
  WaitingRoomOptions options;
  options.threads = 2;
  ConnectionWaitingRoom room(options, [&](int socket, std::string) {
    std::unique_lock<std::mutex> lock(mu);
    threads.push_back(std::this_thread::get_id());
    sockets.push_back(socket);
    ++serving;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    --serving;
    ++served;
    cv.notify_all();
  });
  ASSERT_TRUE(room.Start().ok());
  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    room.Park(fds[0], "");
    clients.push_back(fds[1]);
    const std::string head = "GET /healthz HTTP/1.1\r\n\r\n";
    ASSERT_EQ(::send(fds[1], head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 2s, [&] { return serving == 2; }));
  }
  std::this_thread::sleep_for(200ms);
  {
    std::unique_lock<std::mutex> lock(mu);
    EXPECT_EQ(serving, 2);  // the third head waits: both threads are busy
    EXPECT_NE(threads[0], threads[1]);
    for (const std::thread::id& id : threads) EXPECT_NE(id, std::this_thread::get_id());
    release = true;
    cv.notify_all();
    ASSERT_TRUE(cv.wait_for(lock, 2s, [&] { return served == 3; }));
  }
  room.Stop();
  for (int socket : sockets) ::close(socket);
  for (int client : clients) ::close(client);
}

// A served connection parked again (a keep-alive one) is woken by its next request, as often as
// it sends one, and a slow sender beside it does not hold the room's only thread.
TEST(ConnectionWaitingRoomThreadsTest, ServedConnectionParkedAgainIsServedAgainBesideASlowOne) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> heads;
  ConnectionWaitingRoom* room_pointer = nullptr;
  ConnectionWaitingRoom room({}, [&](int socket, std::string received) {
    {
      std::lock_guard<std::mutex> lock(mu);
      heads.push_back(received);
      cv.notify_all();
    }
    room_pointer->Park(socket, "");  // kept alive: waits for its next request
  });
  room_pointer = &room;
  ASSERT_TRUE(room.Start().ok());
  int slow[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, slow), 0);
  room.Park(slow[0], "");
  ASSERT_EQ(::send(slow[1], "GET /", 5, 0), 5);  // never finishes its head
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  room.Park(fds[0], "");
  for (int i = 0; i < 5; ++i) {
    const std::string head = "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
    ASSERT_EQ(::send(fds[1], head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 2s, [&] { return heads.size() == static_cast<size_t>(i + 1); }));
    EXPECT_EQ(heads.back(), head);
  }
  room.Stop();
  EXPECT_EQ(heads.size(), 5u);
  ::close(fds[1]);
  ::close(slow[1]);
}

}  // namespace
}  // namespace churn::gateway
