#pragma once
// Builds zip files for tests with libzip, entry names exactly as given (so a test can write
// the hostile names an attacker would: "../x.csv", "/abs.csv", deep folders).

#include <zip.h>

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace churn::testing {

struct ZipEntry {
  std::string name;  // ending in '/': a folder entry
  std::string content;
};

// Writes `entries` to `path` (deflated); fails the test when libzip refuses.
inline void WriteZip(const std::string& path, const std::vector<ZipEntry>& entries) {
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(archive, nullptr) << "zip_open " << error;
  for (const ZipEntry& entry : entries) {
    if (!entry.name.empty() && entry.name.back() == '/') {
      ASSERT_GE(zip_dir_add(archive, entry.name.c_str(), ZIP_FL_ENC_RAW), 0)
          << zip_strerror(archive);
      continue;
    }
    // libzip keeps the buffer until zip_close: a copy owned by the source (freep = 1).
    void* copy = malloc(entry.content.size() + 1);
    memcpy(copy, entry.content.data(), entry.content.size());
    zip_source_t* source = zip_source_buffer(archive, copy, entry.content.size(), 1);
    ASSERT_NE(source, nullptr) << zip_strerror(archive);
    ASSERT_GE(zip_file_add(archive, entry.name.c_str(), source, ZIP_FL_ENC_RAW | ZIP_FL_OVERWRITE),
              0)
        << entry.name << ": " << zip_strerror(archive);
  }
  ASSERT_EQ(zip_close(archive), 0) << zip_strerror(archive);
}

}  // namespace churn::testing
