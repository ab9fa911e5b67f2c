#include "tickets/ticket_set.h"

#include <filesystem>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "csv/reader.h"
#include "status/status_macros.h"

namespace churn::tickets {
namespace {

// Candidate header names, best first, compared lower-case with '_' and ' ' alike.
const std::vector<std::string> kSubjectColumns = {"subject", "ticket subject", "title", "summary"};
const std::vector<std::string> kBodyColumns = {"body", "description", "ticket description",
                                               "text", "message", "content", "comment",
                                               "ticket text", "issue", "customer message"};
const std::vector<std::string> kKeyColumns = {"account id", "customer id", "subscription id"};
const std::vector<std::string> kIdColumns = {"ticket id", "id", "ticket number"};
const std::vector<std::string> kDateColumns = {"submitted at", "created at", "created",
                                               "date", "timestamp", "ticket date"};

std::string NormalizedHeader(std::string_view name) {
  std::string normalized = absl::AsciiStrToLower(std::string(dataset::TrimBlanks(name)));
  for (char& c : normalized) {
    if (c == '_' || c == '-') c = ' ';
  }
  return normalized;
}

std::optional<size_t> FindColumn(const std::vector<std::string>& header,
                                 const std::vector<std::string>& candidates) {
  for (const std::string& candidate : candidates) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == candidate) return i;
    }
  }
  return std::nullopt;
}

absl::StatusOr<TicketSet> ReadTicketSet(csv::Reader& reader, std::string name,
                                        const TicketSetOptions& options) {
  TicketSet set;
  set.name = std::move(name);
  CHURN_ASSIGN_OR_RETURN(bool has_header, reader.Next());
  if (!has_header) {
    return csv::ErrorAt(reader.source_name(), {1, 1}, "empty file: expected a header row");
  }
  const std::vector<std::string> raw_header(reader.fields().begin(), reader.fields().end());
  std::vector<std::string> header;
  for (const std::string& column : raw_header) header.push_back(NormalizedHeader(column));

  const std::optional<size_t> subject = FindColumn(header, kSubjectColumns);
  const std::optional<size_t> body = FindColumn(header, kBodyColumns);
  if (!subject && !body) {
    return csv::ErrorAt(reader.source_name(), {1, 1},
                        "no text column: expected subject/body or one of description, text, "
                        "message, content");
  }
  if (subject && body) {
    set.text_columns = absl::StrCat(raw_header[*subject], " + ", raw_header[*body]);
  } else {
    set.text_columns = raw_header[subject ? *subject : *body];
  }
  const std::optional<size_t> key = FindColumn(header, kKeyColumns);
  if (key) {
    set.key_column = header[*key];
    for (char& c : set.key_column) c = c == ' ' ? '_' : c;
  }
  const std::optional<size_t> id = FindColumn(header, kIdColumns);
  const std::optional<size_t> date = FindColumn(header, kDateColumns);
  if (date) set.date_column = raw_header[*date];

  auto field = [&](std::optional<size_t> column) -> std::string_view {
    if (!column || *column >= reader.fields().size()) return {};
    return reader.fields()[*column];
  };
  while (true) {
    CHURN_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) break;
    ++set.rows_total;
    if (static_cast<int64_t>(set.tickets.size()) >= options.max_tickets) continue;
    TicketRecord record;
    record.line = reader.record_line();
    record.ticket_id = std::string(dataset::TrimBlanks(field(id)));
    if (record.ticket_id.empty()) record.ticket_id = absl::StrCat("line-", record.line);
    record.key = std::string(dataset::TrimBlanks(field(key)));
    record.text = CombineSubjectAndBody(field(subject), field(body), options.max_chars);
    record.submitted = dataset::ParseDate(field(date));
    set.tickets.push_back(std::move(record));
  }
  return set;
}

}  // namespace

absl::StatusOr<TicketSet> LoadTicketSet(const std::string& path, const TicketSetOptions& options) {
  CHURN_ASSIGN_OR_RETURN(std::unique_ptr<csv::Reader> reader, csv::Reader::OpenFile(path));
  return ReadTicketSet(*reader, std::filesystem::path(path).filename().string(), options);
}

absl::StatusOr<TicketSet> ParseTicketSet(std::string csv_text, std::string name,
                                         const TicketSetOptions& options) {
  std::unique_ptr<csv::Reader> reader = csv::Reader::FromString(std::move(csv_text), name);
  return ReadTicketSet(*reader, std::move(name), options);
}

}  // namespace churn::tickets
