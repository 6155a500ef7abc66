// SPDX-License-Identifier: Apache-2.0
// The kernel verifier (spec in verifier.h and ir.h).
#include "tessera/ir/verifier.h"

#include <map>
#include <set>

#include "tessera/error.h"
#include "tessera/ir/printer.h"
#include "tessera/ir/size_expr.h"
#include "tessera/ir/stmt.h"
#include "tessera/ir/visitor.h"

namespace tessera::ir {
namespace {

class Verifier {
 public:
  explicit Verifier(const Kernel& k) : k_(k) {}

  void run() {
    check_params();
    const Block* top = k_.body.as<Block>();
    std::vector<Stmt> stmts = top ? top->stmts : std::vector<Stmt>{k_.body};
    TS_USER_CHECK(k_.body.defined() && stmts.size() == 1 && stmts[0].as<TileLoop>() &&
                  stmts[0].as<TileLoop>()->is_grid)
        << "the body must be exactly one grid tile loop (k.tile at the top of the definition) with "
           "every statement inside it";
    scopes_.emplace_back();
    stmt(stmts[0]);
    scopes_.pop_back();
  }

 private:
  struct Scope {
    std::set<int> lets, locals;
  };

  void check_params() {
    std::set<std::string> names;
    for (const auto& v : k_.size_vars) TS_USER_CHECK(!v.name.empty()) << "a size symbol has an empty name";
    auto check_dims = [&](const TensorParam& t) {
      TS_USER_CHECK(names.insert(t.name).second) << "parameter name '" << t.name << "' is used twice";
      for (std::size_t d = 0; d < t.dims.size(); ++d) {
        TS_USER_CHECK(is_size_expr(t.dims[d]))
            << "dimension " << d << " of '" << t.name << "' is not a size expression";
        visit_with(t.dims[d], [&](const Expr& e) {
          if (const auto* s = e.as<SizeVar>()) {
            TS_USER_CHECK(k_.find_size_var(s->name)) << "dimension " << d << " of '" << t.name
                                                     << "' uses undeclared size symbol '" << s->name << "'";
          }
        });
      }
    };
    for (const auto& t : k_.inputs) {
      TS_USER_CHECK(t.role == TensorRole::input) << "'" << t.name << "' is listed as an input";
      check_dims(t);
    }
    for (const auto& t : k_.outputs) {
      TS_USER_CHECK(t.role == TensorRole::output) << "'" << t.name << "' is listed as an output";
      check_dims(t);
    }
    for (const auto& s : k_.scalars)
      TS_USER_CHECK(names.insert(s.name).second) << "parameter name '" << s.name << "' is used twice";
    for (std::size_t i = 0; i < k_.tile_vars.size(); ++i) {
      const TileVar& t = k_.tile_vars[i];
      TS_USER_CHECK(t.id == static_cast<int>(i)) << "tile variable " << t.name << " has id " << t.id;
      TS_USER_CHECK(is_size_expr(t.extent)) << "the extent of tile " << t.name << " is not a size expression";
      TS_USER_CHECK(!t.fixed_block_size || *t.fixed_block_size > 0)
          << "tile " << t.name << ": fixed block size must be positive";
    }
    for (std::size_t i = 0; i < k_.rdims.size(); ++i) {
      TS_USER_CHECK(k_.rdims[i].id == static_cast<int>(i) && is_size_expr(k_.rdims[i].extent))
          << "reduction dimension " << k_.rdims[i].name << " is malformed";
    }
  }

  void check_axes(const Type& t, const std::string& where) {
    for (const Axis& a : t.axes) {
      if (a.kind == AxisKind::tile) {
        TS_USER_CHECK(a.id >= 0 && a.id < static_cast<int>(k_.tile_vars.size()))
            << where << ": unknown tile variable " << a.id;
        TS_USER_CHECK(in_scope_tiles_.count(a.id))
            << where << ": tile " << k_.tile_vars[a.id].name << " is used outside its loop";
      } else if (a.kind == AxisKind::full) {
        TS_USER_CHECK(a.id >= 0 && a.id < static_cast<int>(k_.rdims.size()))
            << where << ": unknown reduction dimension " << a.id;
      }
    }
  }

  void check_indices(const std::string& tensor, const std::vector<Index>& indices, const std::string& what) {
    const TensorParam* t = k_.find_tensor(tensor);
    TS_USER_CHECK(t) << what << ": unknown tensor '" << tensor << "'";
    int dim = 0;
    for (const Index& ix : indices) {
      if (ix.kind == IndexKind::gather) {
        // A tile-valued index; its one axis (checked by access_axes) must be in scope like any value's.
        TS_USER_CHECK(ix.value.defined() && ix.value.type().rank() == 1)
            << what << ": a gather index must be a rank-1 integer tile value";
        expr(ix.value);
      } else if (ix.value.defined()) {
        TS_USER_CHECK(ix.value.type().is_scalar()) << what << ": index expressions must be scalars";
        expr(ix.value);
      }
      if (ix.kind == IndexKind::full) {
        TS_USER_CHECK(ix.id >= 0 && ix.id < static_cast<int>(k_.rdims.size()))
            << what << ": unknown reduction dimension " << ix.id;
        TS_USER_CHECK(dim < t->rank() && size_equal(k_.rdims[ix.id].extent, t->dims[dim]))
            << what << ": all() slice " << ix.name << " (extent " << canonical_size(k_.rdims[ix.id].extent)
            << ") does not span dimension " << dim << " of '" << tensor << "'";
      }
      if (ix.kind == IndexKind::tile) {
        TS_USER_CHECK(ix.id >= 0 && ix.id < static_cast<int>(k_.tile_vars.size()) && in_scope_tiles_.count(ix.id))
            << what << ": tile " << ix.name << " is used outside its loop";
      }
      if (ix.kind != IndexKind::new_axis) ++dim;
    }
  }

  void expr(const Expr& e) {
    if (!e.defined()) return;
    const std::string where = std::string(node_kind_name(e.kind())) + " " + to_string(e);
    check_axes(e.type(), where);
    if (const auto* v = e.as<Var>()) {
      TS_USER_CHECK(let_visible(v->id)) << "%" << v->id << " is used outside the block that defines it";
      TS_USER_CHECK(let_types_.at(v->id) == v->type) << "%" << v->id << " has the wrong type";
      return;
    }
    if (const auto* r = e.as<LocalRead>()) {
      TS_USER_CHECK(local_visible(r->id)) << "local $" << r->name << " is read outside its scope";
      TS_USER_CHECK(local_types_.at(r->id) == r->type) << "local $" << r->name << " is read with the wrong type";
      return;
    }
    if (const auto* s = e.as<ScalarArg>()) {
      const ScalarParam* p = k_.find_scalar(s->name);
      TS_USER_CHECK(p && p->dtype == s->type.dtype) << "unknown scalar argument '" << s->name << "'";
      return;
    }
    if (const auto* s = e.as<SizeVar>()) {
      TS_USER_CHECK(k_.find_size_var(s->name)) << "unknown size symbol '" << s->name << "'";
      return;
    }
    if (const auto* l = e.as<Load>()) {
      check_indices(l->tensor, l->indices, "load " + l->tensor);
      const TensorParam* t = k_.find_tensor(l->tensor);
      TS_USER_CHECK(Load::make(*t, l->indices).type() == l->type) << where << ": type disagrees with its tensor";
      return;
    }
    // Every other node: the children are valid and make() recomputes the same type.
    Expr rebuilt;
    if (const auto* n = e.as<Unary>()) expr(n->a), rebuilt = Unary::make(n->op, n->a);
    if (const auto* n = e.as<Binary>()) expr(n->a), expr(n->b), rebuilt = Binary::make(n->op, n->a, n->b);
    if (const auto* n = e.as<Select>())
      expr(n->cond), expr(n->t), expr(n->f), rebuilt = Select::make(n->cond, n->t, n->f);
    if (const auto* n = e.as<Cast>()) expr(n->a), rebuilt = Cast::make(n->type.dtype, n->a);
    if (const auto* n = e.as<Reduce>()) expr(n->a), rebuilt = Reduce::make(n->op, n->a, n->axis);
    if (const auto* n = e.as<ExpandDims>()) expr(n->a), rebuilt = ExpandDims::make(n->a, n->new_axes);
    if (const auto* n = e.as<Dot>()) expr(n->a), expr(n->b), expr(n->acc), rebuilt = Dot::make(n->a, n->b, n->acc);
    if (rebuilt.defined()) {
      TS_USER_CHECK(rebuilt.type() == e.type()) << where << ": stored type " << to_string(e.type())
                                                << " disagrees with its operands (" << to_string(rebuilt.type()) << ")";
    }
  }

  void stmt(const Stmt& s) {
    if (const auto* b = s.as<Block>()) {
      scopes_.emplace_back();
      for (const Stmt& c : b->stmts) stmt(c);
      scopes_.pop_back();
    } else if (const auto* l = s.as<TileLoop>()) {
      TS_USER_CHECK(l->is_grid == (loop_depth_ == 0))
          << (l->is_grid ? "a grid tile loop must be the outermost statement"
                         : "the outermost tile loop must be the grid loop");
      for (int id : l->tile_vars) {
        TS_USER_CHECK(id >= 0 && id < static_cast<int>(k_.tile_vars.size())) << "unknown tile variable " << id;
        TS_USER_CHECK(k_.tile_vars[id].is_grid == l->is_grid) << "tile " << k_.tile_vars[id].name
                                                              << " is in the wrong kind of loop";
        TS_USER_CHECK(in_scope_tiles_.insert(id).second) << "tile " << k_.tile_vars[id].name << " is looped twice";
      }
      ++loop_depth_;
      scopes_.emplace_back();
      stmt(l->body);
      scopes_.pop_back();
      --loop_depth_;
      for (int id : l->tile_vars) in_scope_tiles_.erase(id);
    } else if (const auto* let = s.as<Let>()) {
      expr(let->value);
      TS_USER_CHECK(let->id >= 0 && let->id < k_.num_lets && !let_types_.count(let->id))
          << "%" << let->id << " is bound twice or out of range";
      let_types_[let->id] = let->value.type();
      scopes_.back().lets.insert(let->id);
    } else if (const auto* st = s.as<Store>()) {
      check_indices(st->tensor, st->indices, "store " + st->tensor);
      expr(st->value);
      Store::make(*k_.find_tensor(st->tensor), st->indices, st->value);  // rechecks roles and types
    } else if (const auto* d = s.as<LocalDecl>()) {
      expr(d->init);
      TS_USER_CHECK(d->id >= 0 && d->id < k_.num_locals && !local_types_.count(d->id))
          << "local $" << d->name << " is declared twice or out of range";
      local_types_[d->id] = d->init.type();
      scopes_.back().locals.insert(d->id);
    } else if (const auto* a = s.as<LocalAssign>()) {
      expr(a->value);
      TS_USER_CHECK(local_visible(a->id)) << "local $" << a->name << " is assigned outside its scope";
      TS_USER_CHECK(local_types_.at(a->id) == a->type) << "local $" << a->name << " is assigned with the wrong type";
    }
  }

  bool let_visible(int id) const {
    for (const auto& sc : scopes_)
      if (sc.lets.count(id)) return true;
    return false;
  }
  bool local_visible(int id) const {
    for (const auto& sc : scopes_)
      if (sc.locals.count(id)) return true;
    return false;
  }

  const Kernel& k_;
  std::vector<Scope> scopes_;
  std::map<int, Type> let_types_, local_types_;
  std::set<int> in_scope_tiles_;
  int loop_depth_ = 0;
};

// One store's index range on one dimension: [lo, hi) as canonical size texts.
struct Range {
  std::string lo, hi;
};

Range index_range(const Kernel& k, const Index& ix) {
  auto add = [](const Expr& a, const Expr& b) { return canonical_size(b.defined() ? Binary::make(BinaryOp::add, a, b) : a); };
  switch (ix.kind) {
    case IndexKind::tile: {
      Expr off = ix.value.defined() ? ix.value : size_const(0);
      return {canonical_size(off), add(off, k.tile_vars[ix.id].extent)};
    }
    case IndexKind::full: return {"0", canonical_size(k.rdims[ix.id].extent)};
    case IndexKind::scalar: return {canonical_size(ix.value), add(ix.value, size_const(1))};
    case IndexKind::new_axis: break;
    case IndexKind::gather: break;  // loads only (Store::make rejects it)
  }
  return {"", ""};
}

}  // namespace

void verify_output_coverage(const Kernel& k) {
  std::map<std::string, std::vector<std::vector<Range>>> boxes;
  visit_with(k.body, {}, [&](const Stmt& s) {
    if (const auto* st = s.as<Store>()) {
      std::vector<Range> box;
      for (const Index& ix : st->indices)
        if (ix.kind != IndexKind::new_axis) box.push_back(index_range(k, ix));
      boxes[st->tensor].push_back(std::move(box));
    }
  });
  for (const TensorParam& out : k.outputs) {
    const auto& bs = boxes[out.name];
    TS_USER_CHECK(!bs.empty()) << "output '" << out.name << "' is never stored";
    std::vector<std::string> full;
    for (const Expr& d : out.dims) full.push_back(canonical_size(d));
    const int rank = out.rank();
    bool covered = rank == 0;
    int worst_dim = 0;
    // Try each dimension as the one that may be split between stores; all others must be whole.
    for (int split = 0; split < std::max(rank, 1) && !covered; ++split) {
      std::vector<Range> pieces;
      for (const auto& box : bs) {
        bool others_full = true;
        for (int d = 0; d < rank; ++d)
          if (d != split && !(box[d].lo == "0" && box[d].hi == full[d])) others_full = false, worst_dim = d;
        if (others_full) pieces.push_back(box[split]);
      }
      std::string at = "0";
      for (bool progress = true; progress && at != full[split];) {
        progress = false;
        for (const Range& r : pieces)
          if (r.lo == at && r.hi != at) {
            at = r.hi;
            progress = true;
            break;
          }
      }
      if (at == full[split] && !pieces.empty()) covered = true;
      else if (!pieces.empty()) worst_dim = split;
    }
    if (!covered && rank > 0) {
      std::string ranges;
      for (const auto& box : bs) ranges += " [" + box[worst_dim].lo + ", " + box[worst_dim].hi + ")";
      TS_USER_CHECK(false) << "the stores to output '" << out.name << "' do not cover it: dimension " << worst_dim
                           << " has extent " << full[worst_dim] << " but the stores cover" << ranges
                           << " (a store covers every element of its tiles' extents; index with tiles whose "
                              "extent is the dimension, or all())";
    }
  }
}

void verify(const Kernel& k) {
  try {
    Verifier(k).run();
    verify_output_coverage(k);
  } catch (const UserError& e) {
    throw UserError(cat("kernel '", k.name, "': ", e.what()));
  }
}

}  // namespace tessera::ir
