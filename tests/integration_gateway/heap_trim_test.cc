#include "heap_trim.h"

#include <cstdlib>

#include <gtest/gtest.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace churn::gateway {
namespace {

#if defined(__GLIBC__)
// After a freed 1 MiB block glibc would serve a 200 KiB one from the heap (its threshold raised
// to 1 MiB); with the threshold fixed the block gets a mapping of its own.
TEST(HeapTrimTest, LargeBlocksGetAMappingOfTheirOwn) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizer's allocator replaces glibc's malloc: no threshold to check";
#endif
  KeepLargeBlocksOutOfHeap();
  void* volatile big = std::malloc(1 << 20);
  static_cast<char*>(big)[0] = 1;
  std::free(big);
  const size_t mapped = mallinfo2().hblks;
  void* volatile block = std::malloc(200 * 1024);
  static_cast<char*>(block)[0] = 1;
  EXPECT_EQ(mallinfo2().hblks, mapped + 1);
  std::free(block);
  ReturnFreedHeapToSystem();  // callable at any time
}

// Blocks under the mapping threshold freed at the heap's top stay there (up to kKeptHeapTop), not
// given back on the free and faulted in again by the next request's body.
TEST(HeapTrimTest, KeepsTheHeapTopFreedByBodies) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizer's allocator replaces glibc's malloc: no threshold to check";
#endif
  KeepLargeBlocksOutOfHeap();
  ReturnFreedHeapToSystem();
  constexpr size_t kBlock = 100 * 1024;
  constexpr int kBlocks = 6;  // 600 KiB: past glibc's default trim threshold, within ours
  void* blocks[kBlocks];
  for (void*& block : blocks) {
    block = std::malloc(kBlock);
    static_cast<volatile char*>(block)[0] = 1;
  }
  for (int i = kBlocks - 1; i >= 0; --i) std::free(blocks[i]);
  EXPECT_GE(mallinfo2().keepcost, kBlocks * kBlock);
  ReturnFreedHeapToSystem();
  EXPECT_LT(mallinfo2().keepcost, kBlock);
}
#endif

}  // namespace
}  // namespace churn::gateway
