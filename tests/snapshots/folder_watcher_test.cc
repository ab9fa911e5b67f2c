// The folder watcher reports a change once the files stopped changing, and only then.

#include "snapshots/folder_watcher.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::snapshots {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string FreshDir(const std::string& name) {
  const fs::path dir = churn::testing::ProgramScratch() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

void WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  std::ofstream(fs::path(dir) / name, std::ios::binary | std::ios::trunc) << text;
}

// Polls `condition` until it holds or `timeout` passes.
template <typename Condition>
bool WaitFor(Condition condition, milliseconds timeout = milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return condition();
}

TEST(ScanFolder, SeesCsvFilesWithSizeAndIgnoresOthers) {
  const std::string dir = FreshDir("scan_basic");
  WriteFile(dir, "b.csv", "12345");
  WriteFile(dir, "a.csv", "1");
  WriteFile(dir, "notes.txt", "x");
  fs::create_directories(fs::path(dir) / "sub.csv");  // a directory, not a file
  FolderState state = ScanFolder(dir);
  EXPECT_TRUE(state.exists);
  ASSERT_EQ(state.files.size(), 2u);
  EXPECT_EQ(state.files[0].name, "a.csv");
  EXPECT_EQ(state.files[1].name, "b.csv");
  EXPECT_EQ(state.files[1].size, 5);
  EXPECT_FALSE(ScanFolder(dir + "/missing").exists);
}

TEST(ScanFolder, AnAtomicReplacementWithTheSameSizeIsAChange) {
  const std::string dir = FreshDir("scan_rename");
  WriteFile(dir, "a.csv", "1234");
  FolderState before = ScanFolder(dir);
  WriteFile(dir, "a.csv.tmp", "abcd");
  fs::rename(fs::path(dir) / "a.csv.tmp", fs::path(dir) / "a.csv");
  EXPECT_NE(ScanFolder(dir), before);
}

TEST(FolderWatcher, ReportsAChangeOnce) {
  const std::string dir = FreshDir("watch_change");
  WriteFile(dir, "a.csv", "1");
  std::atomic<int> calls{0};
  std::string changed_dir;
  FolderWatcher watcher(dir, milliseconds(10), [&](const std::string& d) {
    changed_dir = d;
    ++calls;
  });
  watcher.Start();
  WriteFile(dir, "a.csv", "12");
  ASSERT_TRUE(WaitFor([&] { return calls.load() == 1; }));
  EXPECT_EQ(changed_dir, dir);
  // No further change: the count stays (checked over several poll periods).
  EXPECT_FALSE(WaitFor([&] { return calls.load() > 1; }, milliseconds(100)));
  watcher.Stop();
  EXPECT_EQ(watcher.changes_reported(), 1);
}

TEST(FolderWatcher, WaitsUntilTheFilesStopChanging) {
  const std::string dir = FreshDir("watch_debounce");
  std::atomic<int> calls{0};
  // A long period, so the writer below changes the file several times within each one.
  FolderWatcher watcher(dir, milliseconds(300), [&](const std::string&) { ++calls; });
  watcher.Start();
  const auto until = std::chrono::steady_clock::now() + milliseconds(1200);
  int size = 0;
  while (std::chrono::steady_clock::now() < until) {
    WriteFile(dir, "a.csv", std::string(++size, 'x'));
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(calls.load(), 0) << "reported while the file was still growing";
  ASSERT_TRUE(WaitFor([&] { return calls.load() == 1; }));
}

TEST(FolderWatcher, AFolderThatAppearsIsAChange) {
  const fs::path dir = churn::testing::ProgramScratch() / "watch_appears";
  fs::remove_all(dir);
  std::atomic<int> calls{0};
  FolderWatcher watcher(dir.string(), milliseconds(10), [&](const std::string&) { ++calls; });
  watcher.Start();
  fs::create_directories(dir);
  WriteFile(dir.string(), "a.csv", "1");
  EXPECT_TRUE(WaitFor([&] { return calls.load() >= 1; }));
}

TEST(FolderWatcher, SetDirectoryWatchesTheNewFolder) {
  const std::string first = FreshDir("watch_first");
  const std::string second = FreshDir("watch_second");
  std::mutex mu;
  std::vector<std::string> changed;
  FolderWatcher watcher(first, milliseconds(10), [&](const std::string& d) {
    std::lock_guard<std::mutex> lock(mu);
    changed.push_back(d);
  });
  watcher.Start();
  watcher.SetDirectory(second);
  EXPECT_EQ(watcher.directory(), second);
  WriteFile(second, "a.csv", "1");
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !changed.empty();
  }));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(changed.front(), second);
}

TEST(FolderWatcher, StopReturnsPromptlyWithALongInterval) {
  FolderWatcher watcher(FreshDir("watch_stop"), std::chrono::hours(1), [](const std::string&) {});
  watcher.Start();
  const auto started = std::chrono::steady_clock::now();
  watcher.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

}  // namespace
}  // namespace churn::snapshots
