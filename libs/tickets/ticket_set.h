#pragma once
// A ticket text CSV: which columns hold the text and the customer key, and its tickets.
//
// Exports name their columns differently: subject + body are used when present, else the best
// text-like column, and the choice is reported. A ticket is linked to a customer only through a
// real key column (account_id, customer_id or subscription_id); without one the set is a demo
// set whose analyses never reach scores.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dataset/value_parsers.h"
#include "tickets/ticket_text.h"

namespace churn::tickets {

struct TicketRecord {
  std::string ticket_id;  // from an id column, else "line-<N>"
  std::string key;        // value of the key column ("" when the set has none)
  std::string text;       // sanitised, combined and capped
  std::optional<dataset::Day> submitted;
  int64_t line = 0;
};

struct TicketSet {
  std::string name;          // file name
  std::string text_columns;  // e.g. "subject + body" or "Ticket Description"
  std::string key_column;    // "account_id", "customer_id", "subscription_id" or ""
  std::string date_column;   // "" when there is none
  std::vector<TicketRecord> tickets;
  int64_t rows_total = 0;    // rows in the file (tickets holds at most max_tickets)
};

struct TicketSetOptions {
  int64_t max_tickets = 10000;
  size_t max_chars = kDefaultMaxTicketChars;
};

absl::StatusOr<TicketSet> LoadTicketSet(const std::string& path, const TicketSetOptions& options);
absl::StatusOr<TicketSet> ParseTicketSet(std::string csv_text, std::string name,
                                         const TicketSetOptions& options);

}  // namespace churn::tickets
