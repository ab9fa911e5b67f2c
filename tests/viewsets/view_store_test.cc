#include "viewsets/view_store.h"

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sample_views.h"

namespace churn::viewsets {
namespace {

using testing::SampleViews;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST(ViewStore, EmptyStoreIsStaleWithVersionZero) {
  ViewStore store;
  EXPECT_EQ(store.Current(), nullptr);
  Freshness freshness = store.FreshnessOf(nullptr, kT0);
  EXPECT_EQ(freshness.snapshot_version, 0);
  EXPECT_TRUE(freshness.stale);
  EXPECT_FALSE(freshness.built_at.has_value());
  EXPECT_EQ(store.SecondsSinceConfirmed(kT0), 0);
}

TEST(ViewStore, EmptyStoreReportsWhyTheFirstRefreshFailed) {
  ViewStore store;
  store.RecordFailure(absl::UnavailableError("ingest: connection refused"), kT0);
  Freshness freshness = store.FreshnessOf(nullptr, kT0);
  EXPECT_THAT(freshness.last_error, ::testing::HasSubstr("connection refused"));
  EXPECT_EQ(freshness.last_error_at, kT0);
}

TEST(ViewStore, PublishedViewsAreCurrentAndFresh) {
  ViewStore store;
  auto views = SampleViews(3, kT0);
  store.Publish(views, kT0);
  EXPECT_EQ(store.Current(), views);
  Freshness freshness = store.FreshnessOf(store.Current().get(), kT0 + absl::Seconds(5));
  EXPECT_EQ(freshness.snapshot_version, 3);
  EXPECT_EQ(freshness.built_at, kT0);
  EXPECT_FALSE(freshness.stale);
  EXPECT_EQ(freshness.stale_seconds, 0);
  EXPECT_TRUE(freshness.last_error.empty());
}

TEST(ViewStore, FailureKeepsTheViewsAndMarksThemStale) {
  ViewStore store;
  auto views = SampleViews(3, kT0);
  store.Publish(views, kT0);
  store.RecordSuccess(kT0 + absl::Seconds(10));
  store.RecordFailure(absl::UnavailableError("scoring: connection refused"),
                      kT0 + absl::Seconds(12));
  EXPECT_EQ(store.Current(), views);
  Freshness freshness = store.FreshnessOf(views.get(), kT0 + absl::Seconds(14.5));
  EXPECT_TRUE(freshness.stale);
  EXPECT_EQ(freshness.stale_seconds, 4);  // since the last success at +10 s
  EXPECT_THAT(freshness.last_error, ::testing::HasSubstr("scoring: connection refused"));
  EXPECT_EQ(freshness.last_error_at, kT0 + absl::Seconds(12));
  EXPECT_DOUBLE_EQ(store.SecondsSinceConfirmed(kT0 + absl::Seconds(14.5)), 4.5);
}

TEST(ViewStore, SuccessAfterAFailureClearsTheError) {
  ViewStore store;
  store.Publish(SampleViews(3, kT0), kT0);
  store.RecordFailure(absl::UnavailableError("down"), kT0 + absl::Seconds(1));
  store.RecordSuccess(kT0 + absl::Seconds(2));
  Freshness freshness = store.FreshnessOf(store.Current().get(), kT0 + absl::Seconds(3));
  EXPECT_FALSE(freshness.stale);
  EXPECT_TRUE(freshness.last_error.empty());
}

TEST(ViewStore, NewViewsReplaceOldOnesWhileReadersKeepTheirs) {
  ViewStore store;
  store.Publish(SampleViews(1, kT0), kT0);
  std::shared_ptr<const ViewSet> held = store.Current();
  store.Publish(SampleViews(2, kT0 + absl::Seconds(1)), kT0 + absl::Seconds(1));
  EXPECT_EQ(held->snapshot_version(), 1);  // still valid for the reader holding it
  EXPECT_EQ(store.Current()->snapshot_version(), 2);
}

TEST(ViewStore, ViewsNotConfirmedForLongerThanMaxAgeAreStale) {
  ViewStore store(absl::Seconds(30));
  store.Publish(SampleViews(1, kT0), kT0);
  EXPECT_FALSE(store.FreshnessOf(store.Current().get(), kT0 + absl::Seconds(30)).stale);
  Freshness old = store.FreshnessOf(store.Current().get(), kT0 + absl::Seconds(31));
  EXPECT_TRUE(old.stale);
  EXPECT_EQ(old.stale_seconds, 31);
  EXPECT_TRUE(old.last_error.empty());
}

TEST(ViewStore, ConcurrentReadersSeeWholeViewSets) {
  ViewStore store;
  store.Publish(SampleViews(1, kT0), kT0);
  std::atomic<bool> done{false};
  std::atomic<int64_t> bad{0};
  std::thread reader([&] {
    while (!done.load()) {
      std::shared_ptr<const ViewSet> views = store.Current();
      if (!views || views->at_risk().size() != 5) ++bad;
    }
  });
  for (int version = 2; version < 200; ++version) {
    store.Publish(SampleViews(version, kT0), kT0 + absl::Seconds(version));
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(store.Current()->snapshot_version(), 199);
}

}  // namespace
}  // namespace churn::viewsets
