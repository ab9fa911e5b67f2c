#include "csv/line_split.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace churn::csv {
namespace {

// The offset just after the first '\n' in [from, end), or `end` when there is none.
absl::StatusOr<int64_t> NextLineStart(int fd, const std::string& path, int64_t from, int64_t end) {
  char buffer[64 * 1024];
  while (from < end) {
    const auto wanted = static_cast<size_t>(std::min<int64_t>(sizeof(buffer), end - from));
    const ssize_t count = ::pread(fd, buffer, wanted, from);
    if (count < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, absl::StrCat("reading ", path));
    }
    if (count == 0) break;
    if (const void* line_feed = std::memchr(buffer, '\n', static_cast<size_t>(count))) {
      return from + (static_cast<const char*>(line_feed) - buffer) + 1;
    }
    from += count;
  }
  return end;
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> SplitAtLineStarts(const std::string& path, int64_t begin,
                                                       int64_t end, int parts) {
  std::vector<int64_t> boundaries = {begin};
  if (parts > 1 && end > begin) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open CSV file ", path));
    for (int part = 1; part < parts; ++part) {
      const int64_t share = begin + (end - begin) * part / parts;
      // A share inside the previous part (a long line) starts the search after it.
      const int64_t from = std::max(share, boundaries.back());
      absl::StatusOr<int64_t> start = NextLineStart(fd, path, from, end);
      if (!start.ok()) {
        ::close(fd);
        return start.status();
      }
      if (*start > boundaries.back() && *start < end) boundaries.push_back(*start);
    }
    ::close(fd);
  }
  boundaries.push_back(end);
  return boundaries;
}

}  // namespace churn::csv
