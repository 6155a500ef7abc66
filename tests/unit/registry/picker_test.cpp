// SPDX-License-Identifier: Apache-2.0
// Picker building blocks: vLLM's "closest" (ties to the first key in canonical order) and
// "smallest tuned value >= the call's, else the largest", nested over fields, default keys
// ignored, and clear errors for keys that lack a field.
#include "tessera/registry/picker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tessera/error.h"

namespace tessera::registry {
namespace {

using ::testing::HasSubstr;

std::vector<CaseKey> sorted_keys(std::vector<const char*> texts) {
  std::vector<CaseKey> keys;
  for (const char* t : texts) keys.push_back(CaseKey::parse(t));
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(Picker, ClosestValueTiesGoToTheFirstCandidate) {
  const std::vector<std::int64_t> c{2048, 4096, 5120};
  EXPECT_EQ(closest_value(c, 4096), 4096);
  EXPECT_EQ(closest_value(c, 3072), 2048);  // tie: 1024 away from both
  EXPECT_EQ(closest_value(c, 3073), 4096);
  EXPECT_EQ(closest_value(c, 1), 2048);
  EXPECT_EQ(closest_value(c, 1 << 20), 5120);
  const std::vector<std::int64_t> reversed{4096, 2048};
  EXPECT_EQ(closest_value(reversed, 3072), 4096);  // order decides ties, not magnitude
  const std::vector<std::int64_t> extremes{INT64_MIN, INT64_MAX};
  EXPECT_EQ(closest_value(extremes, 0), INT64_MAX);  // 2^63 - 1 away vs 2^63: no overflow
  EXPECT_EQ(closest_value(std::vector<std::int64_t>{-5, 5}, 0), -5);
  EXPECT_THROW(closest_value(std::vector<std::int64_t>{}, 1), InternalError);
}

TEST(Picker, SmallestAtLeastElseLargest) {
  const std::vector<std::int64_t> c{16, 1, 4, 8192, 2};
  EXPECT_EQ(smallest_at_least(c, 1), 1);
  EXPECT_EQ(smallest_at_least(c, 3), 4);
  EXPECT_EQ(smallest_at_least(c, 16), 16);
  EXPECT_EQ(smallest_at_least(c, 17), 8192);
  EXPECT_EQ(smallest_at_least(c, 100000), 8192);
  EXPECT_EQ(smallest_at_least(c, 0), 1);
}

TEST(Picker, NestedFieldsNarrowTheKeys) {
  // hidden 2048 is tuned up to 8 tokens, hidden 4096 up to 4096 tokens.
  auto keys = sorted_keys({R"({"hidden_size":2048,"num_tokens":1})", R"({"hidden_size":2048,"num_tokens":8})",
                           R"({"hidden_size":4096,"num_tokens":4})", R"({"hidden_size":4096,"num_tokens":4096})",
                           "{}"});
  auto pick = [&](std::int64_t h, std::int64_t m) {
    auto k = pick_by_fields(keys, {{"hidden_size", PickRule::kClosest, h}, {"num_tokens", PickRule::kAtLeast, m}});
    return k ? k->canonical() : std::string("None");
  };
  EXPECT_EQ(pick(2048, 3), R"({"hidden_size":2048,"num_tokens":8})");
  EXPECT_EQ(pick(2048, 100), R"({"hidden_size":2048,"num_tokens":8})");  // beyond: the largest
  EXPECT_EQ(pick(4000, 5), R"({"hidden_size":4096,"num_tokens":4096})");
  EXPECT_EQ(pick(3072, 2), R"({"hidden_size":2048,"num_tokens":8})");  // tie on hidden: first key
  EXPECT_EQ(pick(4096, 1), R"({"hidden_size":4096,"num_tokens":4})");
}

TEST(Picker, KeyFieldOrderFollowsTheFieldsAndEqualsTheFileKey) {
  auto keys = sorted_keys({R"({"num_tokens":8,"hidden_size":2048,"group_size":128})"});
  auto k = pick_by_fields(keys, {{"hidden_size", PickRule::kClosest, 1},
                                 {"group_size", PickRule::kClosest, 64},
                                 {"num_tokens", PickRule::kAtLeast, 1}});
  ASSERT_TRUE(k);
  EXPECT_EQ(*k, keys[0]);
  EXPECT_EQ(k->fields()[0].first, "hidden_size");
}

TEST(Picker, OnlyDefaultKeysMeansNoPick) {
  EXPECT_FALSE(pick_by_fields(sorted_keys({"{}"}), {{"x", PickRule::kClosest, 1}}));
  EXPECT_FALSE(pick_by_fields(std::vector<CaseKey>{}, {{"x", PickRule::kClosest, 1}}));
}

TEST(Picker, AKeyWithoutTheFieldIsAClearError) {
  auto keys = sorted_keys({R"({"hidden_size":2048})"});
  try {
    pick_by_fields(keys, {{"hidden_size", PickRule::kClosest, 1}, {"num_tokens", PickRule::kAtLeast, 1}});
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr(R"({"hidden_size":2048})"));
    EXPECT_THAT(e.what(), HasSubstr("no field 'num_tokens'"));
  }
  auto strings = sorted_keys({R"({"hidden_size":"big"})"});
  EXPECT_THROW(pick_by_fields(strings, {{"hidden_size", PickRule::kClosest, 1}}), UserError);
}

}  // namespace
}  // namespace tessera::registry
