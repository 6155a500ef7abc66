// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Statement nodes (semantics in ir.h): sequencing, tile loops, value bindings, stores and
/// loop-carried locals.

#include <string>
#include <vector>

#include "tessera/ir/expr.h"
#include "tessera/ir/node.h"

namespace tessera::ir {

/// Statements run in order. A Block is the scope of the `Let`s and `LocalDecl`s it contains.
struct Block : StmtNode {
  static constexpr NodeKind kKind = NodeKind::Block;
  explicit Block(std::vector<Stmt> s) : StmtNode(kKind), stmts(std::move(s)) {}
  std::vector<Stmt> stmts;
  static Stmt make(std::vector<Stmt> stmts);
};

/// A loop over the tiles of one or more dimensions (the tile variables' ids, in
/// `Kernel::tile_vars`). The grid loop (`is_grid`) is the outermost statement of a kernel and
/// its iterations are programs; every other TileLoop is a device loop that runs sequentially
/// inside one program, the last listed dimension varying fastest (config `loop_orders` may
/// permute the grid's order, which is unobservable by ir.h's program independence).
struct TileLoop : StmtNode {
  static constexpr NodeKind kKind = NodeKind::TileLoop;
  TileLoop(std::vector<int> tv, bool g, Stmt b)
      : StmtNode(kKind), tile_vars(std::move(tv)), is_grid(g), body(std::move(b)) {}
  std::vector<int> tile_vars;
  bool is_grid;
  Stmt body;
  static Stmt make(std::vector<int> tile_vars, bool is_grid, Stmt body);
};

/// Evaluates `value` once and binds it to `Var(id)` for the rest of the enclosing block.
struct Let : StmtNode {
  static constexpr NodeKind kKind = NodeKind::Let;
  Let(int i, std::string n, Expr v) : StmtNode(kKind), id(i), name(std::move(n)), value(std::move(v)) {}
  int id;
  std::string name;  ///< for printing: "%3" style ids are printed when empty
  Expr value;
  static Stmt make(int id, std::string name, Expr value);
  /// The `Var` expression referring to this binding.
  Expr var() const;
};

/// Writes the valid lanes of `value` (broadcast to the access axes) to a tile of `tensor`,
/// converting to the tensor dtype is *not* implicit: the value must have the tensor's dtype.
struct Store : StmtNode {
  static constexpr NodeKind kKind = NodeKind::Store;
  Store(std::string tn, std::vector<Index> idx, Expr v)
      : StmtNode(kKind), tensor(std::move(tn)), indices(std::move(idx)), value(std::move(v)) {}
  std::string tensor;
  std::vector<Index> indices;
  Expr value;
  static Stmt make(const TensorParam& tensor, std::vector<Index> indices, Expr value);
};

/// Declares loop-carried local `id` with initial value `init`; its type is init's type for
/// the local's whole life. Scope: the rest of the enclosing block (and loops nested in it).
struct LocalDecl : StmtNode {
  static constexpr NodeKind kKind = NodeKind::LocalDecl;
  LocalDecl(int i, std::string n, Expr v)
      : StmtNode(kKind), id(i), name(std::move(n)), init(std::move(v)) {}
  int id;
  std::string name;
  Expr init;
  static Stmt make(int id, std::string name, Expr init);
  /// A `LocalRead` of this local.
  Expr read() const;
};

/// Replaces the value of local `id`. `value` has the local's dtype and axes that broadcast to
/// the local's axes (`type` is the local's type, recorded for checking).
struct LocalAssign : StmtNode {
  static constexpr NodeKind kKind = NodeKind::LocalAssign;
  LocalAssign(int i, std::string n, Type t, Expr v)
      : StmtNode(kKind), id(i), name(std::move(n)), type(std::move(t)), value(std::move(v)) {}
  int id;
  std::string name;
  Type type;
  Expr value;
  static Stmt make(int id, std::string name, Type local_type, Expr value);
};

}  // namespace tessera::ir
