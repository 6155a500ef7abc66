// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Expression nodes (semantics in ir.h, operator tables in ops.h). Create them with `make()`
/// only: it checks dtypes and axes and computes the result type, throwing `UserError` that
/// names the operation (the front end adds the kernel name).
///
/// Size expressions (tensor dims, tile offsets, scalar indices) are rank-0 i64 expressions
/// built from `IntImm`, `SizeVar` and `Binary` add/sub/mul/div; size_expr.h simplifies and
/// compares them.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/ir/node.h"
#include "tessera/ir/ops.h"
#include "tessera/ir/type.h"

namespace tessera::ir {

struct TensorParam;

/// An integer constant (i64, i32, i8, u8 or bool) of rank 0.
struct IntImm : ExprNode {
  static constexpr NodeKind kKind = NodeKind::IntImm;
  IntImm(Type t, std::int64_t v) : ExprNode(kKind, std::move(t)), value(v) {}
  std::int64_t value;
  /// Checks that `value` fits `dtype`.
  static Expr make(DType dtype, std::int64_t value);
};

/// A floating-point constant of rank 0. `make` rounds `value` to `dtype` (ir.h: literals take
/// the other operand's dtype and are rounded to it), so `value` is exactly representable.
struct FloatImm : ExprNode {
  static constexpr NodeKind kKind = NodeKind::FloatImm;
  FloatImm(Type t, double v) : ExprNode(kKind, std::move(t)), value(v) {}
  double value;
  static Expr make(DType dtype, double value);
};

/// A symbolic tensor dimension ("m", "two_d"): i64, rank 0. Whether it is specialized (a
/// compile-time constant) is recorded in `Kernel::size_vars`.
struct SizeVar : ExprNode {
  static constexpr NodeKind kKind = NodeKind::SizeVar;
  SizeVar(Type t, std::string n) : ExprNode(kKind, std::move(t)), name(std::move(n)) {}
  std::string name;
  static Expr make(std::string name);
};

/// A scalar kernel argument (`eps`), rank 0, declared in `Kernel::scalars`.
struct ScalarArg : ExprNode {
  static constexpr NodeKind kKind = NodeKind::ScalarArg;
  ScalarArg(Type t, std::string n) : ExprNode(kKind, std::move(t)), name(std::move(n)) {}
  std::string name;
  static Expr make(std::string name, DType dtype);
};

/// A reference to the value bound by the `Let` with the same `id` (in scope: the rest of the
/// block holding the Let).
struct Var : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Var;
  Var(Type t, int i, std::string n) : ExprNode(kKind, std::move(t)), id(i), name(std::move(n)) {}
  int id;
  std::string name;
  static Expr make(int id, std::string name, Type type);
};

/// The current value of the local declared by the `LocalDecl` with the same `id`.
struct LocalRead : ExprNode {
  static constexpr NodeKind kKind = NodeKind::LocalRead;
  LocalRead(Type t, int i, std::string n)
      : ExprNode(kKind, std::move(t)), id(i), name(std::move(n)) {}
  int id;
  std::string name;
  static Expr make(int id, std::string name, Type type);
};

/// The global indices of a tile's lanes (`i·b + j`): i64 with the one axis `tile(tile_var)`.
struct TileIndex : ExprNode {
  static constexpr NodeKind kKind = NodeKind::TileIndex;
  TileIndex(Type t, int tv) : ExprNode(kKind, std::move(t)), tile_var(tv) {}
  int tile_var;
  static Expr make(int tile_var, std::string tile_name);
};

/// How one position of a tensor access is indexed.
enum class IndexKind : unsigned char {
  tile,      ///< `t + offset`: lane j of tile t reads index i·b + j + offset; adds axis tile(t)
  full,      ///< `all()`: the whole dimension; adds axis full(rdim)
  scalar,    ///< an i64 rank-0 expression (`scalar(0)`); adds no axis
  new_axis,  ///< `none()`: consumes no tensor dimension; adds a broadcast axis
  /// An integer tile value (i64 or i32) with exactly one axis, a tile or a whole dimension:
  /// lane j along that axis reads index `value[j]` of this dimension (a gather, Helion's
  /// `cache[pos_ids[tile_m], :]`); adds the value's axis. Loads only: a store with a gather
  /// index (a scatter) is rejected. The index of a valid lane must be in bounds (the
  /// interpreter checks it; backends do not), the index value at an invalid lane is never read.
  gather,
};

/// One index of a `Load` or `Store`.
struct Index {
  IndexKind kind = IndexKind::scalar;
  int id = -1;        ///< tile variable (tile) or reduction dimension (full)
  std::string name;   ///< the tile's or rdim's name, for printing
  Expr value;         ///< tile: offset (undefined = 0); scalar and gather: the index; else undefined

  static Index tile(int tile_var, std::string name, Expr offset = Expr());
  static Index full(int rdim, std::string name);
  static Index scalar(Expr index);
  static Index new_axis();
  /// A gather index: `value` is an i64/i32 tile value with one tile or full axis (checked by
  /// `access_axes`).
  static Index gather(Expr value);
  /// The axis this index adds to the access's type, if any.
  std::optional<Axis> axis() const;
};

/// Checks `indices` against `tensor` (one non-`new_axis` index per dimension, i64 rank-0
/// offsets and scalars, gather values as `IndexKind::gather` says) and returns the axes of the
/// accessed tile. `what` names the operation
/// in errors ("load x", "store out").
std::vector<Axis> access_axes(const TensorParam& tensor, const std::vector<Index>& indices,
                              const std::string& what);

/// Reads a tile of a tensor; type = tensor dtype with `access_axes`. Invalid lanes read
/// nothing (ir.h, masking).
struct Load : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Load;
  Load(Type t, std::string tn, std::vector<Index> idx)
      : ExprNode(kKind, std::move(t)), tensor(std::move(tn)), indices(std::move(idx)) {}
  std::string tensor;  ///< name of an input or output of the kernel
  std::vector<Index> indices;
  static Expr make(const TensorParam& tensor, std::vector<Index> indices);
};

/// Elementwise one-operand operation; result type = operand type.
struct Unary : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Unary;
  Unary(Type t, UnaryOp o, Expr x) : ExprNode(kKind, std::move(t)), op(o), a(std::move(x)) {}
  UnaryOp op;
  Expr a;
  /// Rejects non-arithmetic dtypes and integers for float-only ops.
  static Expr make(UnaryOp op, Expr a);
};

/// Elementwise two-operand operation with broadcasting; operands have one dtype.
struct Binary : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Binary;
  Binary(Type t, BinaryOp o, Expr x, Expr y)
      : ExprNode(kKind, std::move(t)), op(o), a(std::move(x)), b(std::move(y)) {}
  BinaryOp op;
  Expr a, b;
  /// Rejects differing dtypes, incompatible axes, non-arithmetic dtypes and integers for
  /// float-only ops. Comparisons give bool.
  static Expr make(BinaryOp op, Expr a, Expr b);
};

/// `where(cond, t, f)`: cond is bool; t and f have one dtype; all three broadcast.
struct Select : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Select;
  Select(Type t, Expr c, Expr x, Expr y)
      : ExprNode(kKind, std::move(t)), cond(std::move(c)), t(std::move(x)), f(std::move(y)) {}
  Expr cond, t, f;
  static Expr make(Expr cond, Expr t, Expr f);
};

/// Conversion to `type.dtype` with the cast rules of ir.h; axes unchanged.
struct Cast : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Cast;
  Cast(Type t, Expr x) : ExprNode(kKind, std::move(t)), a(std::move(x)) {}
  Expr a;
  static Expr make(DType to, Expr a);
};

/// Reduction of `a` along `axis` (0 <= axis < rank); the result drops that axis and keeps
/// the dtype of `a`. `a` must be arithmetic.
struct Reduce : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Reduce;
  Reduce(Type t, ReduceOp o, Expr x, int ax)
      : ExprNode(kKind, std::move(t)), op(o), a(std::move(x)), axis(ax) {}
  ReduceOp op;
  Expr a;
  int axis;
  /// `axis` may be negative (counts from the end); it is normalized.
  static Expr make(ReduceOp op, Expr a, int axis);
};

/// Inserts broadcast axes: the result has rank(a) + new_axes.size() axes; the positions listed
/// in `new_axes` (sorted, in the result) are `broadcast`, the others are a's axes in order.
struct ExpandDims : ExprNode {
  static constexpr NodeKind kKind = NodeKind::ExpandDims;
  ExpandDims(Type t, Expr x, std::vector<int> na)
      : ExprNode(kKind, std::move(t)), a(std::move(x)), new_axes(std::move(na)) {}
  Expr a;
  std::vector<int> new_axes;
  static Expr make(Expr a, std::vector<int> new_axes);
};

/// A tile whose every lane is `value` (`zeros`, `full`); `value` is rounded to the dtype.
struct Full : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Full;
  Full(Type t, double v) : ExprNode(kKind, std::move(t)), value(v) {}
  double value;
  static Expr make(Type type, double value);
};

/// Matrix product with f32 accumulation (ir.h): a [M, K] x b [K, N] (+ acc [M, N] f32).
/// a and b have one dtype among f32, f16, bf16, f8e4m3fn, f8e5m2; the result is f32 [M, N].
struct Dot : ExprNode {
  static constexpr NodeKind kKind = NodeKind::Dot;
  Dot(Type t, Expr x, Expr y, Expr c)
      : ExprNode(kKind, std::move(t)), a(std::move(x)), b(std::move(y)), acc(std::move(c)) {}
  Expr a, b;
  Expr acc;  ///< undefined = zeros
  static Expr make(Expr a, Expr b, Expr acc = Expr());
};

/// Constant helpers for size arithmetic: i64 `IntImm`.
Expr size_const(std::int64_t v);

}  // namespace tessera::ir
