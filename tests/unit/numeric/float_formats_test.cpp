// SPDX-License-Identifier: Apache-2.0
// Float-format conversions against tables computed independently in Python from the format
// definitions (gen_float_format_tables.py), plus exhaustive round trips.
#include "tessera/numeric/float_formats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>

namespace tessera::numeric {
namespace {

struct EncodeCase {
  const char* input;
  unsigned expected;
};
#include "float_format_tables.inc"

double parse(const std::string& s) {
  if (s == "nan") return NAN;
  if (s == "-nan") return -NAN;
  if (s == "inf") return HUGE_VAL;
  if (s == "-inf") return -HUGE_VAL;
  return std::strtod(s.c_str(), nullptr);
}

void check_decode_table(const char* const* table, const FloatFormat& f, const char* name) {
  for (unsigned bits = 0; bits < 256; ++bits) {
    const double want = parse(table[bits]);
    const double got = decode_float(bits, f);
    SCOPED_TRACE(std::string(name) + " code " + std::to_string(bits));
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got));
    } else if (std::isinf(want)) {
      EXPECT_EQ(got, want);
      EXPECT_EQ(encode_float(got, f), f.max_bits | (bits & 0x80u));  // fp8 casts saturate inf
    } else {
      EXPECT_EQ(got, want);
      EXPECT_EQ(std::signbit(got), std::signbit(want));
      // Every finite code encodes back to itself (saturation never changes finite values).
      EXPECT_EQ(encode_float(got, f), bits);
    }
  }
}

TEST(FloatFormats, DecodeAll256F8E4M3FN) { check_decode_table(kF8E4M3FNValues, kF8E4M3FNFormat, "e4m3fn"); }
TEST(FloatFormats, DecodeAll256F8E5M2) { check_decode_table(kF8E5M2Values, kF8E5M2Format, "e5m2"); }

void check_cases(const EncodeCase* cases, std::size_t n, const FloatFormat& f, const char* name) {
  ASSERT_GT(n, 100u) << name;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = parse(cases[i].input);
    EXPECT_EQ(encode_float(x, f), cases[i].expected) << name << " input " << cases[i].input;
  }
}

TEST(FloatFormats, RoundingBF16) {
  check_cases(kBF16Cases, std::size(kBF16Cases), kBF16Format, "bf16");
  // The f32 fast path agrees wherever the input is an f32.
  for (const auto& c : kBF16Cases) {
    const double x = parse(c.input);
    if (static_cast<double>(static_cast<float>(x)) == x || std::isnan(x)) {
      EXPECT_EQ(bf16_from_float(static_cast<float>(x)), c.expected) << c.input;
    }
  }
}
TEST(FloatFormats, RoundingF16) { check_cases(kF16Cases, std::size(kF16Cases), kF16Format, "f16"); }
TEST(FloatFormats, RoundingF8E4M3FN) {
  check_cases(kF8E4M3FNCases, std::size(kF8E4M3FNCases), kF8E4M3FNFormat, "e4m3fn");
}
TEST(FloatFormats, RoundingF8E5M2) { check_cases(kF8E5M2Cases, std::size(kF8E5M2Cases), kF8E5M2Format, "e5m2"); }

TEST(FloatFormats, SaturationAndNaN) {
  EXPECT_EQ(f8e4m3fn_from_float(448.0f), 0x7E);
  EXPECT_EQ(f8e4m3fn_from_float(1e9f), 0x7E);
  EXPECT_EQ(f8e4m3fn_from_float(-HUGE_VALF), 0xFE);
  EXPECT_EQ(f8e4m3fn_from_float(NAN) & 0x7F, 0x7F);
  EXPECT_EQ(f8e5m2_from_float(HUGE_VALF), 0x7B);
  EXPECT_EQ(f16_from_float(65520.0f), 0x7C00);  // halfway above max rounds to inf (IEEE)
  EXPECT_EQ(f16_from_float(65519.0f), 0x7BFF);
  EXPECT_EQ(bf16_from_float(NAN) & 0x7FC0, 0x7FC0);
  EXPECT_EQ(int_from_double(2.5, -128, 127), 2);
  EXPECT_EQ(int_from_double(3.5, -128, 127), 4);
  EXPECT_EQ(int_from_double(-300.0, -128, 127), -128);
  EXPECT_EQ(int_from_double(NAN, -128, 127), 0);
}

TEST(FloatFormats, ExhaustiveHalfRoundTrips) {
  for (unsigned bits = 0; bits < 65536; ++bits) {
    const double v16 = decode_float(bits, kF16Format);
    const double vb = decode_float(bits, kBF16Format);
    if (!std::isnan(v16)) {
      ASSERT_EQ(encode_float(v16, kF16Format), bits) << bits;
    }
    if (!std::isnan(vb)) {
      ASSERT_EQ(encode_float(vb, kBF16Format), bits) << bits;
      ASSERT_EQ(bf16_from_float(static_cast<float>(vb)), bits) << bits;
      ASSERT_EQ(bf16_to_float(static_cast<std::uint16_t>(bits)), static_cast<float>(vb));
    }
  }
}

}  // namespace
}  // namespace tessera::numeric
