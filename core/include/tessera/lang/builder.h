// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The tile-language front end: `define(name, [](Builder& k) { ... })` runs the lambda once,
/// tracing every operation into an `ir::Kernel`, then verifies it (ir/verifier.h). Errors at
/// definition time are `UserError`s that name the kernel and the operation, e.g.
/// "kernel 'rms_norm': add: dtype mismatch: bf16[t0, R0] vs f32[t0, R0]; cast one operand
/// with .to(dtype)".
///
/// \code
///   ir::Kernel k = define("add", [](Builder& k) {
///     auto x = k.input("x", DType::f32, {"n"});
///     auto y = k.input("y", DType::f32, {"n"});
///     auto out = k.output("out", DType::f32, {x.dim(0)});
///     k.tile({x.dim(0)}, [&](Tile t) { out(t) = x(t) + y(t); });
///   });
/// \endcode
/// The first `k.tile` is the launch grid (one `block_sizes` entry per dimension); a `k.tile`
/// inside it is a device loop run sequentially inside each program.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/ir/kernel.h"
#include "tessera/lang/tensor_ref.h"
#include "tessera/lang/value.h"

namespace tessera::lang {

/// One dimension of a tensor declaration: a symbol name ("m"), a constant, or a size.
class DimArg {
 public:
  DimArg(const char* symbol) : symbol_(symbol) {}          // NOLINT
  DimArg(std::string symbol) : symbol_(std::move(symbol)) {}  // NOLINT
  DimArg(const Size& s) : size_(s) {}                      // NOLINT
  DimArg(std::int64_t v) : size_(Size(v)) {}               // NOLINT
  DimArg(int v) : size_(Size(v)) {}                        // NOLINT
  const std::optional<std::string>& symbol() const { return symbol_; }
  const std::optional<Size>& size() const { return size_; }

 private:
  std::optional<std::string> symbol_;
  std::optional<Size> size_;
};

/// Options of one `k.tile` loop.
struct TileOptions {
  /// Tile names for printing (default "t<id>").
  std::vector<std::string> names;
  /// Fixed block sizes per dimension (0 = from the config), like Helion's
  /// `hl.tile(n, block_size=1)`; a fixed dimension has no `block_sizes` entry.
  std::vector<std::int64_t> block_sizes;
};

/// Records one kernel definition. Created by `define`; not copyable.
class Builder {
 public:
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  /// Declares an input tensor with one `DimArg` per dimension; symbols with the same name
  /// are the same size.
  TensorRef input(const std::string& name, DType dtype, std::vector<DimArg> dims);
  /// Declares an output tensor; its dims must use symbols of the inputs (or constants).
  TensorRef output(const std::string& name, DType dtype, std::vector<DimArg> dims);
  /// Declares a scalar argument passed at launch (`eps`); returns it as a rank-0 value.
  Value scalar_arg(const std::string& name, DType dtype);
  /// Makes every symbol of `s` a compile-time constant of each compiled program; returns `s`.
  Size specialize(const Size& s);
  /// Sets the accuracy mode of the approximate operations (ir/ops.h); default fast.
  void math_mode(ir::MathMode mode);

  /// A tile loop over `dims`: the grid if it is the first, else a device loop nested in the
  /// current one. `body` takes one `Tile` per dimension.
  template <typename F>
  void tile(std::vector<Size> dims, F&& body) {
    tile(std::move(dims), TileOptions{}, std::forward<F>(body));
  }
  template <typename F>
  void tile(std::vector<Size> dims, const TileOptions& opts, F&& body) {
    std::vector<Tile> tiles = begin_tile(dims, opts);
    invoke_tiles(body, tiles, std::make_index_sequence<4>{});
    end_tile();
  }

  /// Declares a loop-carried local initialized with `init` (e.g. `zeros({tm, tn}, f32)`).
  Local local(const Value& init, const std::string& name = "");

  // ---- used by the handles (value.h, tensor_ref.h, ops.h); not for kernel authors ----
  /// Binds `e` to a new Let in the current block and returns its Var as a value.
  Value emit(const ir::Expr& e);
  /// A value for a position-independent leaf (constant, scalar argument, size) without a Let.
  Value leaf(const ir::Expr& e);
  /// Throws unless `v` was traced by this builder and its block is still open.
  void check_usable(const Value& v, const char* op) const;
  /// Throws unless tile `id` belongs to an open loop.
  void check_tile(int tile_id, const char* op) const;
  /// Converts index arguments to IR indices for `tensor` (all() slices become rdims).
  std::vector<ir::Index> lower_indices(const ir::TensorParam& tensor, const std::vector<IndexArg>& idx,
                                       const char* op);
  const ir::TensorParam& param(int index, bool is_output) const;
  void emit_store(const ir::TensorParam& t, const std::vector<IndexArg>& idx, const Value& v);
  void emit_local_assign(int id, const std::string& name, const ir::Type& type, int scope, const Value& v);
  Value read_local(int id, const std::string& name, const ir::Type& type, int scope);
  /// The axis for a `zeros`/`full` shape entry: a tile, or a size (its reduction dimension).
  ir::Axis axis_for(const IndexArg& a, const char* op);
  const ir::Kernel& kernel() const { return k_; }

 private:
  friend ir::Kernel define(const std::string& name, const std::function<void(Builder&)>& body);
  explicit Builder(std::string name);
  ir::Kernel finish();
  TensorRef declare(const std::string& name, DType dtype, const std::vector<DimArg>& dims, bool is_output);
  std::vector<Tile> begin_tile(const std::vector<Size>& dims, const TileOptions& opts);
  void end_tile();
  int rdim_for(const ir::Expr& extent);
  bool scope_open(int scope) const;

  template <typename F, std::size_t... I>
  void invoke_tiles(F& body, const std::vector<Tile>& t, std::index_sequence<I...>) {
    // Calls body with exactly as many Tiles as it takes (1 to 4).
    if constexpr (std::is_invocable_v<F&, Tile>) {
      arity_check(t, 1), body(t[0]);
    } else if constexpr (std::is_invocable_v<F&, Tile, Tile>) {
      arity_check(t, 2), body(t[0], t[1]);
    } else if constexpr (std::is_invocable_v<F&, Tile, Tile, Tile>) {
      arity_check(t, 3), body(t[0], t[1], t[2]);
    } else {
      static_assert(std::is_invocable_v<F&, Tile, Tile, Tile, Tile>,
                    "k.tile body must take 1 to 4 Tile arguments");
      arity_check(t, 4), body(t[0], t[1], t[2], t[3]);
    }
  }
  void arity_check(const std::vector<Tile>& t, std::size_t n) const;

  ir::Kernel k_;
  std::vector<std::vector<ir::Stmt>> blocks_;  // open statement lists, innermost last
  std::vector<int> block_ids_;                 // scope id of each open block
  std::vector<std::vector<int>> loop_tiles_;   // tile ids of each open loop
  int next_scope_ = 0;
  int loops_begun_ = 0;
  std::map<std::string, int> rdim_by_extent_;
};

/// Traces `body` into a verified kernel called `name`. Throws `UserError` prefixed with
/// "kernel 'NAME': " for any definition error.
ir::Kernel define(const std::string& name, const std::function<void(Builder&)>& body);

}  // namespace tessera::lang
