// SPDX-License-Identifier: Apache-2.0
// IR + config -> Program: tile shapes and masks, reduction strategies, grid and device-loop
// plans, launch parameters, and a layout for every tile value.
#include <algorithm>
#include <numeric>
#include <set>

#include "tessera/error.h"
#include "tessera/ir/config_space.h"
#include "tessera/lower/program.h"

namespace tessera::lower {

namespace {

std::int64_t next_pow2(std::int64_t v) {
  std::int64_t p = 1;
  while (p < v) p *= 2;
  return p;
}

/// Assigns a layout to every tile-valued expression, records shared staging buffers.
class LayoutAssigner {
 public:
  explicit LayoutAssigner(Program& p) : p_(p), cpu_(p.warp_size <= 1) {}

  void run(const ir::Stmt& s, int device_loop) {
    if (const auto* b = s.as<ir::Block>()) {
      for (const ir::Stmt& c : b->stmts) run(c, device_loop);
    } else if (const auto* l = s.as<ir::TileLoop>()) {
      run(l->body, l->is_grid ? -1 : loop_index(l));
    } else if (const auto* let = s.as<ir::Let>()) {
      assign(let->value);
      let_values_[let->id] = let->value;
      let_loop_[let->id] = device_loop;
    } else if (const auto* st = s.as<ir::Store>()) {
      assign(st->value);
    } else if (const auto* d = s.as<ir::LocalDecl>()) {
      assign(d->init);
      if (static_cast<int>(p_.local_layouts.size()) <= d->id) p_.local_layouts.resize(d->id + 1);
      p_.local_layouts[d->id] = p_.layout_of(d->init);
    } else if (const auto* a = s.as<ir::LocalAssign>()) {
      assign(a->value);
      // A local carrying a dot accumulator lives in the dot's layout for its whole life
      // (Triton gives the accumulator's initial value the mma layout too).
      const Layout& v = p_.layout_of(a->value);
      if (v.kind == LayoutKind::kMma && a->id < static_cast<int>(p_.local_layouts.size()))
        p_.local_layouts[a->id] = v;
    }
  }

  std::map<int, ir::Expr> let_values_;
  std::map<int, int> let_loop_;

 private:
  int loop_index(const ir::TileLoop* l) const {
    const auto loops = p_.kernel->loops();
    for (std::size_t i = 0; i < loops.size(); ++i)
      if (loops[i] == l) return static_cast<int>(i);
    return -1;
  }

  Layout blocked(const ir::Type& t) const {
    return blocked_layout(p_.shape_of(t.axes, cpu_), t.dtype, static_cast<int>(p_.num_warps),
                          p_.warp_size);
  }

  void assign(const ir::Expr& e) {
    if (!e.defined() || p_.layouts.count(e.get())) return;
    for (const ir::Expr& c : children(e)) assign(c);
    if (e.type().is_scalar()) return;
    Layout l;
    if (const auto* r = e.as<ir::Reduce>()) {
      l = slice_layout(p_.layout_of(r->a), r->axis);
    } else if (const auto* d = e.as<ir::Dot>()) {
      const auto shape = p_.shape_of(e.type().axes, cpu_);
      l = mma_layout(shape[0], shape[1], p_.target, static_cast<int>(p_.num_warps), p_.warp_size);
      for (int i = 0; i < 2; ++i) {
        const ir::Expr& op = i == 0 ? d->a : d->b;
        p_.layouts[op.get()] = dot_operand_layout(l, i, p_.shape_of(op.type().axes, cpu_), op.dtype());
        if (const auto* v = op.as<ir::Var>()) dot_operand_lets_.insert(v->id);
      }
    } else if (const auto* v = e.as<ir::Var>(); v && let_values_.count(v->id)) {
      l = p_.layout_of(let_values_.at(v->id));  // a Let's uses share its value's layout
    } else if (const auto* x = e.as<ir::ExpandDims>()) {
      const Layout& in = p_.layout_of(x->a);
      // Broadcasting a reduction back along its own axis is free: the parent layout.
      if (in.kind == LayoutKind::kSlice && x->new_axes.size() == 1 && x->new_axes[0] == in.slice_dim) {
        l = *in.parent;
        l.shape[in.slice_dim] = 1;
      } else {
        l = blocked(e.type());
      }
    } else {
      l = blocked(e.type());
    }
    p_.layouts[e.get()] = std::move(l);
  }

  static std::vector<ir::Expr> children(const ir::Expr& e) {
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

 public:
  std::set<int> dot_operand_lets_;

 private:
  Program& p_;
  bool cpu_;
};

}  // namespace

Program lower(std::shared_ptr<const ir::Kernel> kernel_ptr, const Config& given,
              const Specialization& spec, const std::string& caps_target, int warp_size) {
  TS_INTERNAL_CHECK(kernel_ptr != nullptr) << "lower: null kernel";
  const ir::Kernel& k = *kernel_ptr;
  // The config fitted to this kernel (list lengths, Helion's rules; errors name the field).
  const ir::ConfigSpace space = ir::ConfigSpace::of(k, spec.sizes);
  ir::NormalizedConfig normalized = space.normalize(given);
  const Config& config = normalized.config;
  // Fields the config leaves out take the config space's defaults for this target (one source
  // of defaults: ConfigSpace::default_config, CPU or Helion's).
  const Config defaults = space.default_config(ir::defaults_for(warp_size));
  Program p;
  p.kernel = kernel_ptr;
  p.config = given;
  p.notes = std::move(normalized.notes);
  p.target = caps_target;
  p.warp_size = std::max(1, warp_size);
  p.num_warps = config.num_warps().value_or(4);
  p.num_stages = config.num_stages().value_or(1);
  p.spec = spec;

  for (const ir::SizeVarInfo& sv : k.size_vars) {
    TS_USER_CHECK(!sv.specialized || spec.sizes.count(sv.name))
        << "kernel '" << k.name << "': size '" << sv.name
        << "' is specialized (k.specialize) but the specialization gives no value for it";
  }
  const auto loops = k.loops();
  TS_INTERNAL_CHECK(!loops.empty() && loops[0]->is_grid) << "kernel '" << k.name << "' has no grid loop";

  // Tile shapes.
  const auto block_sizes = config.block_sizes() ? config.block_sizes() : defaults.block_sizes();
  for (const ir::TileVar& tv : k.tile_vars) {
    TilePlan t;
    t.tile_var = tv.id;
    t.name = tv.name;
    t.is_grid = tv.is_grid;
    t.loop = tv.loop;
    t.static_extent = eval_size(tv.extent, spec.sizes);
    if (tv.fixed_block_size) {
      t.block = *tv.fixed_block_size;
    } else {
      t.block = block_sizes->at(static_cast<std::size_t>(tv.block_size_slot));
    }
    t.needs_mask = !t.static_extent || *t.static_extent % t.block != 0;
    p.tiles.push_back(t);
  }

  // Reduction strategies.
  const auto reduction_loops = config.reduction_loops() ? config.reduction_loops() : defaults.reduction_loops();
  for (const ir::RDim& rd : k.rdims) {
    RDimPlan r;
    r.rdim = rd.id;
    r.name = rd.name;
    r.static_extent = eval_size(rd.extent, spec.sizes);
    std::optional<std::int64_t> chunk = reduction_loops ? (*reduction_loops)[rd.id] : std::nullopt;
    if (chunk && r.static_extent && *chunk >= *r.static_extent) {
      p.notes.push_back("reduction_loops[" + std::to_string(rd.id) + "] = " + std::to_string(*chunk) +
                        " covers the whole extent " + std::to_string(*r.static_extent) +
                        ": persistent reduction");
      chunk.reset();
    }
    if (chunk) {
      r.strategy = ReductionStrategy::kLooped;
      r.block = *chunk;
      r.needs_mask = !r.static_extent || *r.static_extent % r.block != 0;
    } else {
      TS_USER_CHECK(r.static_extent.has_value())
          << "kernel '" << k.name << "': reduction dimension " << rd.name
          << " has no compile-time extent, so it cannot be a persistent reduction "
             "(reduction_loops[" << rd.id << "] = null). Use static_shapes, specialize the "
             "dimension, or give reduction_loops[" << rd.id << "] a chunk size";
      r.strategy = ReductionStrategy::kPersistent;
      r.block = next_pow2(*r.static_extent);
      r.needs_mask = r.block != *r.static_extent;
    }
    p.rdims.push_back(r);
  }

  // Grid and device loops.
  const auto loop_orders = config.loop_orders() ? config.loop_orders() : defaults.loop_orders();
  const auto flatten_loops = config.flatten_loops();
  auto nd_slot = [&](int loop) { return space.loop_order_slot_of(loop); };
  auto order_of = [&](int loop) {
    std::vector<int> order(loops[loop]->tile_vars.size());
    std::iota(order.begin(), order.end(), 0);
    const int slot = nd_slot(loop);
    if (slot >= 0 && loop_orders) order.assign((*loop_orders)[slot].begin(), (*loop_orders)[slot].end());
    return order;
  };
  p.grid.pid_type = config.pid_type().value_or(PidType::kFlat);
  p.grid.order = order_of(0);
  p.grid.flatten = nd_slot(0) >= 0 && flatten_loops && (*flatten_loops)[nd_slot(0)];
  p.grid.num_sm_multiplier = config.num_sm_multiplier().value_or(1);
  // l2_groupings has an entry only for a grid of two or more dimensions (ConfigSpace).
  if (auto l2 = config.l2_groupings(); l2 && !l2->empty()) p.grid.l2_grouping = (*l2)[0];

  // Range slots: 0 is the grid, then one per device-loop dimension; a device loop takes the
  // entries of its innermost dimension (the loop a code generator unrolls and pipelines).
  const auto unroll = config.range_unroll_factors();
  const auto stages = config.range_num_stages();
  for (std::size_t i = 1; i < loops.size(); ++i) {
    DeviceLoopPlan d;
    d.loop = static_cast<int>(i);
    d.tile_vars = loops[i]->tile_vars;
    d.order = order_of(static_cast<int>(i));
    d.flatten = nd_slot(d.loop) >= 0 && flatten_loops && (*flatten_loops)[nd_slot(d.loop)];
    const auto slot = static_cast<std::size_t>(space.range_slot_of(d.tile_vars[d.order.back()]));
    d.unroll = unroll ? (*unroll)[slot] : 0;
    d.num_stages = stages ? (*stages)[slot] : 0;
    p.device_loops.push_back(d);
  }

  // Launch parameters: tensors, scalars, run-time sizes, run-time strides, program count.
  for (const auto* list : {&k.inputs, &k.outputs})
    for (const ir::TensorParam& t : *list) p.params.push_back({ParamKind::kTensor, t.name, t.dtype, -1});
  for (const ir::ScalarParam& s : k.scalars) p.params.push_back({ParamKind::kScalar, s.name, s.dtype, -1});
  for (const ir::SizeVarInfo& sv : k.size_vars)
    if (!spec.sizes.count(sv.name)) p.params.push_back({ParamKind::kSize, sv.name, DType::i64, -1});
  for (const auto* list : {&k.inputs, &k.outputs}) {
    for (const ir::TensorParam& t : *list) {
      auto it = spec.strides.find(t.name);
      if (it != spec.strides.end()) {
        TS_USER_CHECK(static_cast<int>(it->second.size()) == t.rank())
            << "kernel '" << k.name << "': specialization gives " << it->second.size()
            << " strides for tensor '" << t.name << "' of rank " << t.rank();
        continue;
      }
      for (int d = 0; d < t.rank(); ++d) p.params.push_back({ParamKind::kStride, t.name, DType::i64, d});
    }
  }
  if (p.grid.pid_type == PidType::kPersistentBlocked || p.grid.pid_type == PidType::kPersistentInterleaved)
    p.params.push_back({ParamKind::kNumPrograms, "num_programs", DType::i64, -1});

  // Layouts and shared staging buffers.
  LayoutAssigner assigner(p);
  assigner.run(k.body, -1);
  for (int id : assigner.dot_operand_lets_) {
    auto loop = assigner.let_loop_.find(id);
    auto value = assigner.let_values_.find(id);
    if (loop == assigner.let_loop_.end() || loop->second < 0) continue;  // not pipelined
    ir::Expr v = value->second;
    while (const auto* c = v.as<ir::Cast>()) v = c->a;
    if (!v.as<ir::Load>()) continue;
    const DeviceLoopPlan& d = p.device_loops.at(loop->second - 1);
    const std::int64_t depth = d.num_stages > 0 ? d.num_stages : p.num_stages;
    p.shared_buffers.push_back(
        {id, shared_layout(p.shape_of(v.type().axes, p.warp_size <= 1), v.dtype(), static_cast<int>(depth))});
  }
  return p;
}

}  // namespace tessera::lower
