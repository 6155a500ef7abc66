// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Private to the CPU code generator: how values, conversions and operators are spelled in the
/// emitted C++. Values of f16, bf16 and fp8 are held exactly in `float` (ir.h: their arithmetic
/// is evaluated in f32 and rounded back), integers narrower than 32 bits in `int32_t`, bool in
/// `bool`. Every function returns a C++ expression; operands are expressions too.

#include <functional>
#include <string>

#include "tessera/dtype.h"
#include "tessera/ir/ops.h"

namespace tessera::backend::cpu {

/// `s` with every character outside [A-Za-z0-9] replaced by '_' (a C identifier fragment).
std::string ident(const std::string& s);
/// The register type of a value of `t` ("float" for f16/bf16/fp8).
std::string value_type(DType t);
/// The element type of a tensor of `t` in memory ("std::uint16_t" for bf16).
std::string storage_type(DType t);
/// A stored element `raw` as a value (exact).
std::string from_storage(DType t, const std::string& raw);
/// A value `v` (already representable in `t`) as a stored element (exact).
std::string to_storage(DType t, const std::string& v);
/// Rounds an f32-held value to `t`'s precision (bf16, f16, fp8); identity for other types.
std::string round_to(DType t, const std::string& v);
/// A literal of a float dtype (hex float, so exact; NaN and infinities spelled as builtins).
std::string float_literal(DType t, double v);
/// An int64 literal.
std::string int_literal(std::int64_t v);
/// The cast of ir.h from `from` to `to` applied to `x`.
std::string cast_value(DType from, DType to, const std::string& x);
/// A unary operator on `x` of dtype `t`, rounded to `t`. In `MathMode::fast`, exp, exp2,
/// sigmoid and silu on f32-held values use the vectorizable forms of codegen_prelude.h (within
/// ops.h's fast bounds); `MathMode::exact` and f64 keep the libm forms.
std::string unary(ir::UnaryOp op, DType t, const std::string& x, ir::MathMode mode);
/// A binary operator on operands of dtype `t`, rounded to `t` (comparisons give bool).
std::string binary(ir::BinaryOp op, DType t, const std::string& a, const std::string& b);

/// Accumulator type, neutral element and combine step of a reduction.
struct ReduceForm {
  std::string acc_type;  ///< value type of the input
  std::string init;      ///< the neutral element
  /// `combine(acc, x)`: the accumulator after adding element `x`.
  std::function<std::string(const std::string&, const std::string&)> combine;
  /// `merge(acc, p)`: the accumulator after adding partial result `p` (amax: no abs again).
  std::function<std::string(const std::string&, const std::string&)> merge;
};
/// The form of reduction `op` over values of dtype `t`.
ReduceForm reduce_form(ir::ReduceOp op, DType t);

}  // namespace tessera::backend::cpu
