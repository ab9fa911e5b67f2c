#pragma once
// Releasing a vector's emptied tail while it is consumed from the back: a large input and the
// output built from it are then never both resident in full.

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

namespace churn::reports {

// Gives the pages of `v`'s capacity past its last element back to the system. They hold no
// objects (the elements there were destroyed), so nothing reads them before a later push_back
// writes them again; both ends are rounded inward to whole pages, so no neighbouring allocation
// is touched.
template <typename T>
void ReleaseSpareCapacity(std::vector<T>& v) {
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<uintptr_t>(v.data() + v.size());
  const auto end = reinterpret_cast<uintptr_t>(v.data() + v.capacity());
  const uintptr_t first = (begin + page - 1) / page * page;
  const uintptr_t last = end / page * page;
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

}  // namespace churn::reports
