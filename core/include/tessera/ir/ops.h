// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The operation tables of the IR: unary, binary and reduction operators, each one line of an
/// X-macro list that generates the enum, the names and the properties, plus the accuracy
/// contract (`error_bound`) every backend must meet and every test tolerance is derived from.
///
/// Accuracy is stated for f32 results against the exact (infinitely precise) value of the
/// operation applied to the f32 inputs: |computed - exact| <= (ulps + ulps_per_abs_x·|x|) ·
/// ulp(exact) + abs, where ulp(y) is the spacing of f32 numbers at |y| (2^-149 below the normal
/// range) and x is the first operand. f16/bf16 results add half an ulp of their own format (the
/// final rounding). f64 results of the approximate operations follow the same table in ulps of
/// f64. Exact operations (0 ulps) are bit-exact on every backend.
///
/// Why a fast mode exists (DESIGN.md, "Math modes"): an IEEE-exact f32 division keeps a
/// memory-bound kernel such as silu_mul_fp8 at half the copy bandwidth on an H200, while the
/// approximate division (`__fdividef`, 2 ulp) runs it at the copy bandwidth. The fast forms are
/// the default; `MathMode::exact` is available per kernel.

#include <optional>
#include <string_view>

namespace tessera::ir {

/// Accuracy of the approximate operations (see the file comment).
enum class MathMode : unsigned char {
  fast,   ///< default: fast division/exp/exp2/rsqrt/sigmoid/silu within the stated bounds
  exact,  ///< correctly rounded division and sqrt; libm-accuracy transcendental functions
};

/// "fast" / "exact".
std::string_view math_mode_name(MathMode m);
/// Parses "fast" / "exact".
std::optional<MathMode> parse_math_mode(std::string_view s);

// X(enumerator, name, float_only): float_only ops reject integer operands at definition time.
// Formulas: sigmoid(x) = 1/(1+exp(-x)); silu(x) = x·sigmoid(x); gelu_erf(x) =
// x/2·(1+erf(x/√2)); gelu_tanh(x) = x/2·(1+tanh(√(2/π)·(x+0.044715·x³))); round = to nearest
// even; rsqrt(x) = 1/√x. neg and abs also accept integers.
#define TS_FOR_EACH_UNARY_OP(X)       \
  X(neg, "neg", false)                \
  X(abs, "abs", false)                \
  X(exp, "exp", true)                 \
  X(exp2, "exp2", true)               \
  X(log, "log", true)                 \
  X(log2, "log2", true)               \
  X(sqrt, "sqrt", true)               \
  X(rsqrt, "rsqrt", true)             \
  X(sigmoid, "sigmoid", true)         \
  X(silu, "silu", true)               \
  X(gelu_erf, "gelu_erf", true)       \
  X(gelu_tanh, "gelu_tanh", true)     \
  X(tanh, "tanh", true)               \
  X(erf, "erf", true)                 \
  X(sin, "sin", true)                 \
  X(cos, "cos", true)                 \
  X(floor, "floor", true)             \
  X(ceil, "ceil", true)               \
  X(round, "round", true)

// X(enumerator, name, float_only, is_comparison). Comparisons give bool with the operands'
// axes broadcast; the others give the operands' dtype. pow is float only; div on integers
// truncates toward zero. maximum/minimum propagate NaN.
#define TS_FOR_EACH_BINARY_OP(X)          \
  X(add, "add", false, false)             \
  X(sub, "sub", false, false)             \
  X(mul, "mul", false, false)             \
  X(div, "div", false, false)             \
  X(maximum, "maximum", false, false)     \
  X(minimum, "minimum", false, false)     \
  X(pow, "pow", true, false)              \
  X(eq, "eq", false, true)                \
  X(ne, "ne", false, true)                \
  X(lt, "lt", false, true)                \
  X(le, "le", false, true)                \
  X(gt, "gt", false, true)                \
  X(ge, "ge", false, true)

// X(enumerator, name). sum and mean accumulate f16/bf16 in f32; amax = max(|x|).
#define TS_FOR_EACH_REDUCE_OP(X) \
  X(sum, "sum")                  \
  X(max, "max")                  \
  X(min, "min")                  \
  X(mean, "mean")                \
  X(amax, "amax")

/// Elementwise one-operand operators.
enum class UnaryOp : unsigned char {
#define TS_IMPL_UNARY_ENUM(e, name, float_only) e,
  TS_FOR_EACH_UNARY_OP(TS_IMPL_UNARY_ENUM)
#undef TS_IMPL_UNARY_ENUM
};

/// Elementwise two-operand operators.
enum class BinaryOp : unsigned char {
#define TS_IMPL_BINARY_ENUM(e, name, float_only, is_cmp) e,
  TS_FOR_EACH_BINARY_OP(TS_IMPL_BINARY_ENUM)
#undef TS_IMPL_BINARY_ENUM
};

/// Reductions along one axis.
enum class ReduceOp : unsigned char {
#define TS_IMPL_REDUCE_ENUM(e, name) e,
  TS_FOR_EACH_REDUCE_OP(TS_IMPL_REDUCE_ENUM)
#undef TS_IMPL_REDUCE_ENUM
};

/// Printed name of an operator ("exp", "maximum", "amax").
std::string_view op_name(UnaryOp op);
std::string_view op_name(BinaryOp op);
std::string_view op_name(ReduceOp op);

/// Parse a printed operator name.
std::optional<UnaryOp> parse_unary_op(std::string_view name);
std::optional<BinaryOp> parse_binary_op(std::string_view name);
std::optional<ReduceOp> parse_reduce_op(std::string_view name);

/// True when the operator rejects integer operands.
bool is_float_only(UnaryOp op);
bool is_float_only(BinaryOp op);
/// True for eq, ne, lt, le, gt, ge.
bool is_comparison(BinaryOp op);

/// The accuracy contract of one operation (file comment): |err| <= (ulps + ulps_per_abs_x·|x|)
/// · ulp(exact) + abs.
struct ErrorBound {
  double ulps = 0;            ///< constant part, in ulps of the result
  double ulps_per_abs_x = 0;  ///< growth with |x| (fast exp: argument reduction error)
  double abs = 0;             ///< absolute part (functions with cancellation: gelu near -inf)
  /// True when the operation is exact (bit-identical on every backend).
  bool exact() const { return ulps == 0 && ulps_per_abs_x == 0 && abs == 0; }
};

/// Accuracy of `op` in `mode`, for f32 results. Correct rounding counts as 0.5 ulp.
///
/// | op                         | fast                    | exact       |
/// |----------------------------|-------------------------|-------------|
/// | neg abs floor ceil round   | 0                       | 0           |
/// | sqrt                       | 0.5                     | 0.5         |
/// | rsqrt                      | 2                       | 2           |
/// | exp                        | 2 + 1.2·|x|             | 2           |
/// | exp2                       | 2                       | 2           |
/// | log log2                   | 1 (+2^-21 abs)          | 1           |
/// | sigmoid                    | 4 + 1.2·|x|             | 3           |
/// | silu                       | 5 + 1.2·|x|             | 4           |
/// | tanh erf sin cos           | 2 (+2^-22 abs)          | 2 (+2^-22)  |
/// | gelu_erf gelu_tanh         | 4 (+2^-22 abs)          | 4 (+2^-22)  |
ErrorBound error_bound(UnaryOp op, MathMode mode);

/// Accuracy of a binary operator: add/sub/mul 0.5; div 2 (fast, divisor magnitude in
/// [2^-126, 2^126]) or 0.5 (exact); pow 4 (+ what exp/log add in fast mode: 2 + 1.2·|y·log2 x|,
/// reported here as ulps 8); maximum/minimum and comparisons exact.
ErrorBound error_bound(BinaryOp op, MathMode mode);

}  // namespace tessera::ir
