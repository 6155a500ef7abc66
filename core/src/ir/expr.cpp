// SPDX-License-Identifier: Apache-2.0
// make() of every expression node: operand checks and result types (semantics in ir.h).
#include "tessera/ir/expr.h"

#include <algorithm>
#include <limits>

#include "tessera/error.h"
#include "tessera/ir/kernel.h"
#include "tessera/numeric/float_formats.h"

namespace tessera::ir {
namespace {

template <typename T, typename... Args>
Expr make_node(Args&&... args) {
  return Expr(std::make_shared<const T>(std::forward<Args>(args)...));
}

void check_defined(const Expr& e, std::string_view op, std::string_view what) {
  TS_USER_CHECK(e.defined()) << op << ": the " << what << " operand is undefined";
}

bool is_i64_scalar(const Expr& e) { return e.defined() && e.dtype() == DType::i64 && e.type().is_scalar(); }

std::string arithmetic_hint(DType t) {
  return cat("dtype ", dtype_name(t), " cannot be computed on (arithmetic dtypes: f64, f32, f16, bf16, "
             "i64, i32); cast it first, e.g. .to(f32)");
}

}  // namespace

double round_to_dtype(double v, DType t) {
  switch (t) {
    case DType::f64: return v;
    case DType::f32: return static_cast<double>(static_cast<float>(v));
    case DType::f16: return numeric::decode_float(numeric::f16_from_double(v), numeric::kF16Format);
    case DType::bf16: return numeric::decode_float(numeric::bf16_from_double(v), numeric::kBF16Format);
    case DType::f8e4m3fn:
      return numeric::decode_float(numeric::f8e4m3fn_from_double(v), numeric::kF8E4M3FNFormat);
    case DType::f8e5m2: return numeric::decode_float(numeric::f8e5m2_from_double(v), numeric::kF8E5M2Format);
    case DType::i64:
      return static_cast<double>(numeric::int_from_double(v, std::numeric_limits<std::int64_t>::min(),
                                                          std::numeric_limits<std::int64_t>::max()));
    case DType::i32: return static_cast<double>(numeric::int_from_double(v, INT32_MIN, INT32_MAX));
    case DType::i8: return static_cast<double>(numeric::int_from_double(v, -128, 127));
    case DType::u8: return static_cast<double>(numeric::int_from_double(v, 0, 255));
    case DType::boolean: return v != 0 ? 1.0 : 0.0;
  }
  return v;
}

Expr IntImm::make(DType dtype, std::int64_t value) {
  TS_USER_CHECK(!dtype_is_float(dtype)) << "integer constant: dtype " << dtype_name(dtype) << " is not an integer dtype";
  TS_USER_CHECK(round_to_dtype(static_cast<double>(value), dtype) == static_cast<double>(value) ||
                dtype == DType::i64)
      << "integer constant " << value << " does not fit " << dtype_name(dtype);
  return make_node<IntImm>(Type::scalar(dtype), value);
}

Expr FloatImm::make(DType dtype, double value) {
  TS_USER_CHECK(dtype_is_float(dtype)) << "float constant: dtype " << dtype_name(dtype) << " is not a float dtype";
  return make_node<FloatImm>(Type::scalar(dtype), round_to_dtype(value, dtype));
}

Expr SizeVar::make(std::string name) {
  TS_USER_CHECK(!name.empty()) << "size symbol: empty name";
  return make_node<SizeVar>(Type::scalar(DType::i64), std::move(name));
}

Expr ScalarArg::make(std::string name, DType dtype) {
  TS_USER_CHECK(!name.empty()) << "scalar argument: empty name";
  return make_node<ScalarArg>(Type::scalar(dtype), std::move(name));
}

Expr Var::make(int id, std::string name, Type type) {
  TS_INTERNAL_CHECK(id >= 0) << "Var id " << id;
  return make_node<Var>(std::move(type), id, std::move(name));
}

Expr LocalRead::make(int id, std::string name, Type type) {
  TS_INTERNAL_CHECK(id >= 0) << "LocalRead id " << id;
  return make_node<LocalRead>(std::move(type), id, std::move(name));
}

Expr TileIndex::make(int tile_var, std::string tile_name) {
  TS_INTERNAL_CHECK(tile_var >= 0) << "TileIndex tile " << tile_var;
  return make_node<TileIndex>(Type{DType::i64, {Axis::tile(tile_var, std::move(tile_name))}}, tile_var);
}

Index Index::tile(int tile_var, std::string name, Expr offset) {
  return Index{IndexKind::tile, tile_var, std::move(name), std::move(offset)};
}
Index Index::full(int rdim, std::string name) { return Index{IndexKind::full, rdim, std::move(name), Expr()}; }
Index Index::scalar(Expr index) { return Index{IndexKind::scalar, -1, "", std::move(index)}; }
Index Index::new_axis() { return Index{IndexKind::new_axis, -1, "none", Expr()}; }
Index Index::gather(Expr value) { return Index{IndexKind::gather, -1, "gather", std::move(value)}; }

std::optional<Axis> Index::axis() const {
  switch (kind) {
    case IndexKind::tile: return Axis::tile(id, name);
    case IndexKind::full: return Axis::full(id, name);
    case IndexKind::new_axis: return Axis::broadcast();
    case IndexKind::scalar: return std::nullopt;
    case IndexKind::gather:
      if (value.defined() && value.type().rank() == 1) return value.type().axes[0];
      return std::nullopt;
  }
  return std::nullopt;
}

std::vector<Axis> access_axes(const TensorParam& tensor, const std::vector<Index>& indices,
                              const std::string& what) {
  int consumed = 0;
  std::vector<Axis> axes;
  for (const Index& ix : indices) {
    if (ix.kind != IndexKind::new_axis) ++consumed;
    if (ix.kind == IndexKind::scalar) {
      TS_USER_CHECK(is_i64_scalar(ix.value)) << what << ": a scalar index must be an integer scalar, got "
                                             << (ix.value.defined() ? to_string(ix.value.type()) : "nothing");
    }
    if (ix.kind == IndexKind::gather) {
      const bool int_dtype = ix.value.defined() && (ix.value.dtype() == DType::i64 || ix.value.dtype() == DType::i32);
      TS_USER_CHECK(int_dtype && ix.value.type().rank() == 1 && ix.value.type().axes[0].kind != AxisKind::broadcast)
          << what << ": a gather index must be an i64 or i32 tile value with one tile or all() axis, got "
          << (ix.value.defined() ? to_string(ix.value.type()) : "nothing");
    }
    if (ix.kind == IndexKind::tile && ix.value.defined()) {
      TS_USER_CHECK(is_i64_scalar(ix.value)) << what << ": the offset of tile " << ix.name
                                             << " must be an integer scalar, got " << to_string(ix.value.type());
    }
    if (auto a = ix.axis()) axes.push_back(*a);
  }
  TS_USER_CHECK(consumed == tensor.rank())
      << what << ": rank mismatch: tensor '" << tensor.name << "' has " << tensor.rank()
      << " dimensions but is indexed with " << consumed << " indices (use all() for a whole dimension)";
  for (std::size_t i = 0; i < axes.size(); ++i) {
    for (std::size_t j = i + 1; j < axes.size(); ++j) {
      TS_USER_CHECK(axes[i].kind == AxisKind::broadcast || axes[i] != axes[j])
          << what << ": axis " << axes[i].name << " is used twice in one access";
    }
  }
  return axes;
}

Expr Load::make(const TensorParam& tensor, std::vector<Index> indices) {
  auto axes = access_axes(tensor, indices, "load " + tensor.name);
  return make_node<Load>(Type{tensor.dtype, std::move(axes)}, tensor.name, std::move(indices));
}

Expr Unary::make(UnaryOp op, Expr a) {
  check_defined(a, op_name(op), "first");
  TS_USER_CHECK(is_arithmetic(a.dtype())) << op_name(op) << ": " << arithmetic_hint(a.dtype());
  TS_USER_CHECK(!is_float_only(op) || dtype_is_float(a.dtype()))
      << op_name(op) << ": needs a float operand, got " << to_string(a.type()) << "; cast with .to(f32)";
  Type t = a.type();
  return make_node<Unary>(std::move(t), op, std::move(a));
}

Expr Binary::make(BinaryOp op, Expr a, Expr b) {
  check_defined(a, op_name(op), "first");
  check_defined(b, op_name(op), "second");
  TS_USER_CHECK(a.dtype() == b.dtype())
      << op_name(op) << ": dtype mismatch: " << to_string(a.type()) << " vs " << to_string(b.type())
      << "; cast one operand with .to(dtype)";
  TS_USER_CHECK(is_arithmetic(a.dtype())) << op_name(op) << ": " << arithmetic_hint(a.dtype());
  TS_USER_CHECK(!is_float_only(op) || dtype_is_float(a.dtype()))
      << op_name(op) << ": needs float operands, got " << to_string(a.type());
  auto axes = broadcast_axes(a.type().axes, b.type().axes);
  TS_USER_CHECK(axes.has_value()) << op_name(op) << ": shape mismatch: " << axes_to_string(a.type().axes)
                                  << " and " << axes_to_string(b.type().axes)
                                  << " do not broadcast (axes align from the right)";
  DType out = is_comparison(op) ? DType::boolean : a.dtype();
  return make_node<Binary>(Type{out, std::move(*axes)}, op, std::move(a), std::move(b));
}

Expr Select::make(Expr cond, Expr t, Expr f) {
  check_defined(cond, "where", "condition");
  check_defined(t, "where", "true");
  check_defined(f, "where", "false");
  TS_USER_CHECK(cond.dtype() == DType::boolean)
      << "where: the condition must be bool (a comparison), got " << to_string(cond.type());
  TS_USER_CHECK(t.dtype() == f.dtype()) << "where: dtype mismatch: " << to_string(t.type()) << " vs "
                                        << to_string(f.type()) << "; cast one operand with .to(dtype)";
  auto axes = broadcast_axes(t.type().axes, f.type().axes);
  if (axes) axes = broadcast_axes(cond.type().axes, *axes);
  TS_USER_CHECK(axes.has_value()) << "where: shape mismatch: " << axes_to_string(cond.type().axes) << ", "
                                  << axes_to_string(t.type().axes) << " and " << axes_to_string(f.type().axes)
                                  << " do not broadcast";
  DType d = t.dtype();
  return make_node<Select>(Type{d, std::move(*axes)}, std::move(cond), std::move(t), std::move(f));
}

Expr Cast::make(DType to, Expr a) {
  check_defined(a, "cast", "first");
  Type t = a.type().with_dtype(to);
  return make_node<Cast>(std::move(t), std::move(a));
}

Expr Reduce::make(ReduceOp op, Expr a, int axis) {
  check_defined(a, op_name(op), "first");
  TS_USER_CHECK(is_arithmetic(a.dtype())) << op_name(op) << ": " << arithmetic_hint(a.dtype());
  const int rank = a.type().rank();
  TS_USER_CHECK(axis >= -rank && axis < rank)
      << op_name(op) << "(axis=" << axis << "): reduction over a non-existent axis: the operand "
      << to_string(a.type()) << " has rank " << rank;
  if (axis < 0) axis += rank;
  Type t = a.type();
  t.axes.erase(t.axes.begin() + axis);
  return make_node<Reduce>(std::move(t), op, std::move(a), axis);
}

Expr ExpandDims::make(Expr a, std::vector<int> new_axes) {
  check_defined(a, "expand_dims", "first");
  std::sort(new_axes.begin(), new_axes.end());
  const int out_rank = a.type().rank() + static_cast<int>(new_axes.size());
  std::vector<Axis> axes;
  std::size_t next_new = 0, next_old = 0;
  for (int i = 0; i < out_rank; ++i) {
    if (next_new < new_axes.size() && new_axes[next_new] == i) {
      axes.push_back(Axis::broadcast());
      ++next_new;
    } else {
      TS_USER_CHECK(next_old < a.type().axes.size()) << "expand_dims: position out of range";
      axes.push_back(a.type().axes[next_old++]);
    }
  }
  TS_USER_CHECK(next_new == new_axes.size()) << "expand_dims: new axis positions must be distinct and < "
                                             << out_rank;
  Type t{a.dtype(), std::move(axes)};
  return make_node<ExpandDims>(std::move(t), std::move(a), std::move(new_axes));
}

Expr Full::make(Type type, double value) {
  return make_node<Full>(type, round_to_dtype(value, type.dtype));
}

Expr Dot::make(Expr a, Expr b, Expr acc) {
  check_defined(a, "dot", "first");
  check_defined(b, "dot", "second");
  TS_USER_CHECK(a.type().rank() == 2 && b.type().rank() == 2)
      << "dot: rank mismatch: operands must be 2-D tiles, got " << to_string(a.type()) << " and "
      << to_string(b.type());
  TS_USER_CHECK(a.dtype() == b.dtype()) << "dot: dtype mismatch: " << to_string(a.type()) << " vs "
                                        << to_string(b.type());
  const DType d = a.dtype();
  TS_USER_CHECK(d == DType::f32 || d == DType::f16 || d == DType::bf16 || dtype_is_fp8(d))
      << "dot: operand dtype " << dtype_name(d) << " is not supported (f32, f16, bf16, f8e4m3fn, f8e5m2)";
  const Axis& ka = a.type().axes[1];
  const Axis& kb = b.type().axes[0];
  TS_USER_CHECK(ka == kb && ka.kind != AxisKind::broadcast)
      << "dot: the contraction axes differ: " << to_string(a.type()) << " x " << to_string(b.type())
      << " (a's last axis must be b's first axis)";
  Type out{DType::f32, {a.type().axes[0], b.type().axes[1]}};
  TS_USER_CHECK(out.axes[0] != out.axes[1] || out.axes[0].kind == AxisKind::broadcast)
      << "dot: result axes " << axes_to_string(out.axes) << " repeat an axis";
  if (acc.defined()) {
    TS_USER_CHECK(acc.dtype() == DType::f32) << "dot: the accumulator must be f32, got " << to_string(acc.type());
    TS_USER_CHECK(broadcasts_to(acc.type().axes, out.axes))
        << "dot: the accumulator " << to_string(acc.type()) << " does not match the result "
        << to_string(out);
  }
  return make_node<Dot>(std::move(out), std::move(a), std::move(b), std::move(acc));
}

Expr size_const(std::int64_t v) { return IntImm::make(DType::i64, v); }

}  // namespace tessera::ir
