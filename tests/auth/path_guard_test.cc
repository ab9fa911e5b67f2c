#include "auth/path_guard.h"
#include "testing/scratch_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace churn::auth {
namespace {

namespace fs = std::filesystem;

class PathGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "root" / "export");
    fs::create_directories(dir_ / "secret");
    fs::create_directory_symlink(dir_ / "secret", dir_ / "root" / "escape");
  }
  const churn::testing::ScratchDir scratch_;
  const fs::path dir_ = scratch_.path();
};

TEST_F(PathGuardTest, InsideTheRootResolves) {
  const std::string root = (dir_ / "root").string();
  EXPECT_EQ(*ResolveUnderRoot(root, root), root);
  EXPECT_EQ(*ResolveUnderRoot(root, "export"), (dir_ / "root" / "export").string());
  EXPECT_EQ(*ResolveUnderRoot(root, (dir_ / "root" / "export").string()),
            (dir_ / "root" / "export").string());
  EXPECT_TRUE(ResolveUnderRoot(root, "export/../export/new").ok());
}

TEST_F(PathGuardTest, OutsideTheRootIsDeniedWithoutNamingIt) {
  const std::string root = (dir_ / "root").string();
  for (const std::string& path : {std::string("/etc"), std::string(".."), std::string("../secret"),
                                  std::string("escape"), (dir_ / "rootother").string()}) {
    absl::StatusOr<std::string> resolved = ResolveUnderRoot(root, path);
    ASSERT_FALSE(resolved.ok()) << path;
    EXPECT_EQ(resolved.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(resolved.status().message().find(root), std::string::npos);
  }
}

}  // namespace
}  // namespace churn::auth
