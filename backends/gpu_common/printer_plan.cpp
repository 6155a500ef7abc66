// SPDX-License-Identifier: Apache-2.0
// The thread plan: one distribution per tile axis (printer.h file comment), dot operands that
// are staged through shared memory, and the program order of loads.
#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/error.h"
#include "tessera/ir/visitor.h"

namespace tessera::backend::gpu {

int axis_key(const ir::Axis& a) { return a.kind == ir::AxisKind::full ? 1000 + a.id : a.id; }

std::string axis_tag(int key) {
  return key >= 1000 ? "r" + std::to_string(key - 1000) : "t" + std::to_string(key);
}

std::vector<ir::Expr> expr_children(const ir::Expr& e) {
  std::vector<ir::Expr> out;
  auto add_indices = [&](const std::vector<ir::Index>& idx) {
    for (const ir::Index& i : idx)
      if (i.value.defined()) out.push_back(i.value);
  };
  if (const auto* n = e.as<ir::Load>()) add_indices(n->indices);
  else if (const auto* u = e.as<ir::Unary>()) out = {u->a};
  else if (const auto* b = e.as<ir::Binary>()) out = {b->a, b->b};
  else if (const auto* s = e.as<ir::Select>()) out = {s->cond, s->t, s->f};
  else if (const auto* c = e.as<ir::Cast>()) out = {c->a};
  else if (const auto* r = e.as<ir::Reduce>()) out = {r->a};
  else if (const auto* x = e.as<ir::ExpandDims>()) out = {x->a};
  else if (const auto* d = e.as<ir::Dot>()) out = {d->a, d->b, d->acc};
  return out;
}

namespace {

std::int64_t pow2_floor(std::int64_t v) {
  std::int64_t p = 1;
  while (p * 2 <= v) p *= 2;
  return p;
}

/// Walks every expression reachable from the kernel body's statements, children first.
class Collector {
 public:
  explicit Collector(const lower::Program& p) : p_(p) {}

  std::vector<std::vector<ir::Axis>> spaces;
  std::map<int, int> widest_bytes;  ///< axis key -> widest element of a last-dim access along it
  std::map<int, std::int64_t> largest_space;  ///< axis key -> elements of the largest space it ends
  std::map<const ir::ExprNode*, int> load_order;
  std::map<int, ir::Expr> lets;
  std::set<int> dot_operand_lets;
  std::set<int> other_uses;  ///< Let ids read outside a dot operand position
  std::set<int> skip_lets;   ///< Lets not to walk (the dot operands, found by a first pass)
  std::vector<ir::Expr> dots;  ///< Dot nodes in program order

  void stmt(const ir::Stmt& s) {
    if (const auto* b = s.as<ir::Block>()) {
      for (const ir::Stmt& c : b->stmts) stmt(c);
    } else if (const auto* l = s.as<ir::TileLoop>()) {
      stmt(l->body);
    } else if (const auto* let = s.as<ir::Let>()) {
      lets[let->id] = let->value;
      // Dot operands are staged in shared memory with their own layout: they take no digits.
      if (!skip_lets.count(let->id)) expr(let->value);
    } else if (const auto* st = s.as<ir::Store>()) {
      std::vector<ir::Axis> axes;
      for (const ir::Index& i : st->indices) {
        if (i.value.defined()) expr(i.value);
        if (auto a = i.axis(); a && a->kind != ir::AxisKind::broadcast) axes.push_back(*a);
      }
      access(st->tensor, st->indices);
      add_space(axes);
      expr(st->value);
    } else if (const auto* d = s.as<ir::LocalDecl>()) {
      expr(d->init);
    } else if (const auto* a = s.as<ir::LocalAssign>()) {
      add_space(a->type.axes);
      expr(a->value);
    }
  }

 private:
  void add_space(const std::vector<ir::Axis>& axes) {
    std::vector<ir::Axis> real;
    for (const ir::Axis& a : axes)
      if (a.kind != ir::AxisKind::broadcast) real.push_back(a);
    if (real.empty()) return;
    spaces.push_back(real);
    std::int64_t n = 1;
    for (const ir::Axis& a : real) n *= p_.shape_of({a}, false)[0];
    std::int64_t& best = largest_space[axis_key(real.back())];
    best = std::max(best, n);
  }

  void access(const std::string& tensor, const std::vector<ir::Index>& idx) {
    const ir::TensorParam* t = p_.kernel->find_tensor(tensor);
    if (t == nullptr || idx.empty()) return;
    const ir::Index* last = nullptr;  // the index of the tensor's last dimension
    for (const ir::Index& i : idx)
      if (i.kind != ir::IndexKind::new_axis) last = &i;
    if (last == nullptr || (last->kind != ir::IndexKind::tile && last->kind != ir::IndexKind::full)) return;
    const int key = axis_key(*last->axis());
    const int bytes = dtype_size(t->dtype);
    int& widest = widest_bytes[key];
    widest = std::max(widest, bytes);
  }

  void expr(const ir::Expr& e) {
    if (!e.defined() || seen_.count(e.get())) return;
    seen_.insert(e.get());
    if (const auto* d = e.as<ir::Dot>()) {
      dots.push_back(e);
      for (const ir::Expr* op : {&d->a, &d->b}) {
        if (const auto* v = op->as<ir::Var>()) dot_operand_lets.insert(v->id);
        else expr(*op);
      }
      expr(d->acc);
      add_space(e.type().axes);
      return;
    }
    if (const auto* v = e.as<ir::Var>()) other_uses.insert(v->id);
    if (const auto* l = e.as<ir::Load>()) {
      load_order.emplace(e.get(), static_cast<int>(load_order.size()));
      access(l->tensor, l->indices);
    }
    for (const ir::Expr& child : expr_children(e)) expr(child);
    if (!e.type().is_scalar()) add_space(e.type().axes);
  }

  const lower::Program& p_;
  std::set<const ir::ExprNode*> seen_;
};

}  // namespace

ThreadPlan plan_threads(const lower::Program& p, const Dialect& dialect) {
  ThreadPlan plan;
  const int threads = static_cast<int>(p.num_warps * dialect.warp_size);
  plan.threads = threads;
  Collector first(p);
  first.stmt(p.kernel->body);
  Collector c(p);
  c.skip_lets = first.dot_operand_lets;
  c.stmt(p.kernel->body);
  for (const auto& [id, v] : first.lets) c.lets.emplace(id, v);
  plan.load_order = first.load_order;
  for (int id : c.dot_operand_lets) {
    TS_USER_CHECK(!c.other_uses.count(id))
        << "kernel '" << p.kernel->name << "': the GPU code generator stages dot operands in "
        << "shared memory, so a value used as a dot operand cannot also be used elsewhere "
        << "(let " << id << ")";
    plan.staged_lets.insert(id);
    plan.staged_values[id] = c.lets.at(id);
  }

  // A dot on tensor cores fixes its accumulator axes first (printer_mma.cpp; AMD MFMA/WMMA:
  // printer_hip_mfma.cpp, which also says why an AMD target has no matrix instruction).
  if (dialect.language == "hip") plan_mfma(p, dialect, first.dots, plan);
  else plan_mma(p, dialect, first.dots, plan);

  // Spaces of higher rank and more elements claim digits first; within one, the last axis
  // (the contiguous one) gets the lowest digits so lanes of a warp touch consecutive vectors.
  std::vector<std::vector<ir::Axis>> spaces = c.spaces;
  auto elements = [&](const std::vector<ir::Axis>& s) {
    std::int64_t n = 1;
    for (const ir::Axis& a : s) n *= p.shape_of({a}, false)[0];
    return n;
  };
  std::stable_sort(spaces.begin(), spaces.end(), [&](const auto& a, const auto& b) {
    return a.size() != b.size() ? a.size() > b.size() : elements(a) > elements(b);
  });
  std::map<int, std::set<int>> meets;
  for (const auto& s : spaces)
    for (const ir::Axis& a : s)
      for (const ir::Axis& b : s)
        if (!(a == b)) meets[axis_key(a)].insert(axis_key(b));

  for (const auto& s : spaces) {
    for (auto it = s.rbegin(); it != s.rend(); ++it) {
      const int key = axis_key(*it);
      if (plan.axes.count(key)) continue;
      AxisDist d;
      d.block = p.shape_of({*it}, false)[0];
      if (it->kind == ir::AxisKind::tile) d.masked = p.tiles[it->id].needs_mask;
      else d.masked = p.rdims[it->id].needs_mask;
      if (auto wb = c.widest_bytes.find(key); wb != c.widest_bytes.end()) {
        // 16 bytes of the widest tensor accessed along the axis: every access is then one
        // vector of at most 16 bytes per thread, contiguous across the lanes of a warp, so each
        // warp instruction covers whole 32-byte sectors. (16 bytes of the narrowest one, e.g. an
        // fp8 output, would split each bf16 input vector into two 16-byte loads whose lanes sit
        // 32 bytes apart: every load instruction would touch twice the sectors it uses.)
        std::int64_t spt = 16 / wb->second;
        // Keep every thread busy before widening vectors: at most elements/threads per thread.
        spt = std::min(spt, pow2_floor(std::max<std::int64_t>(1, c.largest_space[key] / threads)));
        spt = std::min(spt, d.block);
        while (spt > 1 && d.block % spt != 0) spt /= 2;
        d.spt = static_cast<int>(std::max<std::int64_t>(1, spt));
      }
      std::int64_t stride = 1;
      for (int other : meets[key]) {
        auto o = plan.axes.find(other);
        if (o != plan.axes.end() && o->second.thr > 1) stride = std::max<std::int64_t>(stride, o->second.top());
      }
      d.stride = static_cast<int>(stride);
      const std::int64_t room = stride >= threads ? 1 : threads / stride;
      d.thr = static_cast<int>(pow2_floor(std::min<std::int64_t>(room, (d.block + d.spt - 1) / d.spt)));
      if (d.thr == 1) d.stride = 1;
      plan.axes[key] = d;
    }
  }
  return plan;
}

namespace {
/// Elements per thread of one value above which a program's rows are processed in steps: 32
/// values (four 16-byte vectors of a 16-bit input) keep a thread near 40 registers, so 2048
/// threads fit an SM; a whole tile of 128 values per input held at once took 130+ registers,
/// 7 blocks of 64 threads per SM, each loading everything, then computing, then storing.
constexpr std::int64_t kStepElements = 32;
/// Steps only pay when other programs fill the SMs meanwhile: grids of fewer programs (a few
/// per SM) keep the whole tile's loads in flight at once instead.
constexpr std::int64_t kStepMinPrograms = 1024;
}  // namespace

RowSplit plan_row_split(const lower::Program& p, const ThreadPlan& plan, std::string* note) {
  const auto loops = p.kernel->loops();
  if (loops.size() != 1 || !plan.staged_lets.empty()) return {};  // device loops, dots: not row-local
  const ir::TileLoop& grid = *loops[0];
  std::int64_t programs = 1, elements = 1;
  for (int tv : grid.tile_vars) {
    const lower::TilePlan& t = p.tiles[tv];
    if (!t.static_extent) return {};
    programs *= (*t.static_extent + t.block - 1) / t.block;
    if (auto d = plan.axes.find(tv); d != plan.axes.end()) elements *= d->second.regs();
  }
  if (programs < kStepMinPrograms || elements <= kStepElements) return {};
  // The axis: a grid axis held one element per register run (not the vector axis), most
  // registers first.
  RowSplit best;
  int best_regs = 1;
  for (int tv : grid.tile_vars) {
    auto d = plan.axes.find(tv);
    if (d != plan.axes.end() && d->second.spt == 1 && !d->second.two_digit() && d->second.regs() > best_regs)
      best_regs = d->second.regs(), best.tile_var = tv;
  }
  if (best.tile_var < 0) return {};
  // Rows must not meet: no reduction along the axis, no locals carried between rows.
  bool row_local = true;
  ir::visit_with(
      grid.body,
      [&](const ir::Expr& e) {
        if (const auto* r = e.as<ir::Reduce>()) {
          const ir::Axis a = r->a.type().axes[r->axis];
          row_local &= !(a.kind == ir::AxisKind::tile && a.id == best.tile_var);
        }
        if (e.as<ir::Dot>() || e.as<ir::LocalRead>()) row_local = false;
      },
      [&](const ir::Stmt& s) {
        if (s.as<ir::LocalDecl>() || s.as<ir::LocalAssign>()) row_local = false;
      });
  if (!row_local) return {};
  const std::int64_t block = p.tiles[best.tile_var].block;
  while (elements / best.steps > kStepElements && best_regs / best.steps >= 2 && block % (2 * best.steps) == 0)
    best.steps *= 2;
  if (best.steps > 1 && note) {
    *note = "tile " + p.tiles[best.tile_var].name + " (" + std::to_string(block) + ") is processed in " +
            std::to_string(best.steps) + " steps of " + std::to_string(block / best.steps) + " inside each program: " +
            std::to_string(elements) + " elements per thread and value at once exceed " + std::to_string(kStepElements) +
            " (registers), and the grid's " + std::to_string(programs) + " programs keep the SMs busy";
  }
  return best;
}

}  // namespace tessera::backend::gpu
