#pragma once
// A full stream of signals folded, as it arrives, into a delta against the views in force. Ingest
// streams every customer when it has no delta to give (the version in force asked again by a
// requested refresh, a base it no longer holds, a restart); holding all of them next to the views
// was a refresh's peak memory (at a million customers ~450 MB of signals beside ~700 MB of views).
// Here a customer whose signals equal its row's as they were streamed is dropped on arrival (the
// row stays, as a delta's unchanged row would), so only the changed and new ones are held: the
// result is the delta ingest would have sent (streamed_signals.h applies it).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "signals/customer_signals.h"
#include "viewsets/view_set.h"
#include "streamed_signals.h"

namespace churn::gateway {

class FullStreamDelta {
 public:
  // `views` must have unique ids (ViewSet::unique_ids); `streamed` is what their rows were
  // streamed with (the churn intent before the merge, where it differed). Both outlive this.
  FullStreamDelta(const viewsets::ViewSet& views, const StreamedIntent& streamed);

  // The next customer of the stream.
  void Add(CustomerSignals customer);

  // Whether an id came twice: the stream is then no delta of the views (TakeAll).
  bool repeated() const { return repeated_; }
  // The streamed customers that differ from their row or are new, in stream order.
  std::vector<CustomerSignals> TakeChanged() { return std::move(changed_); }
  // The ids of the views' rows the stream did not name.
  std::vector<std::string> RemovedIds() const;
  // Every streamed customer in stream order, as streamed (the dropped ones copied back from
  // their rows): the full stream itself, for when it is no delta.
  std::vector<CustomerSignals> TakeAll();

 private:
  static constexpr uint32_t kDropped = uint32_t{1} << 31;  // | the row's position
  // The row at `position`'s churn intent as it was streamed.
  int64_t StreamedIntentOf(uint32_t position) const;

  const viewsets::ViewSet& views_;
  const StreamedIntent& streamed_;
  std::vector<uint8_t> named_;     // per row of the views: the stream named it
  std::vector<uint32_t> arrival_;  // per streamed customer: kDropped | row, or its changed_ index
  std::vector<CustomerSignals> changed_;
  absl::flat_hash_set<std::string> new_ids_;  // streamed ids the views do not have
  bool repeated_ = false;
};

}  // namespace churn::gateway
