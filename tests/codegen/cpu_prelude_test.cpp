// SPDX-License-Identifier: Apache-2.0
// The generated kernels' fast conversions agree bit for bit with numeric/float_formats.h on
// every rounding boundary of every exponent (and all 256 fp8 / 65536 f16 encodings decode).
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <functional>

#include "cpu/codegen_prelude.h"
#include "tessera/ir/ops.h"

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

TEST(CpuPrelude, RoundingMatchesEncodeDecodeOnEveryBoundary) {
  for_boundaries(16, [](float x) {
    ASSERT_EQ(float_bits(ts_cpu::round_bf16(x)), float_bits(bf16_to_float(bf16_from_float(x)))) << std::hexfloat << x;
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
  EXPECT_TRUE(ts_cpu::minimum(nan, 1.0f) != ts_cpu::minimum(nan, 1.0f));
  EXPECT_EQ(ts_cpu::maximum(-INFINITY, -1.0f), -1.0f);
  EXPECT_EQ(ts_cpu::minimum(INFINITY, 1.0f), 1.0f);
  EXPECT_EQ(ts_cpu::maximum(3, -4), 3);  // integers: the NaN selects fold away
  EXPECT_EQ(ts_cpu::minimum(3, -4), -4);
  EXPECT_EQ(ts_cpu::maximum(1.0f, 2.0f), 2.0f);
  EXPECT_EQ(ts_cpu::minimum(1.0f, 2.0f), 1.0f);
}

/// ulp(y) as ops.h defines it: the spacing of f32 numbers at |y| (2^-149 below the normal range).
double f32_ulp(double y) {
  y = std::min(std::fabs(y), double(FLT_MAX));
  if (y < 0x1p-126) return 0x1p-149;
  int e = 0;
  std::frexp(y, &e);
  return std::ldexp(1.0, e - 24);
}

/// Checks `fast` against the float64 `exact` on every 997th f32 bit pattern (4.3 M inputs, every
/// exponent) within ops.h's fast-mode bound of `op`; the whole 2^32 was checked once
/// (codegen_prelude.h records the worst errors).
void expect_within_fast_bound(tessera::ir::UnaryOp op, float (*fast)(float), double (*exact)(double)) {
  const tessera::ir::ErrorBound b = tessera::ir::error_bound(op, tessera::ir::MathMode::fast);
  long failures = 0;
  for (std::uint64_t u = 0; u < (std::uint64_t(1) << 32); u += 997) {
    const float x = bits_float(static_cast<std::uint32_t>(u));
    const float got = fast(x);
    const double want = exact(x);
    if (std::isnan(want)) {
      if (!std::isnan(got) && ++failures < 5) ADD_FAILURE() << std::hexfloat << "x=" << x << " got " << got;
      continue;
    }
    if (static_cast<float>(want) == got) continue;  // includes overflow to inf
    const double err = std::fabs(got - want) / f32_ulp(want);
    if (!(err <= b.ulps + b.ulps_per_abs_x * std::fabs(x) + b.abs / f32_ulp(want)) && ++failures < 5)
      ADD_FAILURE() << std::hexfloat << "x=" << x << " got " << got << " want " << want << std::defaultfloat
                    << " (" << err << " ulp)";
  }
  EXPECT_EQ(failures, 0);
}

TEST(CpuPrelude, FastMathWithinTheIrBounds) {
  using tessera::ir::UnaryOp;
  expect_within_fast_bound(UnaryOp::exp, ts_cpu::exp_fast, [](double x) { return std::exp(x); });
  expect_within_fast_bound(UnaryOp::exp2, ts_cpu::exp2_fast, [](double x) { return std::exp2(x); });
  expect_within_fast_bound(UnaryOp::sigmoid, ts_cpu::sigmoid_fast, [](double x) { return 1 / (1 + std::exp(-x)); });
  expect_within_fast_bound(UnaryOp::silu, ts_cpu::silu_fast, [](double x) { return x / (1 + std::exp(-x)); });
}

TEST(CpuPrelude, ExpOfNonPositiveEqualsExpFastBitForBit) {
  // sigmoid/silu use the shorter form on -|x|: every 61st non-positive f32 (35 M inputs, every
  // exponent, subnormal results included), -0, -inf and NaN give exp_fast's bits.
  long differ = 0;
  auto check = [&](float x) {
    const float a = ts_cpu::exp_nonpositive_fast(x), b = ts_cpu::exp_fast(x);
    if (std::isnan(a) && std::isnan(b)) return;
    if (float_bits(a) != float_bits(b) && ++differ < 5) ADD_FAILURE() << std::hexfloat << "x=" << x << ": " << a << " vs " << b;
  };
  for (std::uint64_t u = 0x80000000u; u <= 0xFFFFFFFFu; u += 61) check(bits_float(static_cast<std::uint32_t>(u)));
  for (float x : {0.0f, -0.0f, -HUGE_VALF, -104.0f, -103.9f, -87.4f, -0x1p-149f, bits_float(0xFFC00001u)}) check(x);
  EXPECT_EQ(differ, 0);
}

TEST(CpuPrelude, FastMathSpecialValues) {
  const float inf = HUGE_VALF, nan = bits_float(0x7FC00000u);
  EXPECT_EQ(ts_cpu::exp_fast(-inf), 0.0f);
  EXPECT_EQ(ts_cpu::exp_fast(inf), inf);
  EXPECT_EQ(ts_cpu::exp_fast(0.0f), 1.0f);
  EXPECT_EQ(ts_cpu::exp2_fast(-inf), 0.0f);
  EXPECT_EQ(ts_cpu::exp2_fast(inf), inf);
  EXPECT_EQ(ts_cpu::exp2_fast(-149.0f), 0x1p-149f);  // the smallest subnormal, exactly
  EXPECT_EQ(ts_cpu::exp2_fast(127.0f), 0x1p127f);
  EXPECT_EQ(ts_cpu::sigmoid_fast(-inf), 0.0f);
  EXPECT_EQ(ts_cpu::sigmoid_fast(inf), 1.0f);
  EXPECT_EQ(ts_cpu::silu_fast(inf), inf);
  EXPECT_TRUE(std::isnan(ts_cpu::exp_fast(nan)) && std::isnan(ts_cpu::exp2_fast(nan)) &&
              std::isnan(ts_cpu::sigmoid_fast(nan)) && std::isnan(ts_cpu::silu_fast(nan)));
}

}  // namespace
