// Fuzzes the reading of a ticket text CSV (ParseTicketSet): which columns hold the text, the
// customer key, the id and the date, and the tickets. Properties: no crash, exception or
// sanitizer report; a rejected file is an error naming the file; for an accepted one the
// reported columns are columns of the header, the key is one of the three real keys, at most
// max_tickets are kept, and every ticket's text is sanitised, capped and valid UTF-8 for the
// JSON a model is sent (nlohmann's dump throws otherwise, which the fuzzer reports as a crash).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "csv/reader.h"
#include "dataset/value_parsers.h"
#include "nlohmann/json.hpp"
#include "tickets/ticket_set.h"
#include "tickets/ticket_text.h"
#include "fuzz_check.h"

namespace {

using churn::tickets::TicketSet;

using churn::fuzz::Check;

std::vector<std::string> RawHeader(const std::string& csv) {
  std::unique_ptr<churn::csv::Reader> reader = churn::csv::Reader::FromString(csv, "header");
  absl::StatusOr<bool> more = reader->Next();
  if (!more.ok() || !*more) return {};
  return {reader->fields().begin(), reader->fields().end()};
}

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string csv(reinterpret_cast<const char*>(data), size);
  churn::tickets::TicketSetOptions options;
  // Small caps, varied by the input, so cutting is exercised as often as keeping.
  options.max_tickets = size == 0 ? 1 : 1 + data[size - 1] % 16;
  options.max_chars = size == 0 ? 1 : 1 + data[0] % 200;

  const absl::StatusOr<TicketSet> set = churn::tickets::ParseTicketSet(csv, "fuzz.csv", options);
  if (!set.ok()) {
    Check(absl::StartsWith(set.status().message(), "fuzz.csv:"), "errors name the file");
    return 0;
  }
  Check(set->name == "fuzz.csv", "the set is named after the file");

  const std::vector<std::string> header = RawHeader(csv);
  Check(!set->text_columns.empty(), "a text column");
  const size_t plus = set->text_columns.find(" + ");
  Check(Contains(header, set->text_columns) ||
            (plus != std::string::npos && Contains(header, set->text_columns.substr(0, plus)) &&
             Contains(header, set->text_columns.substr(plus + 3))),
        "text columns are header columns");
  Check(set->key_column.empty() || set->key_column == "account_id" ||
            set->key_column == "customer_id" || set->key_column == "subscription_id",
        "a real key column or none");
  Check(set->date_column.empty() || Contains(header, set->date_column),
        "the date column is a header column");

  Check(set->rows_total >= 0, "rows_total >= 0");
  Check(static_cast<int64_t>(set->tickets.size()) == std::min(set->rows_total, options.max_tickets),
        "at most max_tickets, all while fewer");
  int64_t previous_line = 1;
  for (const churn::tickets::TicketRecord& ticket : set->tickets) {
    Check(ticket.line > previous_line, "lines increase after the header");
    previous_line = ticket.line;
    Check(!ticket.ticket_id.empty(), "a ticket id");
    Check(churn::dataset::TrimBlanks(ticket.ticket_id) == ticket.ticket_id, "ids are trimmed");
    Check(set->key_column.empty() ? ticket.key.empty() : true, "no key without a key column");
    Check(churn::dataset::TrimBlanks(ticket.key) == ticket.key, "keys are trimmed");
    Check(ticket.text.size() <= options.max_chars, "text is capped");
    Check(churn::tickets::SanitizeTicketText(ticket.text, options.max_chars) == ticket.text,
          "text is sanitised");
    (void)nlohmann::json(ticket.text).dump();  // throws on invalid UTF-8
    if (ticket.submitted) {
      Check(churn::dataset::ParseDate(churn::dataset::FormatDate(*ticket.submitted)) ==
                ticket.submitted,
            "dates round-trip");
    }
  }
  return 0;
}
