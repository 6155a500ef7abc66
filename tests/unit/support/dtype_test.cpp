// SPDX-License-Identifier: Apache-2.0
#include "tessera/dtype.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

TEST(DType, NamesRoundTripAndSizes) {
  for (int i = 0; i < kNumDTypes; ++i) {
    auto t = static_cast<DType>(i);
    EXPECT_EQ(parse_dtype(dtype_name(t)), t) << dtype_name(t);
  }
  EXPECT_EQ(dtype_size(DType::bf16), 2);
  EXPECT_EQ(dtype_size(DType::f8e4m3fn), 1);
  EXPECT_EQ(dtype_size(DType::i64), 8);
  EXPECT_EQ(parse_dtype("bfloat16"), DType::bf16);
  EXPECT_EQ(parse_dtype("float8_e4m3fn"), DType::f8e4m3fn);
  EXPECT_FALSE(parse_dtype("f128").has_value());
  EXPECT_TRUE(dtype_is_fp8(DType::f8e5m2));
  EXPECT_FALSE(dtype_is_float(DType::i8));
  EXPECT_NE(dtype_names().find("bool"), std::string::npos);
}

}  // namespace
}  // namespace tessera
