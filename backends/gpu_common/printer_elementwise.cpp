// SPDX-License-Identifier: Apache-2.0
// Values and elementwise operators in GPU C++: types, conversions (ir.h casts), the fast and
// exact math forms of ir/ops.h, and the per-register expression of a tile value.
#include <cmath>
#include <cstdio>

#include "c_spelling.h"
#include "gpu_common/printer_internal.h"
#include "tessera/error.h"

namespace tessera::backend::gpu {

std::string ident(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

std::string kernel_symbol(const std::string& kernel_name) { return "ts_" + ident(kernel_name); }

std::string value_type(DType t) {
  switch (t) {
    case DType::f64: return "double";
    case DType::f32: case DType::f16: case DType::bf16: case DType::f8e4m3fn: case DType::f8e5m2: return "float";
    // One-token spelling: the printer writes functional casts such as `T(0)`, which C++ rejects
    // for a two-word type (`long long(0)`).
    case DType::i64: return "ts::i64";
    case DType::i32: case DType::i8: case DType::u8: return "int";
    case DType::boolean: return "bool";
  }
  return "?";
}

std::string storage_type(DType t) {
  switch (t) {
    case DType::f64: return "double";
    case DType::f32: return "float";
    case DType::f16: case DType::bf16: return "ts::u16";
    case DType::f8e4m3fn: case DType::f8e5m2: case DType::u8: case DType::boolean: return "ts::u8";
    case DType::i64: return "ts::i64";
    case DType::i32: return "int";
    case DType::i8: return "signed char";
  }
  return "?";
}

std::string from_storage(DType t, const std::string& raw) {
  switch (t) {
    case DType::bf16: return "ts::bf16_to_f32(" + raw + ")";
    case DType::f16: return "ts::f16_to_f32(" + raw + ")";
    case DType::f8e4m3fn: return "ts::f8e4m3fn_to_f32(" + raw + ")";
    case DType::f8e5m2: return "ts::f8e5m2_to_f32(" + raw + ")";
    case DType::i8: case DType::u8: return "int(" + raw + ")";
    case DType::boolean: return "(" + raw + " != 0)";
    default: return raw;
  }
}

std::string to_storage(DType t, const std::string& v) {
  switch (t) {
    case DType::bf16: return "ts::f32_to_bf16(" + v + ")";
    case DType::f16: return "ts::f32_to_f16(" + v + ")";
    case DType::f8e4m3fn: return "ts::f32_to_f8e4m3fn(" + v + ")";
    case DType::f8e5m2: return "ts::f32_to_f8e5m2(" + v + ")";
    case DType::i8: case DType::u8: case DType::boolean: return "(" + storage_type(t) + ")(" + v + ")";
    default: return v;
  }
}

std::string round_to(DType t, const std::string& v) {
  switch (t) {
    case DType::bf16: return "ts::round_bf16(" + v + ")";
    case DType::f16: return "ts::round_f16(" + v + ")";
    case DType::f8e4m3fn: return "ts::round_f8e4m3fn(" + v + ")";
    case DType::f8e5m2: return "ts::round_f8e5m2(" + v + ")";
    default: return v;
  }
}

std::optional<std::string> unrounded(DType t, const std::string& x, std::string* pair) {
  if (t != DType::bf16) return std::nullopt;  // the dtypes with a pair rounding in the headers
  const std::string open = "ts::round_bf16(";
  if (x.size() <= open.size() || x.compare(0, open.size(), open) != 0 || x.back() != ')') return std::nullopt;
  int depth = 1;  // the call's parenthesis must close at the very end
  for (std::size_t i = open.size(); i + 1 < x.size(); ++i) {
    depth += x[i] == '(' ? 1 : x[i] == ')' ? -1 : 0;
    if (depth == 0) return std::nullopt;
  }
  *pair = "ts::round2_bf16";
  return x.substr(open.size(), x.size() - open.size() - 1);
}

std::string float_literal(DType t, double v) {
  const bool dbl = t == DType::f64;
  if (v != v) return dbl ? "__longlong_as_double(0x7FF8000000000000ll)" : "__int_as_float(0x7FC00000)";
  if (std::isinf(v)) {
    const std::string inf = dbl ? "__longlong_as_double(0x7FF0000000000000ll)" : "__int_as_float(0x7F800000)";
    return v > 0 ? inf : "(-" + inf + ")";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a", v);  // hex: exact
  return std::string("(") + buf + (dbl ? ")" : "f)");
}

namespace {
std::pair<long long, long long> int_range(DType t) {
  switch (t) {
    case DType::i8: return {-128, 127};
    case DType::u8: return {0, 255};
    case DType::i32: return {-2147483648ll, 2147483647ll};
    default: return {-9223372036854775807ll - 1, 9223372036854775807ll};
  }
}
std::string ll(long long v) {
  return v == -9223372036854775807ll - 1 ? "(-9223372036854775807ll - 1)" : std::to_string(v) + "ll";
}
}  // namespace

std::string cast_value(DType from, DType to, const std::string& x) {
  if (from == to) return x;
  const std::string vt = value_type(to);
  if (to == DType::boolean) return "(" + x + " != 0)";
  if (from == DType::boolean) return "(" + vt + ")(" + x + ")";
  const bool from_f = dtype_is_float(from), to_f = dtype_is_float(to);
  if (to == DType::f32 || to == DType::f64) return "(" + vt + ")(" + x + ")";  // RNE casts
  if (to_f) {
    // f32-held narrow formats round from f32 exactly; f64 and integers go through f32 first
    // only where that is exact (integers up to 2^24 and f64 need one rounding: via double).
    if (from_f && from != DType::f64) return round_to(to, x);
    return round_to(to, "(float)(" + x + ")");
  }
  const auto [lo, hi] = int_range(to);
  if (from_f) return "(" + vt + ")ts::f2i((double)(" + x + "), " + ll(lo) + ", " + ll(hi) + ")";
  return "(" + vt + ")((long long)(" + x + ") < " + ll(lo) + " ? " + ll(lo) + " : (long long)(" + x +
         ") > " + ll(hi) + " ? " + ll(hi) + " : (long long)(" + x + "))";
}

std::string unary(ir::UnaryOp op, DType t, const std::string& x, ir::MathMode mode) {
  const bool f32 = value_type(t) == "float";
  const bool fast = f32 && mode == ir::MathMode::fast;
  const std::string sfx = f32 ? "f" : "";
  std::string r;
  switch (op) {
    case ir::UnaryOp::neg: r = "(-" + x + ")"; break;
    case ir::UnaryOp::abs: r = "ts::absval(" + x + ")"; break;
    case ir::UnaryOp::exp: r = fast ? "ts::fast_exp(" + x + ")" : "exp" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::exp2: r = fast ? "ts::fast_exp2(" + x + ")" : "exp2" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::log: r = "log" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::log2: r = "log2" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::sqrt: r = "sqrt" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::rsqrt: r = "rsqrt" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::sigmoid: r = (fast ? "ts::fast_sigmoid(" : "ts::exact_sigmoid(") + x + ")"; break;
    case ir::UnaryOp::silu: r = (fast ? "ts::fast_silu(" : "ts::exact_silu(") + x + ")"; break;
    case ir::UnaryOp::gelu_erf: r = "ts::gelu_erf(" + x + ")"; break;
    case ir::UnaryOp::gelu_tanh: r = "ts::gelu_tanh(" + x + ")"; break;
    case ir::UnaryOp::tanh: r = "tanh" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::erf: r = "erf" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::sin: r = "sin" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::cos: r = "cos" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::floor: r = "floor" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::ceil: r = "ceil" + sfx + "(" + x + ")"; break;
    case ir::UnaryOp::round: r = "rint" + sfx + "(" + x + ")"; break;
  }
  if (!dtype_is_float(t)) r = "(" + value_type(t) + ")(" + r + ")";
  return round_to(t, r);
}

std::string binary(ir::BinaryOp op, DType t, const std::string& a, const std::string& b,
                   ir::MathMode mode) {
  const bool fast = value_type(t) == "float" && mode == ir::MathMode::fast;
  const std::string vt = value_type(t);
  std::string r;
  switch (op) {
    case ir::BinaryOp::add: case ir::BinaryOp::sub: case ir::BinaryOp::mul: r = infix(op, a, b); break;
    case ir::BinaryOp::div: r = fast ? "ts::fast_div(" + a + ", " + b + ")" : infix(op, a, b); break;
    case ir::BinaryOp::maximum: r = "ts::maximum<" + vt + ">(" + a + ", " + b + ")"; break;
    case ir::BinaryOp::minimum: r = "ts::minimum<" + vt + ">(" + a + ", " + b + ")"; break;
    case ir::BinaryOp::pow: r = (vt == "float" ? "powf(" : "pow(") + a + ", " + b + ")"; break;
    case ir::BinaryOp::eq: case ir::BinaryOp::ne: case ir::BinaryOp::lt: case ir::BinaryOp::le:
    case ir::BinaryOp::gt: case ir::BinaryOp::ge: return infix(op, a, b);
  }
  if (!dtype_is_float(t)) r = "(" + vt + ")(" + r + ")";
  return round_to(t, r);
}

ReduceForm reduce_form(ir::ReduceOp op, DType t) {
  ReduceForm f;
  f.acc_type = value_type(t);
  const std::string vt = f.acc_type;
  const bool fl = dtype_is_float(t);
  auto max2 = [vt](const std::string& a, const std::string& b) { return "ts::maximum<" + vt + ">(" + a + ", " + b + ")"; };
  auto min2 = [vt](const std::string& a, const std::string& b) { return "ts::minimum<" + vt + ">(" + a + ", " + b + ")"; };
  auto add2 = [](const std::string& a, const std::string& b) { return a + " + " + b; };
  switch (op) {
    case ir::ReduceOp::sum: case ir::ReduceOp::mean:
      f.init = vt + "(0)";
      f.add = add2;
      f.combine = add2;
      break;
    case ir::ReduceOp::max:
      f.init = fl ? "(-" + float_literal(t == DType::f64 ? DType::f64 : DType::f32, HUGE_VAL) + ")"
                  : (vt == "int" ? "(-2147483647 - 1)" : "(-9223372036854775807ll - 1)");
      f.add = max2;
      f.combine = max2;
      break;
    case ir::ReduceOp::min:
      f.init = fl ? float_literal(t == DType::f64 ? DType::f64 : DType::f32, HUGE_VAL)
                  : (vt == "int" ? "2147483647" : "9223372036854775807ll");
      f.add = min2;
      f.combine = min2;
      break;
    case ir::ReduceOp::amax:
      f.init = vt + "(0)";
      f.add = [max2](const std::string& a, const std::string& b) { return max2(a, "ts::absval(" + b + ")"); };
      f.combine = max2;
      break;
  }
  return f;
}

// ---- per-register expressions ---------------------------------------------------------------

std::string Printer::array_elem(const std::string& name, const std::vector<ir::Axis>& axes) const {
  return reg_count(axes) == 1 && real_axes(axes).empty() ? name : name + "[" + reg_index(axes) + "]";
}

void Printer::declare(const std::string& name, const ir::Type& t, const std::string& init) {
  const int n = reg_count(t.axes);
  TS_USER_CHECK(n <= 1024) << "kernel '" << k_.name << "': a " << ir::to_string(t)
                           << " tile needs " << n << " registers per thread on " << d_.target
                           << "; use smaller block_sizes, more num_warps, or reduction_loops";
  line(value_type(t.dtype) + " " + name + "[" + std::to_string(n) + "]" +
       (init.empty() ? ";" : ";\n" + std::string(2 * indent_, ' ') + "#pragma unroll\n" +
                                 std::string(2 * indent_, ' ') + "for (int q = 0; q < " +
                                 std::to_string(n) + "; ++q) " + name + "[q] = " + init + ";"));
}

std::string Printer::elem(const ir::Expr& e) {
  if (auto it = temps_.find(e.get()); it != temps_.end()) return array_elem(it->second, e.type().axes);
  if (const auto* n = e.as<ir::IntImm>()) {
    if (e.dtype() == DType::boolean) return n->value ? "true" : "false";
    return "(" + value_type(e.dtype()) + ")(" + ll(n->value) + ")";
  }
  if (const auto* n = e.as<ir::FloatImm>()) return float_literal(e.dtype(), n->value);
  if (const auto* n = e.as<ir::SizeVar>()) return "s_" + ident(n->name);
  if (const auto* n = e.as<ir::ScalarArg>()) return "a_" + ident(n->name);
  if (const auto* n = e.as<ir::Var>()) return array_elem("v" + std::to_string(n->id), e.type().axes);
  if (const auto* n = e.as<ir::LocalRead>()) return array_elem("l" + std::to_string(n->id), e.type().axes);
  if (const auto* n = e.as<ir::TileIndex>()) {
    const ir::Axis a = e.type().axes[0];
    return "(long long)(" + base(a) + " + " + lane(a) + ")";
  }
  if (const auto* n = e.as<ir::Load>()) {  // a load not bound to a Let: masked scalar access
    std::string valid;
    for (const ir::Axis& a : real_axes(e.type().axes)) {
      const std::string v = lane_valid(a);
      if (!v.empty()) valid += (valid.empty() ? "" : " && ") + v;
    }
    const std::string x = from_storage(e.dtype(), address(n->tensor, n->indices));
    return valid.empty() ? x : "(" + valid + " ? " + x + " : " + value_type(e.dtype()) + "(0))";
  }
  if (const auto* n = e.as<ir::Unary>()) return unary(n->op, e.dtype(), elem(n->a), k_.math_mode);
  if (const auto* n = e.as<ir::Binary>()) return binary(n->op, n->a.dtype(), elem(n->a), elem(n->b), k_.math_mode);
  if (const auto* n = e.as<ir::Select>()) return "(" + elem(n->cond) + " ? " + elem(n->t) + " : " + elem(n->f) + ")";
  if (const auto* n = e.as<ir::Cast>()) return cast_value(n->a.dtype(), e.dtype(), elem(n->a));
  if (const auto* n = e.as<ir::ExpandDims>()) return elem(n->a);  // registers follow axis identity
  if (const auto* n = e.as<ir::Full>()) {
    return dtype_is_float(e.dtype()) ? float_literal(e.dtype() == DType::f64 ? DType::f64 : DType::f32, n->value)
                                     : cast_value(DType::f64, e.dtype(), float_literal(DType::f64, n->value));
  }
  TS_INTERNAL_CHECK(false) << "GPU printer: " << ir::node_kind_name(e.kind()) << " reached elem() unprepared";
  return "";
}

void Printer::prepare(const ir::Expr& e) {
  if (!e.defined() || temps_.count(e.get()) || e.as<ir::Var>() || e.as<ir::LocalRead>()) return;
  if (const auto* n = e.as<ir::Reduce>()) {
    materialize_reduce(*n, e);
    return;
  }
  if (const auto* n = e.as<ir::Dot>()) {
    const std::string name = "d" + std::to_string(counter_++);
    materialize_dot(*n, e, name, false);
    temps_[e.get()] = name;
    return;
  }
  for (const ir::Expr& c : expr_children(e)) prepare(c);
}

}  // namespace tessera::backend::gpu
