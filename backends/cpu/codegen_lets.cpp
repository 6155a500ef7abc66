// SPDX-License-Identifier: Apache-2.0
// Which Lets the CPU code generator evaluates at their uses (codegen_lets.h: the rules, why).
#include "cpu/codegen_lets.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "tessera/ir/visitor.h"

namespace tessera::backend::cpu {

namespace {

using ir::Expr;
using ir::Stmt;

/// What evaluating a value once more per lane costs, in increasing order.
enum class Cost { kTrivial, kCheap, kExpensive, kNever };

/// One occurrence of a Let's Var in a statement of the Let's block.
struct Use {
  std::size_t stmt = 0;      ///< index of that statement in the block
  bool nested = false;       ///< inside a tile loop (evaluated once per iteration)
  bool broadcast = false;    ///< evaluated over lanes along an axis the Let does not have
  bool dot_operand = false;  ///< inside an operand of a Dot
};

/// Tensors a value loads and locals it reads (not through Vars).
struct Reads {
  std::set<std::string> tensors;
  std::set<int> locals;
};

using AxisSet = std::set<std::pair<int, int>>;

AxisSet axis_set(const std::vector<ir::Axis>& axes) {
  AxisSet s;
  for (const ir::Axis& a : axes)
    if (a.kind != ir::AxisKind::broadcast) s.emplace(static_cast<int>(a.kind), a.id);
  return s;
}

/// The statements of `s`: a Block's list, or `s` alone.
std::vector<Stmt> stmts_of(const Stmt& s) {
  if (const auto* b = s.as<ir::Block>()) return b->stmts;
  return {s};
}

/// True when a stored element of `t` becomes a value without arithmetic (codegen_types.cpp
/// from_storage: a plain read, a widening, or bf16's shift).
bool free_load(DType t) { return t != DType::f16 && t != DType::f8e4m3fn && t != DType::f8e5m2; }

class Planner {
 public:
  explicit Planner(const lower::Program& p) : p_(p), k_(*p.kernel) {
    lets_.resize(static_cast<std::size_t>(k_.num_lets));
    ir::visit_with(k_.body, [](const Expr&) {}, [&](const Stmt& s) {
      if (const auto* l = s.as<ir::Let>()) lets_[static_cast<std::size_t>(l->id)] = l;
    });
  }

  LetPlan run() {
    plan_block(stmts_of(k_.loops()[0]->body));
    return std::move(plan_);
  }

 private:
  bool deferred(const ir::Let& l) const {  // along a looped reduction dimension (codegen.cpp)
    for (const ir::Axis& a : l.value.type().axes)
      if (a.kind == ir::AxisKind::full && p_.rdims[a.id].strategy == lower::ReductionStrategy::kLooped) return true;
    return false;
  }

  /// Records every Var occurrence in `e`, evaluated over `domain` (the lanes of the loop it
  /// is evaluated in); Reduce inputs and Dot operands are evaluated in loops of their own.
  void walk(const Expr& e, const AxisSet& domain, bool dot, std::size_t stmt) {
    if (!e.defined()) return;
    if (const auto* v = e.as<ir::Var>()) {
      const AxisSet own = axis_set(e.type().axes);
      const bool bcast = !std::includes(own.begin(), own.end(), domain.begin(), domain.end());
      uses_[v->id].push_back(Use{stmt, false, bcast, dot});
    } else if (const auto* r = e.as<ir::Reduce>()) {
      walk(r->a, axis_set(r->a.type().axes), dot, stmt);
    } else if (const auto* d = e.as<ir::Dot>()) {
      walk(d->a, {}, true, stmt);
      walk(d->b, {}, true, stmt);
      walk(d->acc, domain, dot, stmt);
    } else if (const auto* l = e.as<ir::Load>()) {
      for (const ir::Index& i : l->indices) walk(i.value, {}, dot, stmt);
    } else if (const auto* u = e.as<ir::Unary>()) {
      walk(u->a, domain, dot, stmt);
    } else if (const auto* b = e.as<ir::Binary>()) {
      walk(b->a, domain, dot, stmt), walk(b->b, domain, dot, stmt);
    } else if (const auto* s = e.as<ir::Select>()) {
      walk(s->cond, domain, dot, stmt), walk(s->t, domain, dot, stmt), walk(s->f, domain, dot, stmt);
    } else if (const auto* c = e.as<ir::Cast>()) {
      walk(c->a, domain, dot, stmt);
    } else if (const auto* x = e.as<ir::ExpandDims>()) {
      walk(x->a, domain, dot, stmt);
    }
  }

  void collect_uses(const Stmt& s, std::size_t j) {
    if (const auto* l = s.as<ir::Let>()) {
      walk(l->value, axis_set(l->value.type().axes), false, j);
    } else if (const auto* st = s.as<ir::Store>()) {
      std::vector<ir::Axis> axes;
      for (const ir::Index& i : st->indices) {
        walk(i.value, {}, false, j);
        if (auto a = i.axis()) axes.push_back(*a);
      }
      walk(st->value, axis_set(axes), false, j);
    } else if (const auto* d = s.as<ir::LocalDecl>()) {
      walk(d->init, axis_set(d->init.type().axes), false, j);
    } else if (const auto* a = s.as<ir::LocalAssign>()) {
      walk(a->value, axis_set(a->type.axes), false, j);
    } else {  // a nested loop or block: every occurrence is evaluated once per iteration
      ir::visit_with(s, [&](const Expr& e) {
        if (const auto* v = e.as<ir::Var>()) uses_[v->id].push_back(Use{j, true, false, false});
      }, [](const Stmt&) {});
    }
  }

  /// The cost of evaluating `e` per lane, assuming the Lets it refers to are inlined too when
  /// they can be (a pessimistic guess: they are decided after their users).
  Cost cost(const Expr& e) const {
    if (!e.defined()) return Cost::kTrivial;
    if (e.as<ir::Reduce>() || e.as<ir::Dot>()) return Cost::kNever;
    if (const auto* v = e.as<ir::Var>()) {  // a Let that is never inlined is an array read
      const Expr& value = lets_[static_cast<std::size_t>(v->id)]->value;
      const Cost c = value.type().is_scalar() ? Cost::kTrivial : cost(value);
      return c == Cost::kNever ? Cost::kTrivial : c;
    }
    if (const auto* l = e.as<ir::Load>()) {
      Cost c = free_load(e.dtype()) ? Cost::kTrivial : Cost::kCheap;
      for (const ir::Index& i : l->indices) c = std::max(c, cost(i.value));
      return c;
    }
    if (const auto* c = e.as<ir::Cast>()) {
      const DType from = c->a.dtype(), to = e.dtype();
      Cost own = Cost::kCheap;  // rounding to a narrow float, integer clamps
      if (to == DType::f32 || to == DType::f64) own = dtype_is_float(from) ? Cost::kTrivial : Cost::kCheap;
      if (dtype_is_float(from) && !dtype_is_float(to) && to != DType::boolean) own = Cost::kExpensive;
      return std::max(own, cost(c->a));
    }
    if (const auto* x = e.as<ir::ExpandDims>()) return cost(x->a);
    if (const auto* u = e.as<ir::Unary>()) {
      const bool simple = u->op == ir::UnaryOp::neg || u->op == ir::UnaryOp::abs || u->op == ir::UnaryOp::floor ||
                          u->op == ir::UnaryOp::ceil || u->op == ir::UnaryOp::round;
      return std::max(simple ? Cost::kCheap : Cost::kExpensive, cost(u->a));
    }
    if (const auto* b = e.as<ir::Binary>()) {
      const bool slow = b->op == ir::BinaryOp::div || b->op == ir::BinaryOp::pow;
      return std::max({slow ? Cost::kExpensive : Cost::kCheap, cost(b->a), cost(b->b)});
    }
    if (const auto* s = e.as<ir::Select>()) return std::max({Cost::kCheap, cost(s->cond), cost(s->t), cost(s->f)});
    return Cost::kTrivial;  // immediates, sizes, scalar arguments, tile indices, local reads
  }

  static void reads_of(const Expr& e, Reads& r) {
    ir::visit_with(e, [&](const Expr& c) {
      if (const auto* l = c.as<ir::Load>()) r.tensors.insert(l->tensor);
      if (const auto* l = c.as<ir::LocalRead>()) r.locals.insert(l->id);
    });
  }

  /// True when statement `s` (or one nested in it) stores to a tensor of `r` or assigns a local
  /// of `r`; `at_site`: `s` is where the value is evaluated (assignments there read first).
  static bool writes(const Stmt& s, const Reads& r, bool at_site) {
    bool hit = false;
    ir::visit_with(s, [](const Expr&) {}, [&](const Stmt& c) {
      if (const auto* st = c.as<ir::Store>()) hit = hit || r.tensors.count(st->tensor) > 0;
      if (const auto* a = c.as<ir::LocalAssign>()) hit = hit || (!at_site && r.locals.count(a->id) > 0);
    });
    return hit;
  }

  bool inlinable(const ir::Let& l, std::size_t i, std::size_t site, const std::vector<Stmt>& stmts) const {
    const Expr& v = l.value;
    if (v.type().is_scalar()) return false;  // a scalar is one register: nothing to save
    const auto it = uses_.find(l.id);
    if (it == uses_.end() || it->second.empty()) return false;
    const std::vector<Use>& us = it->second;
    const Cost c = cost(v);
    if (c == Cost::kNever) return false;
    for (const Use& u : us)
      if (u.nested || u.dot_operand) return false;
    if (us.size() > 1 && c != Cost::kTrivial) return false;
    if (us.size() == 1 && us[0].broadcast && c == Cost::kExpensive) return false;
    Reads r;
    reads_of(v, r);
    for (std::size_t j = i + 1; j <= site && j < stmts.size(); ++j)
      if (writes(stmts[j], r, j == site)) return false;
    return true;
  }

  void plan_block(const std::vector<Stmt>& stmts) {
    for (const Stmt& s : stmts)
      if (const auto* loop = s.as<ir::TileLoop>()) plan_block(stmts_of(loop->body));
    for (std::size_t j = 0; j < stmts.size(); ++j) collect_uses(stmts[j], j);
    // Users come after the Lets they use: decide from the last statement back, so a Let's
    // evaluation site (the statement that finally evaluates it) is known when it is decided.
    std::map<int, std::size_t> site;
    auto site_of_stmt = [&](std::size_t j) {
      const auto* user = stmts[j].as<ir::Let>();
      const auto s = user ? site.find(user->id) : site.end();
      return s != site.end() ? s->second : j;
    };
    for (std::size_t i = stmts.size(); i-- > 0;) {
      const auto* l = stmts[i].as<ir::Let>();
      if (l == nullptr) continue;
      std::size_t at = i;  // where its value would be evaluated if not materialized here
      for (const Use& u : uses_[l->id]) at = std::max(at, site_of_stmt(u.stmt));
      const bool inl = inlinable(*l, i, at, stmts);
      if (inl) plan_.inlined.insert(l->id);
      if (inl || deferred(*l)) site[l->id] = at;
    }
  }

  const lower::Program& p_;
  const ir::Kernel& k_;
  std::vector<const ir::Let*> lets_;
  std::map<int, std::vector<Use>> uses_;
  LetPlan plan_;
};

}  // namespace

LetPlan plan_lets(const lower::Program& program) { return Planner(program).run(); }

}  // namespace tessera::backend::cpu
