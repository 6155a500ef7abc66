// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Exact scalar conversions between double/float and the storage formats bf16, f16, f8e4m3fn,
/// f8e5m2 and the integer types, with the cast rules of ir/ir.h:
///  * to bf16/f16: round to nearest even (RNE); overflow gives ±inf; NaN stays NaN (quiet,
///    sign kept);
///  * to f8e4m3fn/f8e5m2: RNE, then saturate to the finite range (±448, ±57344; ±inf too);
///    NaN gives the canonical NaN (0x7F / 0x7E, sign kept);
///  * to an integer: round half to even, clamp to the range, NaN gives 0.
/// Conversions from double round once (no double rounding), so f32 -> fp8 and f64 -> fp8 both
/// give the correctly rounded result.
///
/// This header is self-contained C++17 with only <cmath>, <cstdint> and <cstring>, so the CPU
/// code generator can embed its text verbatim into generated sources. Tested against tables
/// computed independently in Python (tests/unit/numeric/gen_float_format_tables.py).

#include <cmath>
#include <cstdint>
#include <cstring>

namespace tessera::numeric {

/// Parameters of a binary floating-point storage format with 1 sign bit.
struct FloatFormat {
  int exp_bits;      ///< width of the exponent field
  int man_bits;      ///< width of the stored mantissa field
  int bias;          ///< exponent bias
  bool ieee_specials;  ///< all-ones exponent = inf/NaN (f16, bf16, e5m2); else only S.1111.111 is NaN (e4m3fn)
  bool saturate;     ///< overflow and inf saturate to the largest finite value (fp8)
  std::uint32_t max_bits;  ///< encoding of the largest finite value
  std::uint32_t nan_bits;  ///< canonical quiet NaN (positive)
};

inline constexpr FloatFormat kBF16Format{8, 7, 127, true, false, 0x7F7Fu, 0x7FC0u};
inline constexpr FloatFormat kF16Format{5, 10, 15, true, false, 0x7BFFu, 0x7E00u};
inline constexpr FloatFormat kF8E4M3FNFormat{4, 3, 7, false, true, 0x7Eu, 0x7Fu};
inline constexpr FloatFormat kF8E5M2Format{5, 2, 15, true, true, 0x7Bu, 0x7Eu};

/// Round half to even of a double (exact for every double; independent of the FP env).
inline double round_half_even(double x) {
  double fl = std::floor(x);
  double d = x - fl;
  if (d > 0.5 || (d == 0.5 && std::fmod(fl, 2.0) != 0.0)) fl += 1.0;
  return fl;
}

/// Decodes `bits` of format `f` to the exact double value.
inline double decode_float(std::uint32_t bits, const FloatFormat& f) {
  const std::uint32_t exp_all = (1u << f.exp_bits) - 1u;
  const std::uint32_t man_all = (1u << f.man_bits) - 1u;
  const bool neg = ((bits >> (f.exp_bits + f.man_bits)) & 1u) != 0;
  const std::uint32_t e = (bits >> f.man_bits) & exp_all;
  const std::uint32_t m = bits & man_all;
  double v;
  if (f.ieee_specials && e == exp_all) {
    v = m == 0 ? HUGE_VAL : NAN;
  } else if (!f.ieee_specials && e == exp_all && m == man_all) {
    v = NAN;
  } else if (e == 0) {
    v = std::ldexp(static_cast<double>(m), 1 - f.bias - f.man_bits);
  } else {
    v = std::ldexp(static_cast<double>(m + (1u << f.man_bits)),
                   static_cast<int>(e) - f.bias - f.man_bits);
  }
  return neg ? -v : v;
}

/// Encodes `x` in format `f` with round to nearest even (and saturation if `f.saturate`).
inline std::uint32_t encode_float(double x, const FloatFormat& f) {
  const std::uint32_t sign = std::signbit(x) ? 1u << (f.exp_bits + f.man_bits) : 0u;
  if (std::isnan(x)) return sign | f.nan_bits;
  const std::uint32_t inf_bits = ((1u << f.exp_bits) - 1u) << f.man_bits;
  const double a = std::fabs(x);
  if (a == 0.0) return sign;
  if (std::isinf(a)) return sign | (f.saturate ? f.max_bits : inf_bits);
  const int emin = 1 - f.bias;  // exponent of the smallest normal number
  int e2 = 0;
  std::frexp(a, &e2);  // a = frac * 2^e2, frac in [0.5, 1)
  const int e = (e2 - 1 < emin ? emin : e2 - 1);
  const int quantum = e - f.man_bits;  // spacing of representable numbers near a is 2^quantum
  const double r = round_half_even(std::ldexp(a, -quantum));
  const double v = std::ldexp(r, quantum);
  const double max_finite = decode_float(f.max_bits, f);
  if (v > max_finite) return sign | (f.saturate ? f.max_bits : inf_bits);
  if (r == 0.0) return sign;
  std::frexp(v, &e2);
  if (e2 - 1 < emin) return sign | static_cast<std::uint32_t>(r);  // subnormal: r = mantissa
  const int ev = e2 - 1;
  const auto man = static_cast<std::uint32_t>(std::ldexp(v, f.man_bits - ev)) - (1u << f.man_bits);
  return sign | (static_cast<std::uint32_t>(ev + f.bias) << f.man_bits) | man;
}

/// float <-> bits of a float (memcpy: no aliasing UB).
inline std::uint32_t float_bits(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
inline float bits_float(std::uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

/// bf16 from f32: the classic RNE bit trick (one add), NaN kept quiet.
inline std::uint16_t bf16_from_float(float x) {
  const std::uint32_t u = float_bits(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);
  return static_cast<std::uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}
inline std::uint16_t bf16_from_double(double x) {
  return static_cast<std::uint16_t>(encode_float(x, kBF16Format));
}
inline float bf16_to_float(std::uint16_t b) { return bits_float(static_cast<std::uint32_t>(b) << 16); }

inline std::uint16_t f16_from_double(double x) {
  return static_cast<std::uint16_t>(encode_float(x, kF16Format));
}
inline std::uint16_t f16_from_float(float x) { return f16_from_double(x); }
inline float f16_to_float(std::uint16_t b) { return static_cast<float>(decode_float(b, kF16Format)); }

inline std::uint8_t f8e4m3fn_from_double(double x) {
  return static_cast<std::uint8_t>(encode_float(x, kF8E4M3FNFormat));
}
inline std::uint8_t f8e4m3fn_from_float(float x) { return f8e4m3fn_from_double(x); }
inline float f8e4m3fn_to_float(std::uint8_t b) {
  return static_cast<float>(decode_float(b, kF8E4M3FNFormat));
}

inline std::uint8_t f8e5m2_from_double(double x) {
  return static_cast<std::uint8_t>(encode_float(x, kF8E5M2Format));
}
inline std::uint8_t f8e5m2_from_float(float x) { return f8e5m2_from_double(x); }
inline float f8e5m2_to_float(std::uint8_t b) {
  return static_cast<float>(decode_float(b, kF8E5M2Format));
}

/// Float -> integer per ir.h: round half to even, clamp to [lo, hi], NaN gives 0.
inline std::int64_t int_from_double(double x, std::int64_t lo, std::int64_t hi) {
  if (std::isnan(x)) return 0;
  const double r = round_half_even(x);
  if (r <= static_cast<double>(lo)) return lo;
  if (r >= static_cast<double>(hi)) return hi;
  return static_cast<std::int64_t>(r);
}

}  // namespace tessera::numeric
