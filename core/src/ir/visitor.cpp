// SPDX-License-Identifier: Apache-2.0
// Visitor / Mutator dispatch and default recursion, generated from the node list.
#include "tessera/ir/visitor.h"

#include "tessera/error.h"
#include "tessera/ir/kernel.h"

namespace tessera::ir {

void Visitor::visit(const Expr& e) {
  if (!e.defined()) return;
  enter(e);
  switch (e.kind()) {
#define TS_IMPL_CASE(n) \
  case NodeKind::n: visit(*e.as<n>()); return;
    TS_FOR_EACH_IR_EXPR(TS_IMPL_CASE)
#undef TS_IMPL_CASE
    default: TS_INTERNAL_CHECK(false) << "statement kind in an Expr handle";
  }
}

void Visitor::visit(const Stmt& s) {
  if (!s.defined()) return;
  enter(s);
  switch (s.kind()) {
#define TS_IMPL_CASE(n) \
  case NodeKind::n: visit(*s.as<n>()); return;
    TS_FOR_EACH_IR_STMT(TS_IMPL_CASE)
#undef TS_IMPL_CASE
    default: TS_INTERNAL_CHECK(false) << "expression kind in a Stmt handle";
  }
}

void Visitor::visit_indices(const std::vector<Index>& indices) {
  for (const Index& ix : indices) visit(ix.value);
}

void Visitor::visit(const IntImm&) {}
void Visitor::visit(const FloatImm&) {}
void Visitor::visit(const SizeVar&) {}
void Visitor::visit(const ScalarArg&) {}
void Visitor::visit(const Var&) {}
void Visitor::visit(const LocalRead&) {}
void Visitor::visit(const TileIndex&) {}
void Visitor::visit(const Load& n) { visit_indices(n.indices); }
void Visitor::visit(const Unary& n) { visit(n.a); }
void Visitor::visit(const Binary& n) {
  visit(n.a);
  visit(n.b);
}
void Visitor::visit(const Select& n) {
  visit(n.cond);
  visit(n.t);
  visit(n.f);
}
void Visitor::visit(const Cast& n) { visit(n.a); }
void Visitor::visit(const Reduce& n) { visit(n.a); }
void Visitor::visit(const ExpandDims& n) { visit(n.a); }
void Visitor::visit(const Full&) {}
void Visitor::visit(const Dot& n) {
  visit(n.a);
  visit(n.b);
  visit(n.acc);
}
void Visitor::visit(const Block& n) {
  for (const Stmt& s : n.stmts) visit(s);
}
void Visitor::visit(const TileLoop& n) { visit(n.body); }
void Visitor::visit(const Let& n) { visit(n.value); }
void Visitor::visit(const Store& n) {
  visit_indices(n.indices);
  visit(n.value);
}
void Visitor::visit(const LocalDecl& n) { visit(n.init); }
void Visitor::visit(const LocalAssign& n) { visit(n.value); }

// ---- Mutator ----

Expr Mutator::mutate(const Expr& e) {
  if (!e.defined()) return e;
  switch (e.kind()) {
#define TS_IMPL_CASE(n) \
  case NodeKind::n: return mutate(*e.as<n>(), e);
    TS_FOR_EACH_IR_EXPR(TS_IMPL_CASE)
#undef TS_IMPL_CASE
    default: TS_INTERNAL_CHECK(false) << "statement kind in an Expr handle";
  }
  return e;
}

Stmt Mutator::mutate(const Stmt& s) {
  if (!s.defined()) return s;
  switch (s.kind()) {
#define TS_IMPL_CASE(n) \
  case NodeKind::n: return mutate(*s.as<n>(), s);
    TS_FOR_EACH_IR_STMT(TS_IMPL_CASE)
#undef TS_IMPL_CASE
    default: TS_INTERNAL_CHECK(false) << "expression kind in a Stmt handle";
  }
  return s;
}

std::vector<Index> Mutator::mutate_indices(const std::vector<Index>& indices, bool& changed) {
  std::vector<Index> out = indices;
  for (Index& ix : out) {
    Expr v = mutate(ix.value);
    if (!v.same_as(ix.value)) {
      changed = true;
      ix.value = v;
    }
  }
  return out;
}

Expr Mutator::mutate(const IntImm&, const Expr& self) { return self; }
Expr Mutator::mutate(const FloatImm&, const Expr& self) { return self; }
Expr Mutator::mutate(const SizeVar&, const Expr& self) { return self; }
Expr Mutator::mutate(const ScalarArg&, const Expr& self) { return self; }
Expr Mutator::mutate(const Var&, const Expr& self) { return self; }
Expr Mutator::mutate(const LocalRead&, const Expr& self) { return self; }
Expr Mutator::mutate(const TileIndex&, const Expr& self) { return self; }
Expr Mutator::mutate(const Full&, const Expr& self) { return self; }

Expr Mutator::mutate(const Load& n, const Expr& self) {
  bool changed = false;
  auto idx = mutate_indices(n.indices, changed);
  if (!changed) return self;
  // A Load keeps its tensor's dtype and rank; rebuild through a parameter stub.
  TensorParam stub{n.tensor, n.type.dtype, {}, TensorRole::input};
  for (const Index& ix : idx)
    if (ix.kind != IndexKind::new_axis) stub.dims.push_back(size_const(1));
  return Load::make(stub, std::move(idx));
}
Expr Mutator::mutate(const Unary& n, const Expr& self) {
  Expr a = mutate(n.a);
  return a.same_as(n.a) ? self : Unary::make(n.op, a);
}
Expr Mutator::mutate(const Binary& n, const Expr& self) {
  Expr a = mutate(n.a), b = mutate(n.b);
  return a.same_as(n.a) && b.same_as(n.b) ? self : Binary::make(n.op, a, b);
}
Expr Mutator::mutate(const Select& n, const Expr& self) {
  Expr c = mutate(n.cond), t = mutate(n.t), f = mutate(n.f);
  return c.same_as(n.cond) && t.same_as(n.t) && f.same_as(n.f) ? self : Select::make(c, t, f);
}
Expr Mutator::mutate(const Cast& n, const Expr& self) {
  Expr a = mutate(n.a);
  return a.same_as(n.a) ? self : Cast::make(n.type.dtype, a);
}
Expr Mutator::mutate(const Reduce& n, const Expr& self) {
  Expr a = mutate(n.a);
  return a.same_as(n.a) ? self : Reduce::make(n.op, a, n.axis);
}
Expr Mutator::mutate(const ExpandDims& n, const Expr& self) {
  Expr a = mutate(n.a);
  return a.same_as(n.a) ? self : ExpandDims::make(a, n.new_axes);
}
Expr Mutator::mutate(const Dot& n, const Expr& self) {
  Expr a = mutate(n.a), b = mutate(n.b), c = mutate(n.acc);
  return a.same_as(n.a) && b.same_as(n.b) && c.same_as(n.acc) ? self : Dot::make(a, b, c);
}

Stmt Mutator::mutate(const Block& n, const Stmt& self) {
  bool changed = false;
  std::vector<Stmt> out;
  out.reserve(n.stmts.size());
  for (const Stmt& s : n.stmts) {
    out.push_back(mutate(s));
    changed |= !out.back().same_as(s);
  }
  return changed ? Block::make(std::move(out)) : self;
}
Stmt Mutator::mutate(const TileLoop& n, const Stmt& self) {
  Stmt b = mutate(n.body);
  return b.same_as(n.body) ? self : TileLoop::make(n.tile_vars, n.is_grid, b);
}
Stmt Mutator::mutate(const Let& n, const Stmt& self) {
  Expr v = mutate(n.value);
  return v.same_as(n.value) ? self : Let::make(n.id, n.name, v);
}
Stmt Mutator::mutate(const Store& n, const Stmt& self) {
  bool changed = false;
  auto idx = mutate_indices(n.indices, changed);
  Expr v = mutate(n.value);
  if (!changed && v.same_as(n.value)) return self;
  TensorParam stub{n.tensor, v.dtype(), {}, TensorRole::output};
  for (const Index& ix : idx)
    if (ix.kind != IndexKind::new_axis) stub.dims.push_back(size_const(1));
  return Store::make(stub, std::move(idx), v);
}
Stmt Mutator::mutate(const LocalDecl& n, const Stmt& self) {
  Expr v = mutate(n.init);
  return v.same_as(n.init) ? self : LocalDecl::make(n.id, n.name, v);
}
Stmt Mutator::mutate(const LocalAssign& n, const Stmt& self) {
  Expr v = mutate(n.value);
  return v.same_as(n.value) ? self : LocalAssign::make(n.id, n.name, n.type, v);
}

namespace {
class LambdaVisitor : public Visitor {
 public:
  LambdaVisitor(const std::function<void(const Expr&)>& e, const std::function<void(const Stmt&)>& s)
      : on_expr_(e), on_stmt_(s) {}
  using Visitor::visit;

 protected:
  void enter(const Expr& e) override {
    if (on_expr_) on_expr_(e);
  }
  void enter(const Stmt& s) override {
    if (on_stmt_) on_stmt_(s);
  }

 private:
  const std::function<void(const Expr&)>& on_expr_;
  const std::function<void(const Stmt&)>& on_stmt_;
};
}  // namespace

void visit_with(const Stmt& root, const std::function<void(const Expr&)>& on_expr,
                const std::function<void(const Stmt&)>& on_stmt) {
  LambdaVisitor v(on_expr, on_stmt);
  v.visit(root);
}

void visit_with(const Expr& root, const std::function<void(const Expr&)>& on_expr) {
  std::function<void(const Stmt&)> none;
  LambdaVisitor v(on_expr, none);
  v.visit(root);
}

}  // namespace tessera::ir
