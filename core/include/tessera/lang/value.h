// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The handles a kernel definition manipulates while it is traced (builder.h): `Size` (a
/// symbolic or constant dimension), `Tile` (a tile variable inside its `k.tile` loop),
/// `Value` (a traced tile value) and the index arguments `all()`, `none()`, `tile + offset`.
/// Every operation on them appends IR to the kernel being defined; semantics are ir/ir.h's.

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "tessera/dtype.h"
#include "tessera/ir/expr.h"

namespace tessera::lang {

class Builder;
class Value;

/// An i64 size expression: a tensor dimension (`x.dim(0)`), a constant, or arithmetic on them.
/// Sizes are evaluated at launch (or at compile time when specialized).
class Size {
 public:
  /// A constant size.
  Size(std::int64_t v);  // NOLINT(google-explicit-constructor): sizes mix freely with ints
  Size(int v) : Size(static_cast<std::int64_t>(v)) {}  // NOLINT
  explicit Size(ir::Expr e) : expr_(std::move(e)) {}
  const ir::Expr& expr() const { return expr_; }

 private:
  ir::Expr expr_;
};

/// Size arithmetic (integer; `/` divides toward zero).
Size operator+(const Size& a, const Size& b);
Size operator-(const Size& a, const Size& b);
Size operator*(const Size& a, const Size& b);
Size operator/(const Size& a, const Size& b);

/// A tile variable, valid only inside the `k.tile` lambda that received it.
class Tile {
 public:
  Tile(Builder* b, int id) : builder_(b), id_(id) {}
  int id() const { return id_; }
  /// The global indices of this tile's lanes, as an i64 tile value (Helion `tile.index`).
  Value index() const;
  Builder* builder() const { return builder_; }

 private:
  Builder* builder_;
  int id_;
};

/// `tile + offset`: the lanes of `tile` shifted by a size (e.g. `x(tm, tn + d)`).
struct TileOffset {
  Tile tile;
  Size offset;
};
TileOffset operator+(const Tile& t, const Size& offset);

/// The `all()` index: a whole tensor dimension (a reduction dimension), or "keep this axis"
/// when indexing a value.
struct Slice {};
/// The `none()` index: a new size-1 axis that broadcasts.
struct NewAxis {};
inline Slice all() { return {}; }
inline NewAxis none() { return {}; }

/// The `gather(v)` index (made by `gather`, below): a tensor dimension indexed by the lanes of an
/// integer tile value, e.g. `cache(gather(pos), all())` reads row `pos[j]` for lane j of pos's
/// tile (ir::IndexKind::gather). Loads only.
struct GatherIndex {
  ir::Expr index;
};

/// One index of a tensor access `x(...)` or of a value view `v[{...}]`.
class IndexArg {
 public:
  IndexArg(const Tile& t) : kind_(Kind::tile), tile_(t) {}                              // NOLINT
  IndexArg(const TileOffset& t) : kind_(Kind::tile), tile_(t.tile), size_(t.offset) {}  // NOLINT
  IndexArg(Slice) : kind_(Kind::all) {}                                                  // NOLINT
  IndexArg(NewAxis) : kind_(Kind::none) {}                                               // NOLINT
  IndexArg(const Size& s) : kind_(Kind::scalar), size_(s) {}                            // NOLINT
  IndexArg(std::int64_t v) : kind_(Kind::scalar), size_(v) {}                           // NOLINT
  IndexArg(int v) : kind_(Kind::scalar), size_(v) {}                                    // NOLINT
  IndexArg(const GatherIndex& g) : kind_(Kind::gather), size_(g.index) {}               // NOLINT

  enum class Kind { tile, all, none, scalar, gather };
  Kind kind() const { return kind_; }
  const Tile& tile() const { return tile_; }
  /// tile: the offset; scalar: the index; gather: the index tile's expression.
  const Size& size() const { return size_; }

 private:
  Kind kind_;
  Tile tile_{nullptr, -1};
  Size size_{0};
};

/// A traced tile value (the result of a load, an operation, a local read...). Cheap to copy.
/// Using a value outside the loop that computed it is a definition-time error.
class Value {
 public:
  Value(Builder* b, ir::Expr e, int scope) : builder_(b), expr_(std::move(e)), scope_(scope) {}
  /// An i64 scalar value from a size (e.g. to compare with `tile.index()`).
  explicit Value(const Size& s);

  const ir::Expr& expr() const { return expr_; }
  const ir::Type& type() const { return expr_.type(); }
  DType dtype() const { return expr_.dtype(); }
  int rank() const { return expr_.type().rank(); }
  Builder* builder() const { return builder_; }
  int scope() const { return scope_; }

  /// Converts with the cast rules of ir.h (fp8: RNE + saturation; integers: round + clamp).
  Value to(DType dtype) const;
  /// A view with broadcast axes: one `all()` per existing axis (kept, in order) and a `none()`
  /// where a size-1 axis is inserted, e.g. `inv[{all(), none()}]` turns [tm] into [tm, 1].
  Value operator[](std::vector<IndexArg> view) const;

 private:
  Builder* builder_;
  ir::Expr expr_;
  int scope_;
};

/// A gather index from `index`: an i64 or i32 tile value with one axis (a tile, or all() of a
/// dimension), e.g. the positions `pos = position_ids(tm)` in `cos_sin_cache(gather(pos), all())`,
/// whose result has pos's axis in that position. Lanes of `index` must be valid indices of the
/// dimension (in bounds); see ir::IndexKind::gather.
GatherIndex gather(const Value& index);

}  // namespace tessera::lang
