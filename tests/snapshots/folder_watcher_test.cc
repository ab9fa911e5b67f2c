// The folder watcher reports a change once the files stopped changing, and only then.

#include "snapshots/folder_watcher.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <string>
#include <vector>
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

TEST(FolderWatcher, PollingWaitsUntilTheFilesStopChanging) {
  const std::string dir = FreshDir("watch_debounce");
  std::atomic<int> calls{0};
  // A long period, so the writer below changes the file several times within each one. The poll
  // alone: with file events each closed write is a finished file.
  FolderWatcher watcher(dir, {.interval = milliseconds(300), .file_events = false},
                        [&](const std::string&) { ++calls; });
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

// The file events, with a poll too rare to matter: what is reported comes from the events.
FolderWatcherOptions EventsOnly(milliseconds settle = milliseconds(200)) {
  return {.interval = std::chrono::hours(1), .settle = settle};
}

void ExpectFileEvents(const FolderWatcher& watcher) {
#if defined(__linux__)
  ASSERT_TRUE(watcher.using_file_events()) << "inotify refused";
#else
  GTEST_SKIP() << "no file events on this platform";
#endif
}

void RenameIntoPlace(const std::string& dir, const std::string& name, const std::string& text) {
  WriteFile(dir, name + ".part", text);
  fs::rename(fs::path(dir) / (name + ".part"), fs::path(dir) / name);
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(FolderWatcherEvents, AFileRenamedIntoPlaceIsReportedWithoutAPoll) {
  const std::string dir = FreshDir("events_rename");
  WriteFile(dir, "a.csv", "1");
  std::atomic<int> calls{0};
  FolderWatcher watcher(dir, EventsOnly(), [&](const std::string&) { ++calls; });
  watcher.Start();
  ExpectFileEvents(watcher);
  RenameIntoPlace(dir, "a.csv", "2");  // the same size: the inode tells
  ASSERT_TRUE(WaitFor([&] { return calls.load() == 1; }));
  EXPECT_FALSE(WaitFor([&] { return calls.load() > 1; }, milliseconds(100)));
}

TEST(FolderWatcherEvents, AFileRewrittenInPlaceIsReported) {
  const std::string dir = FreshDir("events_in_place");
  WriteFile(dir, "a.csv", "1");
  std::atomic<int> calls{0};
  FolderWatcher watcher(dir, EventsOnly(), [&](const std::string&) { ++calls; });
  watcher.Start();
  ExpectFileEvents(watcher);
  WriteFile(dir, "a.csv", "1234");
  ASSERT_TRUE(WaitFor([&] { return calls.load() == 1; }));
  EXPECT_FALSE(WaitFor([&] { return calls.load() > 1; }, milliseconds(100)));
}

TEST(FolderWatcherEvents, OtherFilesAreIgnored) {
  const std::string dir = FreshDir("events_other");
  std::atomic<int> calls{0};
  FolderWatcher watcher(dir, EventsOnly(), [&](const std::string&) { ++calls; });
  watcher.Start();
  ExpectFileEvents(watcher);
  WriteFile(dir, "notes.txt", "x");
  WriteFile(dir, "a.csv.part", "x");  // written aside, not renamed yet
  EXPECT_FALSE(WaitFor([&] { return calls.load() > 0; }, milliseconds(300)));
}

TEST(FolderWatcherEvents, AFileStillBeingWrittenIsReportedOnceClosed) {
  const std::string dir = FreshDir("events_partial");
  WriteFile(dir, "a.csv", "old\n");
  std::mutex mu;
  std::vector<std::string> seen;  // the file as each report found it
  // A settle time far beyond the test: only the close can report the file.
  FolderWatcher watcher(dir, EventsOnly(std::chrono::minutes(1)), [&](const std::string& d) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(ReadAll(fs::path(d) / "a.csv"));
  });
  watcher.Start();
  ExpectFileEvents(watcher);
  {
    std::ofstream out(fs::path(dir) / "a.csv", std::ios::binary | std::ios::trunc);
    out << "first half,";
    out.flush();
    EXPECT_FALSE(WaitFor(
        [&] {
          std::lock_guard<std::mutex> lock(mu);
          return !seen.empty();
        },
        milliseconds(300)))
        << "reported while the file was still open and being written";
    out << "second half\n";
  }
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !seen.empty();
  }));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], "first half,second half\n");
}

TEST(FolderWatcherEvents, AWriterThatGoesQuietIsReportedAfterTheSettleTime) {
  const std::string dir = FreshDir("events_quiet");
  std::atomic<int> calls{0};
  FolderWatcher watcher(dir, EventsOnly(milliseconds(100)), [&](const std::string&) { ++calls; });
  watcher.Start();
  ExpectFileEvents(watcher);
  std::ofstream out(fs::path(dir) / "a.csv", std::ios::binary);
  out << "rows";
  out.flush();  // and left open
  EXPECT_TRUE(WaitFor([&] { return calls.load() == 1; }));
}

TEST(FolderWatcherEvents, AFileRemovedAndAddedBackIsOneReport) {
  const std::string dir = FreshDir("events_removed");
  WriteFile(dir, "a.csv", "1");
  WriteFile(dir, "b.csv", "1");
  std::mutex mu;
  std::vector<bool> had_file;  // whether a.csv existed at each report
  FolderWatcher watcher(dir, EventsOnly(std::chrono::minutes(1)), [&](const std::string& d) {
    std::lock_guard<std::mutex> lock(mu);
    had_file.push_back(fs::exists(fs::path(d) / "a.csv"));
  });
  watcher.Start();
  ExpectFileEvents(watcher);
  fs::remove(fs::path(dir) / "a.csv");
  EXPECT_FALSE(WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return !had_file.empty();
      },
      milliseconds(300)))
      << "a removed table was reported before the settle time";
  RenameIntoPlace(dir, "a.csv", "22");
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !had_file.empty();
  }));
  EXPECT_FALSE(WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return had_file.size() > 1;
      },
      milliseconds(100)));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(had_file, std::vector<bool>{true});
}

TEST(FolderWatcherEvents, ABurstOfChangesDuringAReloadIsOneMoreReport) {
  const std::string dir = FreshDir("events_burst");
  for (const char* name : {"a.csv", "b.csv", "c.csv"}) WriteFile(dir, name, "0");
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  FolderWatcher watcher(dir, EventsOnly(), [&](const std::string&) {
    if (++calls == 1) {
      while (!release) std::this_thread::sleep_for(milliseconds(1));  // a long reload
    }
  });
  watcher.Start();
  ExpectFileEvents(watcher);
  RenameIntoPlace(dir, "a.csv", "1");
  ASSERT_TRUE(WaitFor([&] { return calls.load() == 1; }));
  for (int round = 2; round < 6; ++round) {
    for (const char* name : {"a.csv", "b.csv", "c.csv"}) {
      RenameIntoPlace(dir, name, std::to_string(round));
    }
    WriteFile(dir, "b.csv", std::string(round, 'x'));  // and in place
  }
  release = true;
  ASSERT_TRUE(WaitFor([&] { return calls.load() == 2; }));
  EXPECT_FALSE(WaitFor([&] { return calls.load() > 2; }, milliseconds(200)));
}

TEST(FolderWatcherEvents, ThePollSeesWhatTheEventsMiss) {
  // A symlinked table whose target changes: the folder itself raises no event.
  const std::string dir = FreshDir("events_symlink");
  const std::string elsewhere = FreshDir("events_symlink_target");
  WriteFile(elsewhere, "a.csv", "1");
  fs::create_symlink(fs::path(elsewhere) / "a.csv", fs::path(dir) / "a.csv");
  std::atomic<int> calls{0};
  FolderWatcher watcher(dir, {.interval = milliseconds(20)}, [&](const std::string&) { ++calls; });
  watcher.Start();
  ExpectFileEvents(watcher);
  WriteFile(elsewhere, "a.csv", "1234");
  EXPECT_TRUE(WaitFor([&] { return calls.load() == 1; }));
}

TEST(FolderWatcherEvents, SetDirectoryMovesTheWatch) {
  const std::string first = FreshDir("events_first");
  const std::string second = FreshDir("events_second");
  std::mutex mu;
  std::vector<std::string> changed;
  FolderWatcher watcher(first, EventsOnly(), [&](const std::string& d) {
    std::lock_guard<std::mutex> lock(mu);
    changed.push_back(d);
  });
  watcher.Start();
  ExpectFileEvents(watcher);
  watcher.SetDirectory(second);
  WriteFile(first, "a.csv", "1");  // no longer watched
  WriteFile(second, "a.csv", "1");
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard<std::mutex> lock(mu);
    return !changed.empty();
  }));
  EXPECT_FALSE(WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return changed.size() > 1;
      },
      milliseconds(100)));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(changed, std::vector<std::string>{second});
}

}  // namespace
}  // namespace churn::snapshots
