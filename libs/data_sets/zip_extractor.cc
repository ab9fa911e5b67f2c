#include "data_sets/zip_extractor.h"

#include <fcntl.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <memory>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/upload_file_name.h"

namespace churn::data_sets {
namespace {

// Entry names are the uploader's bytes: quoted in messages only after this.
std::string Shown(absl::string_view name) {
  std::string shown;
  for (char c : name.substr(0, 120)) {
    shown += absl::ascii_isprint(static_cast<unsigned char>(c)) ? c : '?';
  }
  if (name.size() > 120) shown += "...";
  return shown;
}

struct ZipCloser {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;

absl::Status NotAZip(zip_error_t* error) {
  return absl::InvalidArgumentError(
      absl::StrCat("the upload is not a readable zip file (", zip_error_strerror(error), ")"));
}

bool IsSkipped(absl::string_view entry_name, absl::string_view base) {
  return absl::StartsWith(entry_name, "__MACOSX/") || base.empty() || base.front() == '.' ||
         !absl::EndsWithIgnoreCase(base, ".csv");
}

// Writes one entry to `path` (a new file), counting against `budget`.
absl::Status WriteEntry(zip_t* archive, zip_uint64_t index, const std::string& shown,
                        const std::string& path, int64_t* budget, int64_t limit, int64_t* written) {
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive, index, 0));
  if (!file) {
    return absl::InvalidArgumentError(
        absl::StrCat("zip entry '", shown, "' cannot be read (", zip_strerror(archive), ")"));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", path));
  absl::Status status;
  char buffer[1 << 16];
  while (status.ok()) {
    const zip_int64_t got = zip_fread(file.get(), buffer, sizeof(buffer));
    if (got < 0) {
      status = absl::InvalidArgumentError(
          absl::StrCat("zip entry '", shown, "' is damaged (", zip_file_strerror(file.get()), ")"));
      break;
    }
    if (got == 0) break;
    *budget -= got;
    *written += got;
    if (*budget < 0) {
      status = absl::ResourceExhaustedError(
          absl::StrCat("the zip inflates to more than ", limit, " bytes"));
      break;
    }
    for (zip_int64_t done = 0; done < got;) {
      const ssize_t n = ::write(fd, buffer + done, static_cast<size_t>(got - done));
      if (n <= 0) {
        status = absl::InternalError(absl::StrCat("cannot write ", path));
        break;
      }
      done += n;
    }
  }
  if (::close(fd) != 0 && status.ok()) status = absl::InternalError("cannot write " + path);
  return status;
}

absl::StatusOr<std::vector<ExtractedFile>> Extract(zip_t* archive, const std::string& dest_dir,
                                                   const ZipLimits& limits) {
  const zip_int64_t entries = zip_get_num_entries(archive, 0);
  if (entries < 0) return absl::InvalidArgumentError("the zip's entries cannot be read");
  if (entries > limits.max_entries) {
    return absl::ResourceExhaustedError(absl::StrCat("the zip has ", entries, " entries; at most ",
                                                     limits.max_entries, " are accepted"));
  }
  struct Planned {
    zip_uint64_t index;
    std::string entry_name;
    std::string name;
  };
  // Every name and declared size is checked before anything is inflated.
  std::vector<Planned> planned;
  std::set<std::string> names;
  int64_t declared = 0;
  for (zip_int64_t i = 0; i < entries; ++i) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat) != 0 ||
        !(stat.valid & ZIP_STAT_NAME)) {
      return absl::InvalidArgumentError(absl::StrCat("zip entry ", i, " cannot be read"));
    }
    const std::string entry_name(stat.name);
    if (absl::Status s = CheckZipEntryName(entry_name, limits.max_depth); !s.ok()) return s;
    if (absl::EndsWith(entry_name, "/")) continue;  // a folder
    const absl::string_view base = absl::string_view(entry_name).substr(entry_name.rfind('/') + 1);
    if (IsSkipped(entry_name, base)) continue;
    if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE) {
      return absl::InvalidArgumentError(
          absl::StrCat("zip entry '", Shown(entry_name), "' is encrypted"));
    }
    if (stat.valid & ZIP_STAT_SIZE) {
      declared += static_cast<int64_t>(std::min<zip_uint64_t>(stat.size, INT64_MAX / 2));
      if (declared > limits.max_inflated_bytes) {
        return absl::ResourceExhaustedError(
            absl::StrCat("the zip inflates to more than ", limits.max_inflated_bytes, " bytes"));
      }
    }
    std::string name = auth::SafeUploadFileName(std::string_view(base.data(), base.size()));
    if (!names.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat("the zip holds two tables named '", name,
                                                     "' (in different folders): keep one"));
    }
    planned.push_back({static_cast<zip_uint64_t>(i), entry_name, std::move(name)});
  }
  std::vector<ExtractedFile> extracted;
  int64_t budget = limits.max_inflated_bytes;
  for (const Planned& entry : planned) {
    ExtractedFile file{entry.name, entry.entry_name, 0};
    const std::string path = (std::filesystem::path(dest_dir) / entry.name).string();
    if (absl::Status s = WriteEntry(archive, entry.index, Shown(entry.entry_name), path, &budget,
                                    limits.max_inflated_bytes, &file.bytes);
        !s.ok()) {
      return s;
    }
    extracted.push_back(std::move(file));
  }
  return extracted;
}

}  // namespace

absl::Status CheckZipEntryName(absl::string_view entry_name, int max_depth) {
  if (entry_name.empty()) return absl::InvalidArgumentError("a zip entry has no name");
  const std::string shown = Shown(entry_name);
  if (entry_name.front() == '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("zip entry '", shown, "': absolute paths are refused"));
  }
  if (entry_name.find('\\') != absl::string_view::npos ||
      entry_name.find(':') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("zip entry '", shown, "': backslashes and colons are refused"));
  }
  int depth = -1;
  for (absl::string_view part : absl::StrSplit(entry_name, '/')) {
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("zip entry '", shown, "': '..' in a path is refused"));
    }
    if (!part.empty()) ++depth;
  }
  if (depth > max_depth) {
    return absl::InvalidArgumentError(
        absl::StrCat("zip entry '", shown, "': nested deeper than ", max_depth, " folders"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ExtractedFile>> ExtractZipFile(const std::string& zip_path,
                                                          const std::string& dest_dir,
                                                          const ZipLimits& limits) {
  int code = 0;
  ZipPtr archive(zip_open(zip_path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  if (!archive) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    absl::Status status = NotAZip(&error);
    zip_error_fini(&error);
    return status;
  }
  return Extract(archive.get(), dest_dir, limits);
}

absl::StatusOr<std::vector<ExtractedFile>> ExtractZipBytes(absl::string_view zip_bytes,
                                                           const std::string& dest_dir,
                                                           const ZipLimits& limits) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip_bytes.data(), zip_bytes.size(), 0, &error);
  if (source == nullptr) {
    absl::Status status = NotAZip(&error);
    zip_error_fini(&error);
    return status;
  }
  ZipPtr archive(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    zip_source_free(source);
    absl::Status status = NotAZip(&error);
    zip_error_fini(&error);
    return status;
  }
  zip_error_fini(&error);
  return Extract(archive.get(), dest_dir, limits);
}

}  // namespace churn::data_sets
