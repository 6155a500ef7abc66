// SPDX-License-Identifier: Apache-2.0
// The tile-language operations: each checks its operands and emits one IR node.
#include "tessera/lang/ops.h"

#include "tessera/error.h"
#include "tessera/lang/builder.h"

namespace tessera::lang {
namespace {

Builder* builder_of(const Value& a, const char* op) {
  TS_USER_CHECK(a.builder()) << op << ": operands must be tile values (a Size converts with a tile value only)";
  a.builder()->check_usable(a, op);
  return a.builder();
}

Builder* builder_of(const Value& a, const Value& b, const char* op) {
  Builder* bld = a.builder() ? a.builder() : b.builder();
  TS_USER_CHECK(bld) << op << ": at least one operand must be a tile value";
  if (a.builder()) bld->check_usable(a, op);
  if (b.builder()) bld->check_usable(b, op);
  return bld;
}

// A literal in the dtype of the other operand (ir.h: literals take the other operand's dtype).
ir::Expr literal(double v, DType t, const char* op) {
  if (dtype_is_float(t)) return ir::FloatImm::make(t, v);
  TS_USER_CHECK(v == static_cast<double>(static_cast<std::int64_t>(v)))
      << op << ": the literal " << v << " is not an integer but the other operand is " << dtype_name(t);
  return ir::IntImm::make(t, static_cast<std::int64_t>(v));
}

Value binary(ir::BinaryOp op, const Value& a, const Value& b) {
  Builder* bld = builder_of(a, b, std::string(ir::op_name(op)).c_str());
  return bld->emit(ir::Binary::make(op, a.expr(), b.expr()));
}
Value binary(ir::BinaryOp op, const Value& a, double b) {
  const std::string n(ir::op_name(op));
  Builder* bld = builder_of(a, n.c_str());
  return bld->emit(ir::Binary::make(op, a.expr(), literal(b, a.dtype(), n.c_str())));
}
Value binary(ir::BinaryOp op, double a, const Value& b) {
  const std::string n(ir::op_name(op));
  Builder* bld = builder_of(b, n.c_str());
  return bld->emit(ir::Binary::make(op, literal(a, b.dtype(), n.c_str()), b.expr()));
}
Value unary(ir::UnaryOp op, const Value& a) {
  return builder_of(a, std::string(ir::op_name(op)).c_str())->emit(ir::Unary::make(op, a.expr()));
}
Value reduce(ir::ReduceOp op, const Value& a, int axis) {
  return builder_of(a, std::string(ir::op_name(op)).c_str())->emit(ir::Reduce::make(op, a.expr(), axis));
}

}  // namespace

Value operator+(const Value& a, const Value& b) { return binary(ir::BinaryOp::add, a, b); }
Value operator-(const Value& a, const Value& b) { return binary(ir::BinaryOp::sub, a, b); }
Value operator*(const Value& a, const Value& b) { return binary(ir::BinaryOp::mul, a, b); }
Value operator/(const Value& a, const Value& b) { return binary(ir::BinaryOp::div, a, b); }
Value operator-(const Value& a) { return unary(ir::UnaryOp::neg, a); }
Value operator<(const Value& a, const Value& b) { return binary(ir::BinaryOp::lt, a, b); }
Value operator<=(const Value& a, const Value& b) { return binary(ir::BinaryOp::le, a, b); }
Value operator>(const Value& a, const Value& b) { return binary(ir::BinaryOp::gt, a, b); }
Value operator>=(const Value& a, const Value& b) { return binary(ir::BinaryOp::ge, a, b); }
Value operator==(const Value& a, const Value& b) { return binary(ir::BinaryOp::eq, a, b); }
Value operator!=(const Value& a, const Value& b) { return binary(ir::BinaryOp::ne, a, b); }

#define TS_IMPL_SCALAR_OPS(sym, op)                                                         \
  Value operator sym(const Value& a, double b) { return binary(ir::BinaryOp::op, a, b); } \
  Value operator sym(double a, const Value& b) { return binary(ir::BinaryOp::op, a, b); }
TS_IMPL_SCALAR_OPS(+, add)
TS_IMPL_SCALAR_OPS(-, sub)
TS_IMPL_SCALAR_OPS(*, mul)
TS_IMPL_SCALAR_OPS(/, div)
TS_IMPL_SCALAR_OPS(<, lt)
TS_IMPL_SCALAR_OPS(<=, le)
TS_IMPL_SCALAR_OPS(>, gt)
TS_IMPL_SCALAR_OPS(>=, ge)
#undef TS_IMPL_SCALAR_OPS

Value constant(double v, DType dtype) {
  // A constant needs a definition to belong to: the one being traced on this thread is not
  // tracked, so constants are leaves without a builder and adopt one when combined.
  return Value(nullptr, literal(v, dtype, "constant"), -1);
}

Value abs(const Value& x) { return unary(ir::UnaryOp::abs, x); }
Value exp(const Value& x) { return unary(ir::UnaryOp::exp, x); }
Value exp2(const Value& x) { return unary(ir::UnaryOp::exp2, x); }
Value log(const Value& x) { return unary(ir::UnaryOp::log, x); }
Value log2(const Value& x) { return unary(ir::UnaryOp::log2, x); }
Value sqrt(const Value& x) { return unary(ir::UnaryOp::sqrt, x); }
Value rsqrt(const Value& x) { return unary(ir::UnaryOp::rsqrt, x); }
Value sigmoid(const Value& x) { return unary(ir::UnaryOp::sigmoid, x); }
Value silu(const Value& x) { return unary(ir::UnaryOp::silu, x); }
Value gelu(const Value& x, bool approximate_tanh) {
  return unary(approximate_tanh ? ir::UnaryOp::gelu_tanh : ir::UnaryOp::gelu_erf, x);
}
Value tanh(const Value& x) { return unary(ir::UnaryOp::tanh, x); }
Value erf(const Value& x) { return unary(ir::UnaryOp::erf, x); }
Value sin(const Value& x) { return unary(ir::UnaryOp::sin, x); }
Value cos(const Value& x) { return unary(ir::UnaryOp::cos, x); }
Value floor(const Value& x) { return unary(ir::UnaryOp::floor, x); }
Value ceil(const Value& x) { return unary(ir::UnaryOp::ceil, x); }
Value round(const Value& x) { return unary(ir::UnaryOp::round, x); }
Value pow(const Value& x, const Value& y) { return binary(ir::BinaryOp::pow, x, y); }
Value pow(const Value& x, double y) { return binary(ir::BinaryOp::pow, x, y); }
Value maximum(const Value& a, const Value& b) { return binary(ir::BinaryOp::maximum, a, b); }
Value maximum(const Value& a, double b) { return binary(ir::BinaryOp::maximum, a, b); }
Value minimum(const Value& a, const Value& b) { return binary(ir::BinaryOp::minimum, a, b); }
Value minimum(const Value& a, double b) { return binary(ir::BinaryOp::minimum, a, b); }
Value clamp(const Value& x, double lo, double hi) { return minimum(maximum(x, lo), hi); }

Value where(const Value& cond, const Value& t, const Value& f) {
  Builder* b = builder_of(cond, "where");
  if (t.builder()) b->check_usable(t, "where");
  if (f.builder()) b->check_usable(f, "where");
  return b->emit(ir::Select::make(cond.expr(), t.expr(), f.expr()));
}
Value where(const Value& cond, const Value& t, double f) {
  return where(cond, t, Value(nullptr, literal(f, t.dtype(), "where"), -1));
}
Value where(const Value& cond, double t, const Value& f) {
  return where(cond, Value(nullptr, literal(t, f.dtype(), "where"), -1), f);
}

Value sum(const Value& x, int axis) { return reduce(ir::ReduceOp::sum, x, axis); }
Value max(const Value& x, int axis) { return reduce(ir::ReduceOp::max, x, axis); }
Value min(const Value& x, int axis) { return reduce(ir::ReduceOp::min, x, axis); }
Value mean(const Value& x, int axis) { return reduce(ir::ReduceOp::mean, x, axis); }
Value amax(const Value& x, int axis) { return reduce(ir::ReduceOp::amax, x, axis); }

Value full(const std::vector<IndexArg>& shape, double value, DType dtype) {
  Builder* b = nullptr;
  for (const IndexArg& a : shape)
    if (a.kind() == IndexArg::Kind::tile) b = a.tile().builder();
  TS_USER_CHECK(b) << "zeros/full: the shape needs at least one Tile (use constant() for scalars)";
  ir::Type t{dtype, {}};
  for (const IndexArg& a : shape) t.axes.push_back(b->axis_for(a, "zeros/full"));
  return b->emit(ir::Full::make(std::move(t), value));
}
Value zeros(const std::vector<IndexArg>& shape, DType dtype) { return full(shape, 0.0, dtype); }

Value dot(const Value& a, const Value& b) {
  Builder* bld = builder_of(a, b, "dot");
  return bld->emit(ir::Dot::make(a.expr(), b.expr()));
}
Value dot(const Value& a, const Value& b, const Value& acc) {
  Builder* bld = builder_of(a, b, "dot");
  if (acc.builder()) bld->check_usable(acc, "dot");
  return bld->emit(ir::Dot::make(a.expr(), b.expr(), acc.expr()));
}

}  // namespace tessera::lang
