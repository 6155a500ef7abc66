// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Helpers every generated CPU kernel starts with (embedded into the source at build time,
/// after numeric/float_formats.h): bit-exact, branch-light conversions between f32 and the
/// storage formats that the host compiler can vectorize (the reference versions in
/// float_formats.h go through frexp/ldexp), and NaN-propagating min/max. Each fast conversion
/// is tested against float_formats.h on every rounding boundary (tests/codegen).

#ifndef TS_CPU_GENERATED_SOURCE  // in generated code the header text precedes this one
#include "tessera/numeric/float_formats.h"
#endif

#include <cmath>
#include <cstdint>

namespace ts_cpu {

using namespace tessera::numeric;

// The conversions below are straight-line arithmetic with at most one select (NaN), so that
// g++ -O3 vectorizes a loop that applies them to a tile. (An earlier version with a select per
// range was vectorized in some loops and not in others: g++ merged the range tests and
// narrowed the selected values to mixed widths it then could not vectorize.) Two exact tricks:
// * Rounding |x| to a format's precision is one f32 addition: x + M - M with M = 2^(e + 23 -
//   mantissa_bits), e the exponent of |x| clamped below to the format's smallest normal
//   exponent, rounds x to a multiple of ulp(M), the format's quantum at x, with round to
//   nearest even (the default mode, which generated code never changes).
// * Scaling a value of the format by 2^(-126 - emin), which moves the format's smallest normal
//   number 2^emin onto f32's (2^-126), makes its f32 bit pattern the format's encoding shifted
//   left by 23 - mantissa_bits, subnormals included (exact: f32 subnormals are kept, there is
//   no flush to zero). Decoding is the same multiplication the other way.

/// Encodes |x| (as f32 bits `a`) in a format with `man` mantissa bits, smallest normal number
/// 2^`emin`, values clamped to `max_value` (the largest finite value, or for a non-saturating
/// format the smallest value that rounds to inf), before the sign and the NaN check.
template <int kMan, int kEmin>
inline std::uint32_t encode_magnitude(std::uint32_t a, float max_value) {
  const float c = bits_float(a) < max_value ? bits_float(a) : max_value;  // NaN: max_value (callers add the NaN code)
  const std::uint32_t e = float_bits(c) & 0x7F800000u;
  constexpr std::uint32_t kMinNormal = static_cast<std::uint32_t>(127 + kEmin) << 23;
  const float magic = bits_float((e > kMinNormal ? e : kMinNormal) + (static_cast<std::uint32_t>(23 - kMan) << 23));
  const float rounded = (c + magic) - magic;
  const float scale = bits_float(static_cast<std::uint32_t>(1 - kEmin) << 23);  // 2^(-126 - emin)
  return float_bits(rounded * scale) >> (23 - kMan);
}

/// 1 when `a` (the bits of |x|) is a NaN, else 0: integer arithmetic, no select. The encoders
/// below clamp NaN like a large value (the comparison with the maximum is false) and add this
/// bit times the distance from that saturated code to the NaN code: a per-lane select mixed
/// with the narrowing to 8 bits made g++ juggle mask registers through general registers.
inline std::uint32_t is_nan_bit(std::uint32_t a) { return (0x7F800000u - a) >> 31; }

/// f16 bits -> f32, exact (NaN payloads kept, quiet).
inline float f16_to_float_fast(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16, m = h & 0x7FFFu;
  const std::uint32_t finite = float_bits(bits_float(m << 13) * 0x1p112f);
  const std::uint32_t special = 0x7F800000u | (m << 13) | ((m & 0x3FFu) != 0 ? 0x00400000u : 0u);
  return bits_float(sign | (m >= 0x7C00u ? special : finite));
}

/// f32 -> f16 bits: round to nearest even, overflow to ±inf, NaN to the canonical quiet NaN.
inline std::uint16_t f16_from_float_fast(float x) {
  const std::uint32_t u = float_bits(x);
  // 65520 is the midpoint between the largest f16 (65504) and 2^16: it and everything above
  // round to 2^16, whose encoding is inf's.
  const std::uint32_t a = u & 0x7FFFFFFFu;
  const std::uint32_t bits = encode_magnitude<10, -14>(a, 65520.0f);  // NaN: inf's 0x7C00
  return static_cast<std::uint16_t>(((u >> 16) & 0x8000u) | (bits + 0x200u * is_nan_bit(a)));
}

/// f8e4m3fn bits -> f32, exact (0x7F/0xFF are NaN; there are no infinities).
inline float f8e4m3fn_to_float_fast(std::uint8_t b) {
  const std::uint32_t sign = static_cast<std::uint32_t>(b & 0x80u) << 24, m = b & 0x7Fu;
  const std::uint32_t finite = float_bits(bits_float(m << 20) * 0x1p120f);
  return bits_float(sign | (m == 0x7Fu ? 0x7FC00000u : finite));
}

/// f32 -> f8e4m3fn bits: round to nearest even, saturate to ±448 (±inf too), NaN -> 0x7F.
inline std::uint8_t f8e4m3fn_from_float_fast(float x) {
  const std::uint32_t u = float_bits(x);
  const std::uint32_t a = u & 0x7FFFFFFFu;
  const std::uint32_t bits = encode_magnitude<3, -6>(a, 448.0f);  // NaN: 448's 0x7E
  return static_cast<std::uint8_t>(((u >> 24) & 0x80u) | (bits + is_nan_bit(a)));
}

/// f8e5m2 bits -> f32, exact (the high byte of an f16).
inline float f8e5m2_to_float_fast(std::uint8_t b) {
  return f16_to_float_fast(static_cast<std::uint16_t>(b << 8));
}

/// f32 -> f8e5m2 bits: round to nearest even, saturate to ±57344 (±inf too), NaN -> 0x7E.
inline std::uint8_t f8e5m2_from_float_fast(float x) {
  const std::uint32_t u = float_bits(x);
  const std::uint32_t a = u & 0x7FFFFFFFu;
  const std::uint32_t bits = encode_magnitude<2, -14>(a, 57344.0f);  // NaN: 57344's 0x7B
  return static_cast<std::uint8_t>(((u >> 24) & 0x80u) | (bits + 3u * is_nan_bit(a)));
}

/// Rounds an f32 value to the precision of a storage format (the value a cast gives).
/// (bf16 stays in 32-bit lanes: bf16_from_float's RNE on the high half, the low half
/// cleared; going through the 16-bit encoding costs a narrowing and a widening per vector.)
inline float round_bf16(float x) {
  const std::uint32_t u = float_bits(x);
  const std::uint32_t r = (u + 0x7FFFu + ((u >> 16) & 1u)) & 0xFFFF0000u;
  return bits_float(x != x ? (u | 0x00400000u) & 0xFFFF0000u : r);
}
inline float round_f16(float x) { return f16_to_float_fast(f16_from_float_fast(x)); }
inline float round_f8e4m3fn(float x) { return f8e4m3fn_to_float_fast(f8e4m3fn_from_float_fast(x)); }
inline float round_f8e5m2(float x) { return f8e5m2_to_float_fast(f8e5m2_from_float_fast(x)); }

/// maximum/minimum that propagate NaN (ir/ops.h), as three plain selects the compiler
/// vectorizes. The one-select form `(a != a || a > b) ? a : b` kept g++ 12 from vectorizing
/// loops that also narrow to 8 bits: per_token_group_fp8_quant's clamp-then-fp8 store loop was
/// scalar ("unsupported data-type float"), this form is vectorized (64-byte vectors).
template <typename T>
inline T maximum(T a, T b) {
  T r = a > b ? a : b;
  r = b != b ? b : r;
  return a != a ? a : r;
}
template <typename T>
inline T minimum(T a, T b) {
  T r = a < b ? a : b;
  r = b != b ? b : r;
  return a != a ? a : r;
}

/// The composite activations of ir/ops.h, evaluated in T (float or double).
template <typename T>
inline T rsqrt(T x) {
  return T(1) / std::sqrt(x);
}
template <typename T>
inline T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}
template <typename T>
inline T silu(T x) {
  return x / (T(1) + std::exp(-x));
}
template <typename T>
inline T gelu_erf(T x) {
  return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
}
template <typename T>
inline T gelu_tanh(T x) {
  return T(0.5) * x * (T(1) + std::tanh(T(0.79788456080286535588) * (x + T(0.044715) * x * x * x)));
}

// ---- MathMode::fast (ir/ops.h error_bound) ---------------------------------------------------
// Branch-free f32 forms that g++ vectorizes (glibc's expf is a scalar call without
// -ffast-math). Accuracy, measured over all 2^32 f32 inputs against float64 (2026-11-22;
// tests/codegen/cpu_prelude_test.cpp checks a sample): exp_fast 1.02 ulp, exp2_fast 1.02 ulp,
// sigmoid_fast 2.4 ulp, silu_fast 52 ulp at worst, that one at subnormal results near
// x = -104 where the bound allows 130; all within the fast bounds of ops.h (exp 2 + 1.2·|x|,
// exp2 2, sigmoid 4 + 1.2·|x|, silu 5 + 1.2·|x|). Subnormal results are produced (no flush
// to zero), NaN propagates, ±inf give 0 / inf.

/// Adding it to a float v with |v| < 2^22 rounds v to an integer (RNE) held in the low
/// mantissa bits: float_bits(v + kRoundToInt) - float_bits(kRoundToInt) is that integer.
inline constexpr float kRoundToInt = 0x1.8p23f;

/// 2^n · p for n = float_bits(t) - float_bits(kRoundToInt) in [-150, 128] and p in [0.5, 2]:
/// the scale is applied as two normal powers of two, so an overflow still gives inf and a
/// subnormal result is rounded once. (Reading n from t's bits instead of converting the float
/// is one integer subtraction, and defined for any t, NaN included.)
inline float scale_by_pow2(float p, float t) {
  const std::int32_t n = static_cast<std::int32_t>(float_bits(t) - float_bits(kRoundToInt));
  const std::int32_t n1 = n >> 1, n2 = n - n1;  // both in [-75, 64]
  const float s1 = bits_float(static_cast<std::uint32_t>(n1 + 127) << 23);
  const float s2 = bits_float(static_cast<std::uint32_t>(n2 + 127) << 23);
  return p * s1 * s2;
}

/// e^r for |r| <= ln2/2 (Cephes expf minimax coefficients, evaluated with fma).
inline float exp_reduced(float r) {
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  return std::fma(p, r * r, r) + 1.0f;
}

/// e^x: x = n·ln2 + r with n integral (Cody-Waite reduction with fma), e^r by a polynomial.
inline float exp_fast(float x) {
  // Clamped, e^x is 0 below -104 and inf above 89, and n stays in scale_by_pow2's range.
  // Written as max(-104, x) / min(89, x) in the operand order of the x86 instructions, which
  // return the second operand when one is NaN: NaN goes through and the result is NaN.
  float xc = -104.0f > x ? -104.0f : x;
  xc = 89.0f < xc ? 89.0f : xc;
  const float t = std::fma(xc, 0x1.715476p+0f, kRoundToInt);  // n = round(x / ln2) in its bits
  const float n = t - kRoundToInt;
  float r = std::fma(n, -0x1.62e4p-1f, xc);  // ln2 split in two (SLEEF's L2Uf, L2Lf)
  r = std::fma(n, -1.428606765330187045e-06f, r);
  return scale_by_pow2(exp_reduced(r), t);
}

/// 2^x: x = n + f with n integral and |f| <= 1/2 exactly, 2^f = e^(f·ln2).
inline float exp2_fast(float x) {
  // Clamped to [-150.5, 128.5] (NaN goes through, as in exp_fast): the ends give 0 (2^-150.5
  // rounds to 0) and inf (2^128.5).
  float xc = -150.5f > x ? -150.5f : x;
  xc = 128.5f < xc ? 128.5f : xc;
  const float t = xc + kRoundToInt;  // n in [-150, 128] in its bits
  const float n = t - kRoundToInt;
  return scale_by_pow2(exp_reduced((xc - n) * 0x1.62e430p-1f), t);  // xc - n exact
}

/// exp_fast(x) for x <= 0 (or NaN), bit for bit, with fewer instructions: one clamp instead of
/// two, and n in [-150, 0] lets 2^n be applied as 2^(n + 64) (a normal number, so p · 2^(n+64)
/// is exact) times 2^-64 (the one rounding, as in scale_by_pow2). Checked equal to exp_fast
/// on every non-positive f32 (2026-11-22; tests/codegen samples it).
inline float exp_nonpositive_fast(float x) {
  const float xc = x < -104.0f ? -104.0f : x;  // NaN goes through
  const float t = std::fma(xc, 0x1.715476p+0f, kRoundToInt);
  const float n = t - kRoundToInt;
  float r = std::fma(n, -0x1.62e4p-1f, xc);
  r = std::fma(n, -1.428606765330187045e-06f, r);
  const float s = bits_float((float_bits(t) - float_bits(kRoundToInt) + 64u + 127u) << 23);  // 2^(n + 64)
  return exp_reduced(r) * s * 0x1p-64f;
}

/// 1 / (1 + e^-x), from e = e^-|x| (which cannot overflow): 1/(1+e) for x >= 0, e/(1+e) below,
/// so very negative x keeps its tiny (possibly subnormal) result instead of 0.
inline float sigmoid_fast(float x) {
  const float e = exp_nonpositive_fast(-std::abs(x));
  return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
}

/// x · sigmoid(x).
inline float silu_fast(float x) { return x * sigmoid_fast(x); }

}  // namespace ts_cpu
