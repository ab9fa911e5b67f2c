#pragma once
// Where a ViewSet's memory goes, by part: the row structs themselves, the texts they point to,
// the customer index and the at-risk index. Counted from sizes and string capacities (not what
// malloc rounds to), so a slightly low estimate; logged once per publish to see what to shrink.
// A SharedText's string counts once however many rows hold it.

#include <cstdint>

#include "viewsets/view_set.h"

namespace churn::viewsets {

struct ViewSetBytes {
  int64_t rows = 0;  // the row structs (inline parts; unused stored rows too) and row pointers
  int64_t long_views = 0;       // out-of-line long views of the rows that have them
  int64_t signal_texts = 0;     // ids, names, segments beyond the inline string buffer
  int64_t fired_rules = 0;      // fired rule structs and their rule/tier/reason texts
  int64_t reason_texts = 0;     // reasons and top_reasons
  int64_t action_texts = 0;     // actions and recommended_actions
  int64_t second_opinions = 0;  // the model's opinions beyond the inline optional
  int64_t customer_index = 0;   // id -> row
  int64_t at_risk_index = 0;    // orders and filter columns
  int64_t Total() const {
    return rows + long_views + signal_texts + fired_rules + reason_texts + action_texts +
           second_opinions + customer_index + at_risk_index;
  }
};

ViewSetBytes MeasureViewSet(const ViewSet& views);

}  // namespace churn::viewsets
