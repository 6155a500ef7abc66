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

/// f16 bits -> f32, exact (NaN payloads kept, quiet).
inline float f16_to_float_fast(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
  if (e == 0) {
    const float v = static_cast<float>(m) * 0x1p-24f;  // subnormal: exact
    return sign ? -v : v;
  }
  const std::uint32_t bits = e == 0x1Fu ? (0x7F800000u | (m << 13) | (m ? 0x00400000u : 0u))
                                        : ((e + 112u) << 23) | (m << 13);
  return bits_float(sign | bits);
}

/// f32 -> f16 bits: round to nearest even, overflow to ±inf, NaN to the canonical quiet NaN.
inline std::uint16_t f16_from_float_fast(float x) {
  const std::uint32_t u = float_bits(x);
  const std::uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<std::uint16_t>(sign | 0x7E00u);
  if (a >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);  // >= 65520: inf
  if (a < 0x38800000u) {  // below 2^-14: subnormal, units of 2^-24 (1024 = the smallest normal)
    return static_cast<std::uint16_t>(sign | static_cast<std::uint32_t>(std::nearbyint(bits_float(a) * 0x1p24f)));
  }
  const std::uint32_t r = a - (112u << 23);
  return static_cast<std::uint16_t>(sign | ((r + 0xFFFu + ((r >> 13) & 1u)) >> 13));
}

/// f8e4m3fn bits -> f32, exact (0x7F/0xFF are NaN; there are no infinities).
inline float f8e4m3fn_to_float_fast(std::uint8_t b) {
  const std::uint32_t sign = static_cast<std::uint32_t>(b & 0x80u) << 24;
  const std::uint32_t e = (b >> 3) & 0xFu, m = b & 7u;
  if ((b & 0x7Fu) == 0x7Fu) return bits_float(sign | 0x7FC00000u);
  if (e == 0) {
    const float v = static_cast<float>(m) * 0x1p-9f;
    return sign ? -v : v;
  }
  return bits_float(sign | ((e + 120u) << 23) | (m << 20));
}

/// f32 -> f8e4m3fn bits: round to nearest even, saturate to ±448 (±inf too), NaN -> 0x7F.
inline std::uint8_t f8e4m3fn_from_float_fast(float x) {
  const std::uint32_t u = float_bits(x);
  const std::uint32_t sign = (u >> 24) & 0x80u, a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<std::uint8_t>(sign | 0x7Fu);
  if (a >= 0x43E00000u) return static_cast<std::uint8_t>(sign | 0x7Eu);  // >= 448 rounds to 448
  if (a < 0x3C800000u) {  // below 2^-6: subnormal, units of 2^-9
    return static_cast<std::uint8_t>(sign | static_cast<std::uint32_t>(std::nearbyint(bits_float(a) * 0x1p9f)));
  }
  const std::uint32_t r = a - (120u << 23);
  return static_cast<std::uint8_t>(sign | ((r + 0x7FFFFu + ((r >> 20) & 1u)) >> 20));
}

/// f8e5m2 bits -> f32, exact (the high byte of an f16).
inline float f8e5m2_to_float_fast(std::uint8_t b) {
  return f16_to_float_fast(static_cast<std::uint16_t>(b << 8));
}

/// f32 -> f8e5m2 bits: round to nearest even, saturate to ±57344 (±inf too), NaN -> 0x7E.
inline std::uint8_t f8e5m2_from_float_fast(float x) {
  const std::uint32_t u = float_bits(x);
  const std::uint32_t sign = (u >> 24) & 0x80u, a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return static_cast<std::uint8_t>(sign | 0x7Eu);
  if (a >= 0x47600000u) return static_cast<std::uint8_t>(sign | 0x7Bu);  // >= 57344
  if (a < 0x38800000u) {  // below 2^-14: subnormal, units of 2^-16
    return static_cast<std::uint8_t>(sign | static_cast<std::uint32_t>(std::nearbyint(bits_float(a) * 0x1p16f)));
  }
  const std::uint32_t r = a - (112u << 23);
  return static_cast<std::uint8_t>(sign | ((r + 0xFFFFFu + ((r >> 21) & 1u)) >> 21));
}

/// Rounds an f32 value to the precision of a storage format (the value a cast gives).
inline float round_bf16(float x) { return bf16_to_float(bf16_from_float(x)); }
inline float round_f16(float x) { return f16_to_float_fast(f16_from_float_fast(x)); }
inline float round_f8e4m3fn(float x) { return f8e4m3fn_to_float_fast(f8e4m3fn_from_float_fast(x)); }
inline float round_f8e5m2(float x) { return f8e5m2_to_float_fast(f8e5m2_from_float_fast(x)); }

/// maximum/minimum that propagate NaN (ir/ops.h), as selects the compiler vectorizes.
template <typename T>
inline T maximum(T a, T b) {
  return (a != a || a > b) ? a : b;
}
template <typename T>
inline T minimum(T a, T b) {
  return (a != a || a < b) ? a : b;
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

}  // namespace ts_cpu
