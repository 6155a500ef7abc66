// SPDX-License-Identifier: Apache-2.0
#include "tessera/ir/ops.h"

namespace tessera::ir {

std::string_view math_mode_name(MathMode m) { return m == MathMode::fast ? "fast" : "exact"; }

std::optional<MathMode> parse_math_mode(std::string_view s) {
  if (s == "fast") return MathMode::fast;
  if (s == "exact") return MathMode::exact;
  return std::nullopt;
}

std::string_view op_name(UnaryOp op) {
  switch (op) {
#define TS_IMPL_CASE(e, name, float_only) case UnaryOp::e: return name;
    TS_FOR_EACH_UNARY_OP(TS_IMPL_CASE)
#undef TS_IMPL_CASE
  }
  return "?";
}

std::string_view op_name(BinaryOp op) {
  switch (op) {
#define TS_IMPL_CASE(e, name, float_only, is_cmp) case BinaryOp::e: return name;
    TS_FOR_EACH_BINARY_OP(TS_IMPL_CASE)
#undef TS_IMPL_CASE
  }
  return "?";
}

std::string_view op_name(ReduceOp op) {
  switch (op) {
#define TS_IMPL_CASE(e, name) case ReduceOp::e: return name;
    TS_FOR_EACH_REDUCE_OP(TS_IMPL_CASE)
#undef TS_IMPL_CASE
  }
  return "?";
}

std::optional<UnaryOp> parse_unary_op(std::string_view n) {
#define TS_IMPL_PARSE(e, name, float_only) if (n == name) return UnaryOp::e;
  TS_FOR_EACH_UNARY_OP(TS_IMPL_PARSE)
#undef TS_IMPL_PARSE
  return std::nullopt;
}

std::optional<BinaryOp> parse_binary_op(std::string_view n) {
#define TS_IMPL_PARSE(e, name, float_only, is_cmp) if (n == name) return BinaryOp::e;
  TS_FOR_EACH_BINARY_OP(TS_IMPL_PARSE)
#undef TS_IMPL_PARSE
  return std::nullopt;
}

std::optional<ReduceOp> parse_reduce_op(std::string_view n) {
#define TS_IMPL_PARSE(e, name) if (n == name) return ReduceOp::e;
  TS_FOR_EACH_REDUCE_OP(TS_IMPL_PARSE)
#undef TS_IMPL_PARSE
  return std::nullopt;
}

bool is_float_only(UnaryOp op) {
  switch (op) {
#define TS_IMPL_CASE(e, name, float_only) case UnaryOp::e: return float_only;
    TS_FOR_EACH_UNARY_OP(TS_IMPL_CASE)
#undef TS_IMPL_CASE
  }
  return true;
}

bool is_float_only(BinaryOp op) {
  switch (op) {
#define TS_IMPL_CASE(e, name, float_only, is_cmp) case BinaryOp::e: return float_only;
    TS_FOR_EACH_BINARY_OP(TS_IMPL_CASE)
#undef TS_IMPL_CASE
  }
  return true;
}

bool is_comparison(BinaryOp op) {
  switch (op) {
#define TS_IMPL_CASE(e, name, float_only, is_cmp) case BinaryOp::e: return is_cmp;
    TS_FOR_EACH_BINARY_OP(TS_IMPL_CASE)
#undef TS_IMPL_CASE
  }
  return false;
}

ErrorBound error_bound(UnaryOp op, MathMode mode) {
  const bool fast = mode == MathMode::fast;
  constexpr double kFastExpSlope = 1.2;  // CUDA's __expf: 2 + floor(1.173·|x|) ulp
  switch (op) {
    case UnaryOp::neg:
    case UnaryOp::abs:
    case UnaryOp::floor:
    case UnaryOp::ceil:
    case UnaryOp::round: return {};
    case UnaryOp::sqrt: return {0.5, 0, 0};
    case UnaryOp::rsqrt: return {2, 0, 0};
    case UnaryOp::exp: return fast ? ErrorBound{2, kFastExpSlope, 0} : ErrorBound{2, 0, 0};
    case UnaryOp::exp2: return {2, 0, 0};
    case UnaryOp::log:
    case UnaryOp::log2: return fast ? ErrorBound{1, 0, 0x1p-21} : ErrorBound{1, 0, 0};
    case UnaryOp::sigmoid: return fast ? ErrorBound{4, kFastExpSlope, 0} : ErrorBound{3, 0, 0};
    case UnaryOp::silu: return fast ? ErrorBound{5, kFastExpSlope, 0} : ErrorBound{4, 0, 0};
    case UnaryOp::tanh:
    case UnaryOp::erf:
    case UnaryOp::sin:
    case UnaryOp::cos: return {2, 0, 0x1p-22};
    case UnaryOp::gelu_erf:
    case UnaryOp::gelu_tanh: return {4, 0, 0x1p-22};
  }
  return {};
}

ErrorBound error_bound(BinaryOp op, MathMode mode) {
  switch (op) {
    case BinaryOp::add:
    case BinaryOp::sub:
    case BinaryOp::mul: return {0.5, 0, 0};
    case BinaryOp::div: return mode == MathMode::fast ? ErrorBound{2, 0, 0} : ErrorBound{0.5, 0, 0};
    case BinaryOp::pow: return mode == MathMode::fast ? ErrorBound{8, 0, 0} : ErrorBound{4, 0, 0};
    default: return {};
  }
}

}  // namespace tessera::ir
