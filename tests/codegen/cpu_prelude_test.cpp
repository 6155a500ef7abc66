// SPDX-License-Identifier: Apache-2.0
// The generated kernels' fast conversions agree bit for bit with numeric/float_formats.h on
// every rounding boundary of every exponent (and all 256 fp8 / 65536 f16 encodings decode).
#include <gtest/gtest.h>

#include <cstdint>

#include "cpu/codegen_prelude.h"

namespace {

using namespace tessera::numeric;

/// f32 bit patterns around each rounding boundary of a format with `drop` dropped mantissa bits.
template <typename Fn>
void for_boundaries(int drop, Fn fn) {
  const std::uint32_t half = 1u << (drop - 1), full = 1u << drop;
  const std::uint32_t lows[] = {0, 1, half - 1, half, half + 1, full - 1};
  for (std::uint32_t hi = 0; hi < (1u << (32 - drop)); ++hi)
    for (std::uint32_t lo : lows) fn(bits_float((hi << drop) | lo));
}

bool same_nan_or_bits(std::uint32_t a, std::uint32_t b) { return a == b; }

TEST(CpuPrelude, Fp8EncodeMatchesReferenceOnEveryBoundary) {
  for_boundaries(20, [](float x) {
    ASSERT_TRUE(same_nan_or_bits(ts_cpu::f8e4m3fn_from_float_fast(x), f8e4m3fn_from_float(x))) << std::hexfloat << x;
  });
  for_boundaries(21, [](float x) {
    ASSERT_TRUE(same_nan_or_bits(ts_cpu::f8e5m2_from_float_fast(x), f8e5m2_from_float(x))) << std::hexfloat << x;
  });
}

TEST(CpuPrelude, F16EncodeMatchesReferenceOnEveryBoundary) {
  for_boundaries(13, [](float x) {
    ASSERT_EQ(ts_cpu::f16_from_float_fast(x), f16_from_float(x)) << std::hexfloat << x;
  });
}

TEST(CpuPrelude, DecodesEveryEncodingExactly) {
  for (std::uint32_t b = 0; b < 256; ++b) {
    const auto byte = static_cast<std::uint8_t>(b);
    const float a = ts_cpu::f8e4m3fn_to_float_fast(byte), r = f8e4m3fn_to_float(byte);
    EXPECT_TRUE((a != a && r != r) || float_bits(a) == float_bits(r)) << b;
    const float c = ts_cpu::f8e5m2_to_float_fast(byte), s = f8e5m2_to_float(byte);
    EXPECT_TRUE((c != c && s != s) || float_bits(c) == float_bits(s)) << b;
  }
  for (std::uint32_t h = 0; h < 65536; ++h) {
    const auto half = static_cast<std::uint16_t>(h);
    const float a = ts_cpu::f16_to_float_fast(half), r = f16_to_float(half);
    ASSERT_TRUE((a != a && r != r) || float_bits(a) == float_bits(r)) << h;
  }
}

TEST(CpuPrelude, MinMaxPropagateNan) {
  const float nan = bits_float(0x7FC00000u);
  EXPECT_TRUE(ts_cpu::maximum(nan, 1.0f) != ts_cpu::maximum(nan, 1.0f));
  EXPECT_TRUE(ts_cpu::maximum(1.0f, nan) != ts_cpu::maximum(1.0f, nan));
  EXPECT_TRUE(ts_cpu::minimum(1.0f, nan) != ts_cpu::minimum(1.0f, nan));
  EXPECT_EQ(ts_cpu::maximum(1.0f, 2.0f), 2.0f);
  EXPECT_EQ(ts_cpu::minimum(1.0f, 2.0f), 1.0f);
}

}  // namespace
