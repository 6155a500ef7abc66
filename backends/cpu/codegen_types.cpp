// SPDX-License-Identifier: Apache-2.0
// The value-level spelling of the CPU code generator: C++ types, conversions, operators.
#include "cpu/codegen_types.h"

#include <cmath>
#include <cstdint>

#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "c_spelling.h"
#include "tessera/error.h"

namespace tessera::backend::cpu {

std::string ident(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

/// The C++ type a value of `t` is held in (f16/bf16/fp8 as float, exactly).
std::string value_type(DType t) {
  switch (t) {
    case DType::f64: return "double";
    case DType::f32: case DType::f16: case DType::bf16: case DType::f8e4m3fn: case DType::f8e5m2: return "float";
    case DType::i64: return "std::int64_t";
    case DType::i32: case DType::i8: case DType::u8: return "std::int32_t";
    case DType::boolean: return "bool";
  }
  return "?";
}

/// The C++ type of a tensor element in memory.
std::string storage_type(DType t) {
  switch (t) {
    case DType::f64: return "double";
    case DType::f32: return "float";
    case DType::f16: case DType::bf16: return "std::uint16_t";
    case DType::f8e4m3fn: case DType::f8e5m2: case DType::u8: case DType::boolean: return "std::uint8_t";
    case DType::i64: return "std::int64_t";
    case DType::i32: return "std::int32_t";
    case DType::i8: return "std::int8_t";
  }
  return "?";
}

std::string from_storage(DType t, const std::string& raw) {
  switch (t) {
    case DType::bf16: return "ts_cpu::bf16_to_float(" + raw + ")";
    case DType::f16: return "ts_cpu::f16_to_float_fast(" + raw + ")";
    case DType::f8e4m3fn: return "ts_cpu::f8e4m3fn_to_float_fast(" + raw + ")";
    case DType::f8e5m2: return "ts_cpu::f8e5m2_to_float_fast(" + raw + ")";
    case DType::i8: case DType::u8: return "static_cast<std::int32_t>(" + raw + ")";
    case DType::boolean: return "(" + raw + " != 0)";
    default: return raw;
  }
}

std::string to_storage(DType t, const std::string& v) {
  switch (t) {
    case DType::bf16: return "ts_cpu::bf16_from_float(" + v + ")";
    case DType::f16: return "ts_cpu::f16_from_float_fast(" + v + ")";
    case DType::f8e4m3fn: return "ts_cpu::f8e4m3fn_from_float_fast(" + v + ")";
    case DType::f8e5m2: return "ts_cpu::f8e5m2_from_float_fast(" + v + ")";
    case DType::i8: case DType::u8: case DType::boolean: return "static_cast<" + storage_type(t) + ">(" + v + ")";
    default: return v;
  }
}

/// Rounds an f32-held value to a narrower float format (identity for others).
std::string round_to(DType t, const std::string& v) {
  switch (t) {
    case DType::bf16: return "ts_cpu::round_bf16(" + v + ")";
    case DType::f16: return "ts_cpu::round_f16(" + v + ")";
    case DType::f8e4m3fn: return "ts_cpu::round_f8e4m3fn(" + v + ")";
    case DType::f8e5m2: return "ts_cpu::round_f8e5m2(" + v + ")";
    default: return v;
  }
}

namespace {
std::pair<std::int64_t, std::int64_t> int_range(DType t) {
  switch (t) {
    case DType::i8: return {-128, 127};
    case DType::u8: return {0, 255};
    case DType::i32: return {INT32_MIN, INT32_MAX};
    default: return {INT64_MIN, INT64_MAX};
  }
}

}  // namespace

std::string float_literal(DType t, double v) {
  const bool is_double = t == DType::f64;
  if (v != v) return is_double ? "__builtin_nan(\"\")" : "__builtin_nanf(\"\")";
  if (v == HUGE_VAL) return is_double ? "__builtin_inf()" : "__builtin_inff()";
  if (v == -HUGE_VAL) return is_double ? "(-__builtin_inf())" : "(-__builtin_inff())";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);
  return is_double ? "(" + std::string(buf) + ")" : "static_cast<float>(" + std::string(buf) + ")";
}

std::string int_literal(std::int64_t v) {
  if (v == INT64_MIN) return "INT64_MIN";
  return "std::int64_t(" + std::to_string(v) + ")";
}

std::string cast_value(DType from, DType to, const std::string& x) {
  if (from == to) return x;
  const std::string vt = value_type(to);
  if (to == DType::boolean) return "(" + x + " != 0)";
  if (from == DType::boolean) return "static_cast<" + vt + ">(" + x + ")";
  const bool from_f = dtype_is_float(from), to_f = dtype_is_float(to);
  if (to_f && (to == DType::f32 || to == DType::f64)) return "static_cast<" + vt + ">(" + x + ")";
  if (to_f) {  // to a narrow float: exact from f32-held values; through double otherwise
    if (from_f && from != DType::f64) return round_to(to, x);
    const std::string n = std::string(dtype_name(to));
    return "ts_cpu::" + n + "_to_float" + (to == DType::bf16 ? "" : "_fast") + "(ts_cpu::" + n +
           "_from_double(static_cast<double>(" + x + ")))";
  }
  const auto [lo, hi] = int_range(to);
  if (from_f) {
    return "static_cast<" + vt + ">(ts_cpu::int_from_double(static_cast<double>(" + x + "), " +
           int_literal(lo) + ", " + int_literal(hi) + "))";
  }
  return "static_cast<" + vt + ">(std::clamp<std::int64_t>(" + x + ", " + int_literal(lo) + ", " +
         int_literal(hi) + "))";
}

std::string unary(ir::UnaryOp op, DType t, const std::string& x, ir::MathMode mode) {
  const std::string vt = value_type(t);
  const bool fast = mode == ir::MathMode::fast && vt == "float";
  std::string r;
  switch (op) {
    case ir::UnaryOp::neg: r = "(-" + x + ")"; break;
    case ir::UnaryOp::abs: r = "std::abs(" + x + ")"; break;
    case ir::UnaryOp::exp: r = (fast ? "ts_cpu::exp_fast(" : "std::exp(") + x + ")"; break;
    case ir::UnaryOp::exp2: r = (fast ? "ts_cpu::exp2_fast(" : "std::exp2(") + x + ")"; break;
    case ir::UnaryOp::log: r = "std::log(" + x + ")"; break;
    case ir::UnaryOp::log2: r = "std::log2(" + x + ")"; break;
    case ir::UnaryOp::sqrt: r = "std::sqrt(" + x + ")"; break;
    case ir::UnaryOp::rsqrt: r = "ts_cpu::rsqrt<" + vt + ">(" + x + ")"; break;
    case ir::UnaryOp::sigmoid: r = (fast ? "ts_cpu::sigmoid_fast(" : "ts_cpu::sigmoid<" + vt + ">(") + x + ")"; break;
    case ir::UnaryOp::silu: r = (fast ? "ts_cpu::silu_fast(" : "ts_cpu::silu<" + vt + ">(") + x + ")"; break;
    case ir::UnaryOp::gelu_erf: r = "ts_cpu::gelu_erf<" + vt + ">(" + x + ")"; break;
    case ir::UnaryOp::gelu_tanh: r = "ts_cpu::gelu_tanh<" + vt + ">(" + x + ")"; break;
    case ir::UnaryOp::tanh: r = "std::tanh(" + x + ")"; break;
    case ir::UnaryOp::erf: r = "std::erf(" + x + ")"; break;
    case ir::UnaryOp::sin: r = "std::sin(" + x + ")"; break;
    case ir::UnaryOp::cos: r = "std::cos(" + x + ")"; break;
    case ir::UnaryOp::floor: r = "std::floor(" + x + ")"; break;
    case ir::UnaryOp::ceil: r = "std::ceil(" + x + ")"; break;
    case ir::UnaryOp::round: r = "std::nearbyint(" + x + ")"; break;
  }
  if (!dtype_is_float(t)) r = "static_cast<" + vt + ">(" + r + ")";
  return round_to(t, r);
}

std::string binary(ir::BinaryOp op, DType t, const std::string& a, const std::string& b) {
  std::string r;
  switch (op) {
    case ir::BinaryOp::add: case ir::BinaryOp::sub: case ir::BinaryOp::mul: case ir::BinaryOp::div:
      r = infix(op, a, b);
      break;
    case ir::BinaryOp::maximum: r = "ts_cpu::maximum<" + value_type(t) + ">(" + a + ", " + b + ")"; break;
    case ir::BinaryOp::minimum: r = "ts_cpu::minimum<" + value_type(t) + ">(" + a + ", " + b + ")"; break;
    case ir::BinaryOp::pow: r = "std::pow(" + a + ", " + b + ")"; break;
    case ir::BinaryOp::eq: case ir::BinaryOp::ne: case ir::BinaryOp::lt: case ir::BinaryOp::le:
    case ir::BinaryOp::gt: case ir::BinaryOp::ge: return infix(op, a, b);
  }
  if (!dtype_is_float(t)) r = "static_cast<" + value_type(t) + ">(" + r + ")";  // i32 promotion
  return round_to(t, r);
}

ReduceForm reduce_form(ir::ReduceOp op, DType t) {
  ReduceForm f;
  f.acc_type = value_type(t);
  const bool fl = dtype_is_float(t);
  const std::string vt = f.acc_type;
  switch (op) {
    case ir::ReduceOp::sum: case ir::ReduceOp::mean:
      f.init = vt + "(0)";
      f.combine = [](const std::string& a, const std::string& b) { return a + " + " + b; };
      break;
    case ir::ReduceOp::max:
      f.init = fl ? "-std::numeric_limits<" + vt + ">::infinity()" : "std::numeric_limits<" + vt + ">::lowest()";
      f.combine = [vt](const std::string& a, const std::string& b) { return "ts_cpu::maximum<" + vt + ">(" + a + ", " + b + ")"; };
      break;
    case ir::ReduceOp::min:
      f.init = fl ? "std::numeric_limits<" + vt + ">::infinity()" : "std::numeric_limits<" + vt + ">::max()";
      f.combine = [vt](const std::string& a, const std::string& b) { return "ts_cpu::minimum<" + vt + ">(" + a + ", " + b + ")"; };
      break;
    case ir::ReduceOp::amax:
      f.init = vt + "(0)";
      f.combine = [vt](const std::string& a, const std::string& b) { return "ts_cpu::maximum<" + vt + ">(" + a + ", std::abs(" + b + "))"; };
      f.merge = [vt](const std::string& a, const std::string& b) { return "ts_cpu::maximum<" + vt + ">(" + a + ", " + b + ")"; };
      break;
  }
  if (!f.merge) f.merge = f.combine;
  return f;
}

}  // namespace tessera::backend::cpu
