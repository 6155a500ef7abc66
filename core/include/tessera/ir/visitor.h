// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Walkers over IR graphs, generated from the node list ([Halide] IRVisitor / IRMutator):
///  * `Visitor`: read-only; every `visit` recurses into the children by default.
///  * `Mutator`: returns a new node; the default rebuilds a node through its `make()` only if
///    a child changed (so unchanged subgraphs stay shared) and returns it unchanged otherwise.
///  * `visit_with(node, fn)`: a one-off pre-order walk calling `fn` on every expression and
///    statement.
/// A DAG is walked as a tree: a node shared by two parents is visited twice.

#include <functional>

#include "tessera/ir/expr.h"
#include "tessera/ir/stmt.h"

namespace tessera::ir {

/// Read-only walker. Override the `visit` overloads of the nodes of interest and call the
/// base version to keep recursing.
class Visitor {
 public:
  virtual ~Visitor() = default;
  /// Dispatches on the node kind (null handles are ignored).
  void visit(const Expr& e);
  void visit(const Stmt& s);

 protected:
  /// Called with the handle before the typed `visit` of every node (default: nothing).
  virtual void enter(const Expr&) {}
  virtual void enter(const Stmt&) {}
#define TS_IMPL_VISITOR_DECL(n) virtual void visit(const n& node);
  TS_FOR_EACH_IR_NODE(TS_IMPL_VISITOR_DECL)
#undef TS_IMPL_VISITOR_DECL
  /// Visits the expressions inside an access index (offsets, scalar indices).
  void visit_indices(const std::vector<Index>& indices);
};

/// Rewriting walker. Override `mutate` overloads; the defaults rebuild when a child changed.
class Mutator {
 public:
  virtual ~Mutator() = default;
  /// Dispatches on the node kind (null handles are returned unchanged).
  Expr mutate(const Expr& e);
  Stmt mutate(const Stmt& s);

 protected:
  // Each overload receives the node and its handle (to return when nothing changes).
#define TS_IMPL_MUTATOR_EXPR(n) virtual Expr mutate(const n& node, const Expr& self);
  TS_FOR_EACH_IR_EXPR(TS_IMPL_MUTATOR_EXPR)
#undef TS_IMPL_MUTATOR_EXPR
#define TS_IMPL_MUTATOR_STMT(n) virtual Stmt mutate(const n& node, const Stmt& self);
  TS_FOR_EACH_IR_STMT(TS_IMPL_MUTATOR_STMT)
#undef TS_IMPL_MUTATOR_STMT
  /// Mutates the expressions inside access indices; sets `changed` if any differs.
  std::vector<Index> mutate_indices(const std::vector<Index>& indices, bool& changed);
};

/// Calls `on_expr` / `on_stmt` (either may be empty) on every node reachable from `root`, in
/// pre-order.
void visit_with(const Stmt& root, const std::function<void(const Expr&)>& on_expr,
                const std::function<void(const Stmt&)>& on_stmt = {});
/// Same, from an expression.
void visit_with(const Expr& root, const std::function<void(const Expr&)>& on_expr);

}  // namespace tessera::ir
