// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The operations of the tile language on traced values (semantics and accuracy in ir/ir.h
/// and ir/ops.h). A C++ number mixed with a value takes the value's dtype (a "weak" literal).
/// Elementwise operands broadcast NumPy-style; operands of one operation share a dtype.

#include <vector>

#include "tessera/lang/tensor_ref.h"
#include "tessera/lang/value.h"

namespace tessera::lang {

// Arithmetic and comparisons (comparisons give bool).
Value operator+(const Value& a, const Value& b);
Value operator-(const Value& a, const Value& b);
Value operator*(const Value& a, const Value& b);
Value operator/(const Value& a, const Value& b);
Value operator-(const Value& a);
Value operator<(const Value& a, const Value& b);
Value operator<=(const Value& a, const Value& b);
Value operator>(const Value& a, const Value& b);
Value operator>=(const Value& a, const Value& b);
Value operator==(const Value& a, const Value& b);
Value operator!=(const Value& a, const Value& b);
#define TS_IMPL_LANG_SCALAR_OPS(op)             \
  Value operator op(const Value& a, double b); \
  Value operator op(double a, const Value& b);
TS_IMPL_LANG_SCALAR_OPS(+)
TS_IMPL_LANG_SCALAR_OPS(-)
TS_IMPL_LANG_SCALAR_OPS(*)
TS_IMPL_LANG_SCALAR_OPS(/)
TS_IMPL_LANG_SCALAR_OPS(<)
TS_IMPL_LANG_SCALAR_OPS(<=)
TS_IMPL_LANG_SCALAR_OPS(>)
TS_IMPL_LANG_SCALAR_OPS(>=)
#undef TS_IMPL_LANG_SCALAR_OPS

/// A rank-0 constant of `dtype`.
Value constant(double v, DType dtype);

// Elementwise math (float operands; neg/abs also integers).
Value abs(const Value& x);
Value exp(const Value& x);
Value exp2(const Value& x);
Value log(const Value& x);
Value log2(const Value& x);
Value sqrt(const Value& x);
Value rsqrt(const Value& x);
Value sigmoid(const Value& x);
Value silu(const Value& x);
/// GELU; `approximate_tanh` selects the tanh form (PyTorch `approximate="tanh"`).
Value gelu(const Value& x, bool approximate_tanh = false);
Value tanh(const Value& x);
Value erf(const Value& x);
Value sin(const Value& x);
Value cos(const Value& x);
Value floor(const Value& x);
Value ceil(const Value& x);
/// Round half to even.
Value round(const Value& x);
Value pow(const Value& x, const Value& y);
Value pow(const Value& x, double y);
/// Elementwise max/min (NaN propagates), PyTorch's `maximum`/`minimum`.
Value maximum(const Value& a, const Value& b);
Value maximum(const Value& a, double b);
Value minimum(const Value& a, const Value& b);
Value minimum(const Value& a, double b);
/// `minimum(maximum(x, lo), hi)`.
Value clamp(const Value& x, double lo, double hi);
/// `cond ? t : f` per lane; cond is bool.
Value where(const Value& cond, const Value& t, const Value& f);
Value where(const Value& cond, const Value& t, double f);
Value where(const Value& cond, double t, const Value& f);

// Reductions along `axis` (negative counts from the end); the result drops the axis.
Value sum(const Value& x, int axis);
Value max(const Value& x, int axis);
Value min(const Value& x, int axis);
Value mean(const Value& x, int axis);
/// max(|x|) along the axis (the quantization absmax).
Value amax(const Value& x, int axis);

/// A tile of zeros / of `value` with one axis per entry of `shape`: a `Tile`, or a `Size`
/// (a whole dimension, the reduction dimension of that extent).
Value zeros(const std::vector<IndexArg>& shape, DType dtype);
Value full(const std::vector<IndexArg>& shape, double value, DType dtype);

/// Matrix product with f32 accumulation: a [M, K] x b [K, N] (+ acc [M, N] f32).
Value dot(const Value& a, const Value& b);
Value dot(const Value& a, const Value& b, const Value& acc);

}  // namespace tessera::lang
