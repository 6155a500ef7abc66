// SPDX-License-Identifier: Apache-2.0
// Program's queries: tile shapes, layouts, the launch grid, and the readable summary.
#include <sstream>

#include "tessera/error.h"
#include "tessera/lower/program.h"

namespace tessera::lower {

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }


const char* strategy_name(ReductionStrategy s) {
  return s == ReductionStrategy::kPersistent ? "persistent" : "looped";
}

const char* param_kind_name(ParamKind k) {
  switch (k) {
    case ParamKind::kTensor: return "tensor";
    case ParamKind::kScalar: return "scalar";
    case ParamKind::kSize: return "size";
    case ParamKind::kStride: return "stride";
    case ParamKind::kNumPrograms: return "num_programs";
  }
  return "?";
}
}  // namespace

std::optional<std::int64_t> eval_size(const ir::Expr& e,
                                      const std::map<std::string, std::int64_t>& sizes) {
  if (const auto* imm = e.as<ir::IntImm>()) return imm->value;
  if (const auto* sv = e.as<ir::SizeVar>()) {
    auto it = sizes.find(sv->name);
    if (it == sizes.end()) return std::nullopt;
    return it->second;
  }
  if (const auto* b = e.as<ir::Binary>()) {
    auto x = eval_size(b->a, sizes), y = eval_size(b->b, sizes);
    if (!x || !y) return std::nullopt;
    switch (b->op) {
      case ir::BinaryOp::add: return *x + *y;
      case ir::BinaryOp::sub: return *x - *y;
      case ir::BinaryOp::mul: return *x * *y;
      case ir::BinaryOp::div:
        TS_USER_CHECK(*y != 0) << "size expression divides by zero";
        return *x / *y;
      case ir::BinaryOp::maximum: return std::max(*x, *y);
      case ir::BinaryOp::minimum: return std::min(*x, *y);
      default: break;
    }
  }
  TS_INTERNAL_CHECK(false) << "not a size expression: " << ir::node_kind_name(e.kind());
  return std::nullopt;
}

std::vector<std::int64_t> Program::shape_of(const std::vector<ir::Axis>& axes, bool cpu) const {
  std::vector<std::int64_t> shape;
  for (const ir::Axis& a : axes) {
    switch (a.kind) {
      case ir::AxisKind::tile: shape.push_back(tiles.at(a.id).block); break;
      case ir::AxisKind::full: {
        const RDimPlan& r = rdims.at(a.id);
        const bool whole = r.strategy == ReductionStrategy::kPersistent;
        shape.push_back(whole && cpu && r.static_extent ? *r.static_extent : r.block);
        break;
      }
      case ir::AxisKind::broadcast: shape.push_back(1); break;
    }
  }
  return shape;
}

const Layout& Program::layout_of(const ir::Expr& e) const {
  static const Layout kScalarLayout;
  auto it = layouts.find(e.get());
  return it == layouts.end() ? kScalarLayout : it->second;
}

LaunchGrid Program::launch_grid(const std::map<std::string, std::int64_t>& sizes,
                                 int compute_units) const {
  std::map<std::string, std::int64_t> all = spec.sizes;
  for (const auto& [k, v] : sizes) all[k] = v;
  const ir::TileLoop* grid_loop = kernel->loops().at(0);
  std::vector<std::int64_t> counts;
  for (int tv : grid_loop->tile_vars) {
    std::optional<std::int64_t> extent = eval_size(kernel->tile_vars[tv].extent, all);
    TS_USER_CHECK(extent.has_value())
        << "kernel '" << kernel->name << "': the launch grid needs the size of tile '"
        << kernel->tile_vars[tv].name << "', but a size symbol it uses was not given";
    counts.push_back(std::max<std::int64_t>(0, ceil_div(*extent, tiles[tv].block)));
  }
  return launch_grid_from_counts(counts, compute_units);
}

LaunchGrid Program::launch_grid_from_counts(std::span<const std::int64_t> counts,
                                            int compute_units) const {
  LaunchGrid g;
  for (std::int64_t c : counts) g.tiles *= c;
  const bool persistent = grid.pid_type == PidType::kPersistentBlocked ||
                          grid.pid_type == PidType::kPersistentInterleaved;
  if (persistent) {
    g.x = std::max<std::int64_t>(1, std::min<std::int64_t>(g.tiles, std::int64_t{compute_units} *
                                                                      grid.num_sm_multiplier));
  } else if (grid.pid_type == PidType::kXyz && !grid.flatten) {
    std::int64_t* dims[3] = {&g.x, &g.y, &g.z};
    for (std::size_t i = 0; i < grid.order.size(); ++i) *dims[i] = counts[grid.order[i]];
  } else {
    g.x = g.tiles;
  }
  return g;
}

std::string Program::describe() const {
  std::ostringstream os;
  os << "program " << kernel->name << " for " << target << " (warp " << warp_size << ", num_warps "
     << num_warps << ", num_stages " << num_stages << ", index " << (spec.index64 ? "i64" : "i32")
     << ")\n";
  for (const TilePlan& t : tiles) {
    os << "  tile " << t.name << ": block " << t.block << ", extent "
       << (t.static_extent ? std::to_string(*t.static_extent) : "dynamic")
       << (t.needs_mask ? ", masked" : ", unmasked") << (t.is_grid ? ", grid" : ", device loop")
       << "\n";
  }
  for (const RDimPlan& r : rdims) {
    os << "  rdim " << r.name << ": " << strategy_name(r.strategy) << ", block " << r.block
       << ", extent " << (r.static_extent ? std::to_string(*r.static_extent) : "dynamic")
       << (r.needs_mask ? ", masked" : ", unmasked") << "\n";
  }
  os << "  grid: pid_type " << to_string(grid.pid_type) << ", order [";
  for (std::size_t i = 0; i < grid.order.size(); ++i) os << (i ? "," : "") << grid.order[i];
  os << "], l2_grouping " << grid.l2_grouping << (grid.flatten ? ", flattened" : "") << "\n";
  for (const DeviceLoopPlan& d : device_loops) {
    os << "  device loop " << d.loop << ": order [";
    for (std::size_t i = 0; i < d.order.size(); ++i) os << (i ? "," : "") << d.order[i];
    os << "]" << (d.flatten ? ", flattened" : "") << ", unroll " << d.unroll << ", stages "
       << d.num_stages << "\n";
  }
  os << "  params:";
  for (const Param& p : params) {
    os << " " << param_kind_name(p.kind) << ":" << p.name;
    if (p.kind == ParamKind::kStride) os << "[" << p.dim << "]";
  }
  os << "\n";
  for (const SharedBuffer& b : shared_buffers)
    os << "  shared buffer for let " << b.let_id << ": " << b.layout.to_string() << "\n";
  for (const std::string& n : notes) os << "  note: " << n << "\n";
  return os.str();
}

}  // namespace tessera::lower
