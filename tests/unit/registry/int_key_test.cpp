// SPDX-License-Identifier: Apache-2.0
// detail::IntKey, the dispatch path's hash key: copies carry v[0, n) and nothing past it, and a
// copy is equal to and hashes like its source.
#define TS_IMPL_REGISTRY_INTERNAL 1
#include "dispatch_state.h"

#include <gtest/gtest.h>

namespace tessera::registry::detail {
namespace {

IntKey key_of(std::initializer_list<std::int64_t> xs) {
  IntKey k;
  for (std::int64_t x : xs) k.push(x);
  return k;
}

TEST(IntKey, ACopyEqualsAndHashesLikeItsSource) {
  const IntKey a = key_of({7, -1, 1LL << 40, 0});
  const IntKey copy(a);
  EXPECT_EQ(copy.n, 4u);
  EXPECT_EQ(copy, a);
  EXPECT_EQ(IntKeyHash{}(copy), IntKeyHash{}(a));
  IntKey assigned = key_of({1, 2, 3, 4, 5, 6});
  assigned = a;
  EXPECT_EQ(assigned, a);
  EXPECT_EQ(IntKeyHash{}(assigned), IntKeyHash{}(a));
  const IntKey& same = assigned;
  assigned = same;  // self-assignment keeps the key
  EXPECT_EQ(assigned, a);
  EXPECT_FALSE(key_of({7, -1, 1LL << 40}) == a);  // a prefix is another key
}

TEST(IntKey, CopiesTouchOnlyTheUsedSlots) {
  IntKey full;
  for (std::size_t i = 0; i < IntKey::kCapacity; ++i) full.push(1000 + static_cast<std::int64_t>(i));
  EXPECT_EQ(full.room(), 0u);
  const IntKey shorter = key_of({1, 2, 3});
  full = shorter;
  EXPECT_EQ(full, shorter);
  EXPECT_EQ(full.room(), IntKey::kCapacity - 3);
  // A memberwise copy would have overwritten these with shorter's indeterminate slots.
  for (std::size_t i = 3; i < IntKey::kCapacity; ++i) EXPECT_EQ(full.v[i], 1000 + static_cast<std::int64_t>(i));
  full.push(4);
  EXPECT_EQ(full, key_of({1, 2, 3, 4}));
}

TEST(IntKey, ACopiedKeyFindsTheEntryInTheDispatchMap) {
  InsertOnlyMap<IntKey, int, IntKeyHash> map;
  IntKey k = key_of({3, 1, 4, 1, 5});
  map.get_or_insert(k, [] { return 42; });
  const IntKey copy = k;
  ASSERT_NE(map.find(copy), nullptr);
  EXPECT_EQ(*map.find(copy), 42);
  k.push(9);
  EXPECT_EQ(map.find(k), nullptr);
}

}  // namespace
}  // namespace tessera::registry::detail
