#include "auth/caller_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "auth/bearer_token.h"
#include "digest/sha256.h"

namespace churn::auth {
namespace {

using ::testing::HasSubstr;

std::string FileFor(const std::vector<std::pair<std::string, std::string>>& name_role_token) {
  std::vector<TokenEntry> entries;
  for (const auto& [name, role_and_token] : name_role_token) {
    const size_t colon = role_and_token.find(':');
    entries.push_back({name, *ParseRole(role_and_token.substr(0, colon)),
                       digest::Sha256Hex(role_and_token.substr(colon + 1))});
  }
  return FormatTokensFile(entries);
}

TEST(Sha256Test, KnownVector) {
  EXPECT_EQ(digest::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CallerRegistryTest, FormattedFileReadsBackAndFindsByToken) {
  absl::StatusOr<CallerRegistry> registry =
      CallerRegistry::Parse(FileFor({{"ana", "csm:tok-ana"}, {"gw", "service:tok-gw"}}), "t.yaml");
  ASSERT_TRUE(registry.ok()) << registry.status();
  ASSERT_EQ(registry->entries().size(), 2u);
  std::optional<Caller> ana = registry->Find("tok-ana");
  ASSERT_TRUE(ana.has_value());
  EXPECT_EQ(ana->name, "ana");
  EXPECT_EQ(ana->role, Role::kCsm);
  EXPECT_EQ(registry->Find("tok-gw")->role, Role::kService);
  EXPECT_FALSE(registry->Find("tok-nobody").has_value());
  EXPECT_FALSE(registry->Find("").has_value());
}

// '@' is allowed in names but reserved at the start of a plain YAML value: the written file
// quotes names so every valid name reads back.
TEST(CallerRegistryTest, FormattedFileReadsBackNamesYamlReserves) {
  const std::string text = FileFor({{"@ops", "viewer:tok-1"}, {"-", "csm:tok-2"}});
  absl::StatusOr<CallerRegistry> registry = CallerRegistry::Parse(text, "t.yaml");
  ASSERT_TRUE(registry.ok()) << registry.status() << "\n" << text;
  ASSERT_EQ(registry->entries().size(), 2u);
  EXPECT_EQ(registry->entries()[0].name, "@ops");
  EXPECT_EQ(registry->entries()[1].name, "-");
  EXPECT_EQ(registry->Find("tok-2")->name, "-");
}

TEST(CallerRegistryTest, UppercaseHashIsAccepted) {
  const std::string text = "tokens:\n  - {name: a, role: viewer, sha256: " +
                           absl::AsciiStrToUpper(digest::Sha256Hex("x")) + "}\n";
  absl::StatusOr<CallerRegistry> registry = CallerRegistry::Parse(text, "t.yaml");
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_TRUE(registry->Find("x").has_value());
}

struct BadFile {
  std::string text;
  std::string expected;
};

class CallerRegistryBadFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(CallerRegistryBadFileTest, IsAnErrorNamingFileLineAndField) {
  absl::StatusOr<CallerRegistry> registry = CallerRegistry::Parse(GetParam().text, "tokens.yaml");
  ASSERT_FALSE(registry.ok());
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(registry.status().message(), HasSubstr(GetParam().expected));
}

const std::string kHash = std::string(64, 'a');
INSTANTIATE_TEST_SUITE_P(
    Cases, CallerRegistryBadFileTest,
    ::testing::Values(
        BadFile{"users: []\n", "tokens.yaml: expected a map with a list 'tokens"},
        BadFile{"tokens: []\n", "'tokens' is empty"},
        BadFile{
            "tokens:\n  - {name: a, role: root, sha256: " + kHash + "}\n",
            "tokens.yaml:2: tokens[0].role: expected viewer, csm, admin or service, got 'root'"},
        BadFile{"tokens:\n  - {name: a, role: viewer, sha256: abc}\n",
                "tokens.yaml:2: tokens[0].sha256: expected the 64 hex digits"},
        BadFile{"tokens:\n  - {name: a, role: viewer, token: secret, sha256: " + kHash + "}\n",
                "unknown key 'token'"},
        BadFile{"tokens:\n  - {name: 'a b', role: viewer, sha256: " + kHash + "}\n",
                "tokens[0].name: expected"},
        BadFile{"tokens:\n  - {name: a, role: viewer, sha256: " + kHash +
                    "}\n  - {name: a, role: csm, sha256: " + std::string(64, 'b') + "}\n",
                "tokens.yaml:3: tokens[1].name: 'a' is listed twice"},
        BadFile{"tokens:\n  - {name: a, role: viewer, sha256: " + kHash +
                    "}\n  - {name: b, role: csm, sha256: " + kHash + "}\n",
                "the same token is given to two callers"},
        BadFile{"tokens: [\n", "tokens.yaml:"}));

TEST(CallerRegistryTest, MissingFileIsNotFound) {
  absl::StatusOr<CallerRegistry> registry = CallerRegistry::LoadFile("/nonexistent/tokens.yaml");
  EXPECT_EQ(registry.status().code(), absl::StatusCode::kNotFound);
}

TEST(NewTokenTest, TokensAreLongAndDistinct) {
  absl::StatusOr<std::string> a = NewToken();
  absl::StatusOr<std::string> b = NewToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 43u);  // 32 bytes, base64 without padding
  EXPECT_NE(*a, *b);
  EXPECT_EQ(
      a->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST(BearerTokenTest, ParsesTheSchemeInAnyCase) {
  EXPECT_EQ(BearerToken("Bearer abc").value_or(""), "abc");
  EXPECT_EQ(BearerToken("bearer  abc ").value_or(""), "abc");
  EXPECT_FALSE(BearerToken("Basic abc").has_value());
  EXPECT_FALSE(BearerToken("Bearer ").has_value());
  EXPECT_FALSE(BearerToken("").has_value());
  EXPECT_FALSE(BearerToken("abc").has_value());
}

TEST(AuthorizeTest, DecidesByTokenAndRole) {
  absl::StatusOr<CallerRegistry> registry =
      CallerRegistry::Parse(FileFor({{"vic", "viewer:tv"}, {"ada", "admin:ta"}}), "t.yaml");
  ASSERT_TRUE(registry.ok());
  // Off: everyone is the local anonymous admin.
  EXPECT_EQ(Authorize(nullptr, "", Permission::kManageRules)->name, "anonymous");

  absl::StatusOr<Caller> missing = Authorize(&*registry, "", Permission::kReadViews);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnauthenticated);
  absl::StatusOr<Caller> unknown = Authorize(&*registry, "Bearer nope", Permission::kReadViews);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnauthenticated);
  // The same words whether the token is missing or wrong.
  EXPECT_EQ(missing.status().message(), unknown.status().message());

  EXPECT_EQ(Authorize(&*registry, "Bearer tv", Permission::kReadViews)->name, "vic");
  absl::StatusOr<Caller> denied = Authorize(&*registry, "Bearer tv", Permission::kManageRules);
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.status().message(), HasSubstr("'viewer'"));
  EXPECT_EQ(Authorize(&*registry, "Bearer ta", Permission::kManageRules)->role, Role::kAdmin);
  // Open calls never fail, and still know a valid caller.
  EXPECT_TRUE(Authorize(&*registry, "", Permission::kOpen).ok());
  EXPECT_EQ(Authorize(&*registry, "Bearer tv", Permission::kOpen)->name, "vic");
}

}  // namespace
}  // namespace churn::auth
