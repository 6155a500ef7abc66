// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The node kinds of the IR, in one X-macro list that generates the `NodeKind` enum, the
/// `Visitor`/`Mutator` virtuals (visitor.h) and the printer's dispatch ([Halide]
/// `HALIDE_FOR_EACH_IR_EXPR`). Adding a node = one line here + one struct in expr.h/stmt.h +
/// one case in each of the walkers that the compiler then points at.
///
/// Nodes are small immutable structs created only by their static `make()`, which validates
/// the operands and computes the result type; a failed check throws `UserError` naming the
/// operation. Handles (`Expr`, `Stmt`) share nodes: an IR graph is a DAG of `const` nodes.

#include <memory>
#include <string_view>

#include "tessera/ir/type.h"

namespace tessera::ir {

// Expressions (tile values), in expr.h.
#define TS_FOR_EACH_IR_EXPR(X) \
  X(IntImm)                    \
  X(FloatImm)                  \
  X(SizeVar)                   \
  X(ScalarArg)                 \
  X(Var)                       \
  X(LocalRead)                 \
  X(TileIndex)                 \
  X(Load)                      \
  X(Unary)                     \
  X(Binary)                    \
  X(Select)                    \
  X(Cast)                      \
  X(Reduce)                    \
  X(ExpandDims)                \
  X(Full)                      \
  X(Dot)

// Statements, in stmt.h.
#define TS_FOR_EACH_IR_STMT(X) \
  X(Block)                     \
  X(TileLoop)                  \
  X(Let)                       \
  X(Store)                     \
  X(LocalDecl)                 \
  X(LocalAssign)

#define TS_FOR_EACH_IR_NODE(X) TS_FOR_EACH_IR_EXPR(X) TS_FOR_EACH_IR_STMT(X)

/// One enumerator per node struct.
enum class NodeKind : unsigned char {
#define TS_IMPL_NODE_ENUM(n) n,
  TS_FOR_EACH_IR_NODE(TS_IMPL_NODE_ENUM)
#undef TS_IMPL_NODE_ENUM
};

/// "Load", "TileLoop", ...
std::string_view node_kind_name(NodeKind k);
/// True for the kinds of TS_FOR_EACH_IR_EXPR.
bool is_expr_kind(NodeKind k);

/// Common base of every node.
struct Node {
  explicit Node(NodeKind k) : kind(k) {}
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  const NodeKind kind;
};

/// Base of expression nodes: every expression has a type.
struct ExprNode : Node {
  ExprNode(NodeKind k, Type t) : Node(k), type(std::move(t)) {}
  const Type type;
};

/// Base of statement nodes.
struct StmtNode : Node {
  using Node::Node;
};

/// A shared handle to an immutable expression node (null = undefined, e.g. a missing `acc`).
class Expr {
 public:
  Expr() = default;
  explicit Expr(std::shared_ptr<const ExprNode> n) : node_(std::move(n)) {}

  bool defined() const { return node_ != nullptr; }
  explicit operator bool() const { return defined(); }
  /// The node's kind; the handle must be defined.
  NodeKind kind() const { return node_->kind; }
  /// The node's type; the handle must be defined.
  const Type& type() const { return node_->type; }
  DType dtype() const { return node_->type.dtype; }
  const ExprNode* get() const { return node_.get(); }
  const ExprNode* operator->() const { return node_.get(); }
  /// The node as `T` if it is one, else null.
  template <typename T>
  const T* as() const {
    return node_ && node_->kind == T::kKind ? static_cast<const T*>(node_.get()) : nullptr;
  }
  /// Identity (same node), not structural equality.
  bool same_as(const Expr& o) const { return node_ == o.node_; }

 private:
  std::shared_ptr<const ExprNode> node_;
};

/// A shared handle to an immutable statement node.
class Stmt {
 public:
  Stmt() = default;
  explicit Stmt(std::shared_ptr<const StmtNode> n) : node_(std::move(n)) {}

  bool defined() const { return node_ != nullptr; }
  explicit operator bool() const { return defined(); }
  NodeKind kind() const { return node_->kind; }
  const StmtNode* get() const { return node_.get(); }
  const StmtNode* operator->() const { return node_.get(); }
  template <typename T>
  const T* as() const {
    return node_ && node_->kind == T::kKind ? static_cast<const T*>(node_.get()) : nullptr;
  }
  bool same_as(const Stmt& o) const { return node_ == o.node_; }

 private:
  std::shared_ptr<const StmtNode> node_;
};

}  // namespace tessera::ir
