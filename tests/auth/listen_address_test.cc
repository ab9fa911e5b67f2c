#include "auth/listen_address.h"

#include <gtest/gtest.h>

namespace churn::auth {
namespace {

TEST(ListenAddressTest, LoopbackForms) {
  for (const char* address :
       {"127.0.0.1:50051", "127.1.2.3:0", "localhost:8080", "[::1]:9101", "unix:/tmp/s.sock"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
  for (const char* address : {"0.0.0.0:8080", ":8080", "[::]:8080", "10.0.0.1:50051",
                              "gateway:8080", "127.0.0.1.example.com:80", "128.0.0.1:1"}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

TEST(ListenAddressTest, OpenAddressNeedsTokensOrExplicitConsent) {
  EXPECT_TRUE(CheckListenAddress("grpc_address", "127.0.0.1:1", false, false).ok());
  EXPECT_TRUE(CheckListenAddress("grpc_address", "0.0.0.0:1", true, false).ok());
  EXPECT_TRUE(CheckListenAddress("grpc_address", "0.0.0.0:1", false, true).ok());
  absl::Status refused = CheckListenAddress("http_address", "0.0.0.0:8080", false, false);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("http_address: '0.0.0.0:8080'"), std::string::npos);
  EXPECT_NE(refused.message().find("allow_unauthenticated"), std::string::npos);
}

}  // namespace
}  // namespace churn::auth
