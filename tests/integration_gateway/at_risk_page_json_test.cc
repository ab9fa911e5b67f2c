// The at-risk page's JSON written from the rows (at_risk_page_json.h) against the
// ListAtRiskResponse that GatewayApi builds for gRPC, printed by protobuf's JSON printer with the
// HTTP API's options: equal as JSON values for many random customers, queries and pages, and the
// numbers spelled the same.
#include "at_risk_page_json.h"

#include "at_risk_page_cache.h"

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "gateway_api.h"
#include "jsonwriter/json_writer.h"
#include "nlohmann/json.hpp"
#include "risk_trends.h"
#include "riskhistory/history_store.h"
#include "scoring/rule_set.h"
#include "gtest/gtest.h"

namespace churn::gateway {
namespace {

// As the HTTP API prints messages (http_api.cc).
std::string PrintedJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &json, options).ok());
  return json;
}

class RandomText {
 public:
  explicit RandomText(std::mt19937_64* random) : random_(random) {}
  // Plain words mostly, with quotes, backslashes, control characters and non-ASCII UTF-8.
  std::string Next() {
    static const std::vector<std::string> kPieces = {
        "Acme", " ",    "Corp",   "\"",     "\\", "\n", "\t", "\r", "\x01",
        "\x1f", "\x7f", "<",      ">",      "&",  "/",  "'",  "é",  "Zürich",
        "東京", "😀",    "\u2028", "\u00a0", "–",  "0",  "%s", "{}"};
    std::string text;
    const int pieces = static_cast<int>((*random_)() % 6);
    for (int i = 0; i < pieces; ++i) text += kPieces[(*random_)() % kPieces.size()];
    return text;
  }

 private:
  std::mt19937_64* random_;
};

double RandomDouble(std::mt19937_64& random) {
  switch (random() % 6) {
    case 0: return static_cast<double>(random() % 100000);
    case 1: return std::round(std::uniform_real_distribution<double>(0, 1e7)(random)) / 100;
    case 2: return std::uniform_real_distribution<double>(0, 1)(random);
    case 3: return std::uniform_real_distribution<double>(-1e-6, 1e-6)(random);
    case 4: return std::uniform_real_distribution<double>(1e15, 1e22)(random);
    default: return 0.1 * static_cast<double>(random() % 10);
  }
}

std::vector<reports::ScoredCustomer> RandomCustomers(int count, std::mt19937_64& random) {
  RandomText text(&random);
  static const std::vector<std::string> kTiers = {"Basic", "Pro", "Enterprise", "pro"};
  std::vector<reports::ScoredCustomer> customers;
  for (int i = 0; i < count; ++i) {
    CustomerSignals s;
    s.customer_id = "S-" + std::to_string(i) + (random() % 4 == 0 ? text.Next() : "");
    s.account_id = "A-" + text.Next();
    s.account_name = text.Next();
    s.industry = text.Next();
    s.country = text.Next();
    s.plan_tier = kTiers[random() % kTiers.size()];
    s.arr = RandomDouble(random);
    s.churned = random() % 5 == 0;
    s.usage_30d = static_cast<int64_t>(random() % 100000);
    s.usage_prev30d = random() % 10 == 0 ? int64_t{1} << 60 : static_cast<int64_t>(random() % 1000);
    s.usage_drop_pct = std::uniform_real_distribution<double>(0, 1)(random);
    s.errors_30d = static_cast<int64_t>(random() % 50);
    s.tickets_30d = static_cast<int64_t>(random() % 20);
    if (random() % 2) s.satisfaction_score = RandomDouble(random);
    s.escalation_flag = random() % 3 == 0;
    if (random() % 2) s.avg_first_response_min = RandomDouble(random);
    if (random() % 2) s.avg_resolution_hours = RandomDouble(random);
    s.churn_intent_30d = static_cast<int64_t>(random() % 3);
    s.downgrade_flag = random() % 4 == 0;
    s.is_trial = random() % 4 == 0;
    if (random() % 2) {
      LongViews v;
      v.usage_90d = static_cast<int64_t>(random() % 100000);
      if (random() % 2) v.usage_trend_90d = RandomDouble(random) - 0.5;
      v.usage_slope_90d = -RandomDouble(random);
      if (random() % 2) v.days_since_last_activity = static_cast<int64_t>(random() % 90);
      if (random() % 2) v.tenure_days = static_cast<int64_t>(random() % 3000);
      if (random() % 2) v.seats = static_cast<int64_t>(random() % 500);
      if (random() % 2) v.billing_months = int64_t{12};
      if (random() % 2) v.auto_renew = random() % 2 == 0;
      v.tickets_prev30d = static_cast<int64_t>(random() % 9);
      if (random() % 2) v.satisfaction_prev30d = RandomDouble(random);
      s.long_views = v;
    }
    scoring::Assessment a = scoring::ScoreCustomer(scoring::DefaultRuleSet(), s);
    // Texts of any kind in the assessment too (rules' reasons come from a YAML file).
    if (random() % 3 == 0) {
      a.fired_rules.push_back(
          {text.Next(), text.Next(), static_cast<int>(random() % 40) - 5, text.Next()});
      a.reasons.push_back(text.Next());
      a.actions.push_back(text.Next());
      a.top_reasons = text.Next();
      a.recommended_actions = text.Next();
    }
    customers.push_back({std::move(s), std::move(a)});
  }
  return customers;
}

v1::ListAtRiskRequest RandomRequest(std::mt19937_64& random) {
  v1::ListAtRiskRequest request;
  if (random() % 3 == 0) request.add_plan_tiers(random() % 2 ? "pro" : "Enterprise");
  if (random() % 3 == 0) request.add_risk_levels(v1::RISK_LEVEL_HIGH);
  if (random() % 4 == 0) request.add_risk_levels(v1::RISK_LEVEL_LOW);
  if (random() % 4 == 0) request.set_min_arr(static_cast<double>(random() % 50000));
  if (random() % 6 == 0) request.set_only_churned(true);
  if (random() % 6 == 0) request.set_min_score_change_30d(static_cast<int>(random() % 40) - 20);
  if (random() % 8 == 0) request.set_only_entered_high(true);
  request.set_sort_by(static_cast<v1::AtRiskSortField>(random() % 9));
  request.set_descending(random() % 2 == 0);
  request.set_page_size(static_cast<int32_t>(random() % 70));
  request.set_offset(static_cast<int32_t>(random() % 3 == 0 ? random() % 400 : 0));
  return request;
}

class AtRiskPageJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("at_risk_page_json_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    absl::StatusOr<std::unique_ptr<outcomes::OutcomeLog>> log =
        outcomes::OutcomeLog::Open((dir_ / "outcomes.sqlite").string());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    GatewayApiOptions options;
    options.max_page_size = 60;
    api_ = std::make_unique<GatewayApi>(options, &store_, log_.get());
  }
  void TearDown() override {
    api_.reset();
    log_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Views of `customers` (snapshot 1, a fixed build time and rules hash) published.
  void PublishViewsOf(std::vector<reports::ScoredCustomer> customers) {
    viewsets::ViewSetInputs inputs;
    inputs.customers = std::move(customers);
    inputs.snapshot_version = 1;
    inputs.built_at = absl::FromUnixSeconds(1700000000);
    inputs.rules_sha256 = "abc";
    store_.Publish(viewsets::ViewSet::Build(std::move(inputs)), absl::Now());
  }

  // Both ways of writing the page for `request`; false when the request is refused (then both
  // must refuse it alike).
  bool BothJson(const v1::ListAtRiskRequest& request, nlohmann::json* printed,
                nlohmann::json* written, std::string* next_token) {
    v1::ListAtRiskResponse response;
    const absl::Status status = api_->ListAtRisk(request, &response);
    absl::StatusOr<AtRiskListing> listing = api_->ListAtRisk(request);
    EXPECT_EQ(status.code(), listing.status().code());
    if (!status.ok() || !listing.ok()) return false;
    std::string text;
    AppendAtRiskPageJson(*listing, &text);
    // The movements read by row position from the held columns, and by id: the same bytes.
    if (listing->movement_columns != nullptr) {
      ++pages_by_position_;
      AtRiskListing by_id = *listing;
      by_id.movement_columns = nullptr;
      std::string by_id_text;
      AppendAtRiskPageJson(by_id, &by_id_text);
      EXPECT_EQ(text, by_id_text);
    }
    // The remembered page is the same bytes, written (noted, then remembered) or remembered.
    for (int i = 0; i < 3; ++i) {
      std::string cached = "x";
      cache_.AppendPageJson(*listing, &cached);
      EXPECT_EQ(cached, "x" + text);
    }
    *written = nlohmann::json::parse(text);
    *printed = nlohmann::json::parse(PrintedJson(response));
    *next_token = response.next_page_token();
    return true;
  }

  std::filesystem::path dir_;
  viewsets::ViewStore store_;
  std::unique_ptr<outcomes::OutcomeLog> log_;
  std::unique_ptr<GatewayApi> api_;
  AtRiskPageCache cache_;
  int pages_by_position_ = 0;  // written with the movement columns
};

TEST_F(AtRiskPageJsonTest, EqualsThePrintedMessageForRandomPages) {
  std::mt19937_64 random(20261206);
  absl::StatusOr<std::unique_ptr<riskhistory::RiskHistoryStore>> history =
      riskhistory::RiskHistoryStore::Open((dir_ / "history.sqlite").string(), {});
  ASSERT_TRUE(history.ok()) << history.status();
  RiskTrends trends(history->get());
  int compared = 0;
  size_t rows = 0, moved = 0;
  // Several view sets: fractions of a second of every width in the freshness's as_of, and the
  // risk history (movements) absent, then present.
  const std::vector<absl::Time> built = {
      absl::FromUnixSeconds(1700000000), absl::FromUnixMillis(1700000000123),
      absl::FromUnixMicros(1700000000123456), absl::FromUnixNanos(1700000000123456789)};
  for (size_t round = 0; round < built.size(); ++round) {
    viewsets::ViewSetInputs inputs;
    inputs.customers = RandomCustomers(400, random);
    if (round > 0) inputs.usage_window_end = dataset::ParseDate("2024-12-31");
    if (round > 1) inputs.support_window_end = dataset::ParseDate("2024-12-30");
    inputs.snapshot_version = static_cast<int64_t>(round) + 1;
    inputs.built_at = built[round];
    inputs.rules_sha256 = "abc" + std::to_string(round);
    std::vector<riskhistory::HistoryEntry> before, after;
    for (const reports::ScoredCustomer& c : inputs.customers) {
      if (random() % 3 == 0) continue;
      const auto level = c.assessment.risk_level;
      before.push_back({c.signals.customer_id,
                        static_cast<int>(random() % 100),
                        random() % 2 ? level : scoring::RiskLevel::kLow,
                        {}});
      after.push_back({c.signals.customer_id, c.assessment.risk_score, level, {}});
    }
    store_.Publish(viewsets::ViewSet::Build(std::move(inputs)), absl::Now());
    if (round == 2) {
      ASSERT_TRUE((*history)->WriteSnapshot(93, before).ok());
      ASSERT_TRUE((*history)->WriteSnapshot(100, after).ok());
      ASSERT_TRUE(trends.Reload().ok());
      api_->set_risk_trends(&trends);
    }
    if (round == 3) {
      // As the gateway after a publish: the movements laid out for the new views at once.
      absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = api_->CurrentViews();
      ASSERT_TRUE(views.ok());
      viewsets::PrepareMovementColumns(**views, *trends.Movements());
    }
    for (int i = 0; i < 100; ++i) {
      v1::ListAtRiskRequest request = RandomRequest(random);
      // Follow the page tokens a few pages on.
      for (int page = 0; page < 3; ++page) {
        nlohmann::json printed, written;
        std::string next;
        if (!BothJson(request, &printed, &written, &next)) break;
        ASSERT_EQ(written, printed)
            << "round " << round << " request " << request.DebugString()
            << "\nprinted: " << printed.dump() << "\nwritten: " << written.dump();
        ++compared;
        rows += written["customers"].size();
        for (const nlohmann::json& movement : written["movements"]) {
          moved += movement.contains("score_change_30d") ? 1 : 0;
        }
        if (next.empty()) break;
        request.set_offset(0);
        request.set_page_token(next);
      }
    }
  }
  EXPECT_GT(compared, 400);
  EXPECT_GT(rows, 5000u);
  EXPECT_GT(moved, 500u);
  EXPECT_GT(cache_.hits(), 400);
  EXPECT_GT(pages_by_position_, 100);
}

// The remembered pages: served again only for the very same page of the very same views, the
// freshness always written anew, bounded, and an old ViewSet still freed.
TEST_F(AtRiskPageJsonTest, RemembersAPageOnlyForTheSameViewsAndPage) {
  std::mt19937_64 random(7);
  const std::vector<reports::ScoredCustomer> customers = RandomCustomers(300, random);
  PublishViewsOf(customers);
  v1::ListAtRiskRequest request;
  request.set_page_size(5);
  auto page = [&](int offset) {
    request.set_offset(offset);
    absl::StatusOr<AtRiskListing> listing = api_->ListAtRisk(request);
    EXPECT_TRUE(listing.ok()) << listing.status();
    return *std::move(listing);
  };
  auto check = [&](const AtRiskListing& listing) {
    std::string expected, cached;
    AppendAtRiskPageJson(listing, &expected);
    cache_.AppendPageJson(listing, &cached);
    EXPECT_EQ(cached, expected);
  };
  AtRiskListing first = page(0);
  check(first);
  EXPECT_EQ(cache_.misses(), 1);  // asked once: only noted
  check(page(0));                 // a new request for the same page: remembered now
  EXPECT_EQ(cache_.misses(), 2);
  EXPECT_EQ(cache_.hits(), 0);
  check(page(0));
  EXPECT_EQ(cache_.hits(), 1);
  first.freshness.stale = true;  // the clock moved: written anew around the remembered rows
  first.freshness.stale_seconds = 42;
  check(first);
  EXPECT_EQ(cache_.hits(), 2);
  check(page(5));
  check(page(5));
  EXPECT_EQ(cache_.misses(), 4);

  // The same rows rebuilt into new views: another ViewSet, so not the remembered page.
  const std::weak_ptr<const viewsets::ViewSet> old_views = first.views;
  first = AtRiskListing();
  PublishViewsOf(customers);
  check(page(0));
  check(page(0));
  EXPECT_EQ(cache_.misses(), 6);
  EXPECT_EQ(cache_.hits(), 2);
  EXPECT_TRUE(old_views.expired());  // remembered weakly: freed with its last reader

  // Bounded: after kEntries other pages (each asked twice) the first is written again.
  for (size_t i = 1; i <= AtRiskPageCache::kEntries; ++i) {
    check(page(static_cast<int>(i)));
    check(page(static_cast<int>(i)));
  }
  const int64_t misses = cache_.misses();
  check(page(0));
  EXPECT_EQ(cache_.misses(), misses + 1);
}

// Pages asked once (random pages deep in the list) are not remembered and do not push out the
// pages asked again; a page asked again after other misses is remembered.
TEST_F(AtRiskPageJsonTest, RemembersOnlyThePagesAskedAgain) {
  std::mt19937_64 random(9);
  PublishViewsOf(RandomCustomers(3000, random));
  v1::ListAtRiskRequest request;
  request.set_page_size(2);
  auto ask = [&](int offset) {
    request.set_offset(offset);
    absl::StatusOr<AtRiskListing> listing = api_->ListAtRisk(request);
    EXPECT_TRUE(listing.ok()) << listing.status();
    std::string expected, served;
    AppendAtRiskPageJson(*listing, &expected);
    cache_.AppendPageJson(*listing, &served);
    EXPECT_EQ(served, expected) << "offset " << offset;
  };
  ask(0);
  ask(0);  // the first page, remembered
  ask(0);
  EXPECT_EQ(cache_.hits(), 1);
  // More pages asked once than the cache holds: none remembered, the first page still served.
  for (int i = 1; i <= 4 * static_cast<int>(AtRiskPageCache::kEntries); ++i) ask(2 * i);
  EXPECT_EQ(cache_.hits(), 1);
  ask(0);
  EXPECT_EQ(cache_.hits(), 2);
  // A page asked again within the noted misses is remembered.
  ask(2);
  ask(2);
  EXPECT_EQ(cache_.hits(), 3);
  // One asked again only after more misses than are noted is not yet.
  ask(1000);
  for (int i = 0; i < static_cast<int>(AtRiskPageCache::kNotedMisses); ++i) ask(1002 + 2 * i);
  const int64_t hits = cache_.hits();
  ask(1000);
  ask(1000);
  EXPECT_EQ(cache_.hits(), hits);
  ask(1000);
  EXPECT_EQ(cache_.hits(), hits + 1);
}

// A page written on a miss (straight into the response) and served on a hit, both after what the
// response already holds, and a page past the first of a large base.
TEST_F(AtRiskPageJsonTest, AppendsAfterWhatTheResponseHolds) {
  std::mt19937_64 random(11);
  PublishViewsOf(RandomCustomers(2000, random));
  v1::ListAtRiskRequest request;
  request.set_page_size(50);
  request.set_offset(1234);
  absl::StatusOr<AtRiskListing> listing = api_->ListAtRisk(request);
  ASSERT_TRUE(listing.ok()) << listing.status();
  ASSERT_EQ(listing->page.customers.size(), 50u);
  std::string expected = "prefix";
  AppendAtRiskPageJson(*listing, &expected);
  for (int round = 0; round < 3; ++round) {
    std::string cached = "prefix";
    cache_.AppendPageJson(*listing, &cached);
    EXPECT_EQ(cached, expected) << "round " << round;
  }
  EXPECT_EQ(cache_.misses(), 2);
  EXPECT_EQ(cache_.hits(), 1);
}

// Beyond equal values: every double of a row is spelled as protobuf spells it.
TEST(AtRiskPageJsonNumbersTest, DoublesAreSpelledAsProtobufPrintsThem) {
  std::mt19937_64 random(5);
  for (int i = 0; i < 5000; ++i) {
    double value = RandomDouble(random);
    if (i % 2) {
      const uint64_t bits = random();
      std::memcpy(&value, &bits, sizeof(value));
    }
    v1::CustomerSignals message;
    message.set_arr(value);
    std::string text;
    jsonwriter::AppendJsonDouble(value, &text);
    const std::string printed_text = PrintedJson(message);
    const size_t at = printed_text.find("\"arr\":");
    ASSERT_NE(at, std::string::npos);
    const size_t end = printed_text.find_first_of(",}", at);
    ASSERT_EQ(printed_text.substr(at + 6, end - at - 6), text) << value;
  }
}

}  // namespace
}  // namespace churn::gateway
