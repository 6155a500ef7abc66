// SPDX-License-Identifier: Apache-2.0
// Tiles shared by sibling device loops, kept in registers. A program that walks the same range
// twice reads its input twice (vLLM's per-token quant: absmax over the row in one device loop,
// then scale and store the row in a second). When a later device loop over the same range loads
// the same tile of the same input as an earlier one, and the whole range fits a register budget
// (static extent), every tile is loaded once, before the first loop, into a register cache that
// both loops read: half the global traffic, and all of the range's loads in flight together
// instead of one tile per iteration behind the loop's reductions. The loops that read the cache
// are unrolled fully so that its indices are constants (registers, not local memory).
#include "gpu_common/printer_internal.h"
#include "tessera/error.h"
#include "tessera/ir/printer.h"
#include "tessera/ir/visitor.h"

namespace tessera::backend::gpu {

namespace {

/// Cached values per thread across all caches of one block: a fraction of the 255 registers a
/// thread may hold, leaving room for the loops' own temporaries.
constexpr std::int64_t kReuseRegisterBudget = 64;

/// An index value that depends only on the program's tile indices and sizes, so the load can
/// be issued before the loop that contains it.
bool hoistable(const ir::Expr& e) {
  bool ok = true;
  if (!e.defined()) return true;
  ir::visit_with(e, [&](const ir::Expr& c) {
    if (c.as<ir::Var>() || c.as<ir::LocalRead>() || c.as<ir::Load>() || c.as<ir::TileIndex>()) ok = false;
  });
  return ok;
}

/// The access of `load` with the loop's tile variable `tv` written as "@": equal signatures in
/// two loops read the same elements at equal tile indices. Empty when it cannot be hoisted.
std::string signature(const ir::Load& load, int tv) {
  std::string s = load.tensor + "[";
  bool along_loop = false;
  for (const ir::Index& i : load.indices) {
    if (!hoistable(i.value)) return "";
    const std::string v = i.value.defined() ? " + " + ir::to_string(i.value) : "";
    switch (i.kind) {
      case ir::IndexKind::tile:
        along_loop |= i.id == tv;
        s += (i.id == tv ? std::string("@") : "t" + std::to_string(i.id)) + v;
        break;
      case ir::IndexKind::full: s += "r" + std::to_string(i.id); break;
      case ir::IndexKind::scalar: s += "s" + v; break;
      case ir::IndexKind::new_axis: s += "_"; break;
      case ir::IndexKind::gather: return "";  // data-dependent rows: never hoisted
    }
    s += ",";
  }
  return along_loop ? s + "]" : "";
}

}  // namespace

void Printer::plan_load_reuse(const ir::Block& b) {
  struct Candidate {
    const ir::Let* let;
    const ir::Load* load;
    std::string sig;
  };
  struct LoopInfo {
    const ir::TileLoop* loop;
    int tv;
    std::int64_t tiles;
    std::vector<Candidate> loads;
  };
  std::vector<LoopInfo> loops;
  for (const ir::Stmt& s : b.stmts) {
    const auto* l = s.as<ir::TileLoop>();
    if (!l || l->is_grid || l->tile_vars.size() != 1 || pipelined(*l)) continue;
    const lower::TilePlan& t = p_.tiles[l->tile_vars[0]];
    if (!t.static_extent) continue;  // the cache's size must be a compile-time constant
    LoopInfo info{l, t.tile_var, (*t.static_extent + t.block - 1) / t.block, {}};
    const auto* body = l->body.as<ir::Block>();
    if (!body) continue;
    for (const ir::Stmt& c : body->stmts) {
      const auto* let = c.as<ir::Let>();
      const auto* load = let ? let->value.as<ir::Load>() : nullptr;
      if (!load || staged_.count(let->id)) continue;
      const ir::TensorParam* tensor = k_.find_tensor(load->tensor);
      // Only inputs: nothing in the program writes them between the two reads.
      if (!tensor || tensor->role != ir::TensorRole::input) continue;
      bool looped = false;
      for (const ir::Axis& a : let->value.type().axes)
        looped |= a.kind == ir::AxisKind::full && p_.rdims[a.id].strategy == lower::ReductionStrategy::kLooped;
      if (looped) continue;
      const std::string sig = signature(*load, info.tv);
      if (!sig.empty()) info.loads.push_back({let, load, sig});
    }
    loops.push_back(std::move(info));
  }

  // Two loops over the same range hold each element in the same thread and the same register
  // of the range when their axes have the same threads and contiguous run per thread and each
  // tile is a whole number of runs: element g of the range sits in thread (g / spt) % thr,
  // range register (g / (spt·thr))·spt + g % spt = tile·regs + register in the tile. So the
  // loops may tile the range differently (vLLM's quant configs mostly do: [4096, 2048]).
  auto same_range = [&](const LoopInfo& x, const LoopInfo& y) {
    const lower::TilePlan &a = p_.tiles[x.tv], &c = p_.tiles[y.tv];
    const AxisDist &da = plan_.axes.at(x.tv), &dc = plan_.axes.at(y.tv);
    const std::int64_t run = std::int64_t{da.spt} * da.thr;
    return a.static_extent == c.static_extent && da.spt == dc.spt && da.thr == dc.thr && da.stride == dc.stride &&
           !da.two_digit() && !dc.two_digit() && (a.block == c.block || (a.block % run == 0 && c.block % run == 0));
  };
  std::int64_t budget = kReuseRegisterBudget;
  for (const ReuseCache& c : reuse_caches_) budget -= c.size;
  for (std::size_t i = 0; i < loops.size(); ++i) {
    for (const Candidate& first : loops[i].loads) {
      if (reused_lets_.count(first.let->id)) continue;
      ReuseCache cache;
      cache.first = first.let;
      cache.tile_var = loops[i].tv;
      cache.tiles = loops[i].tiles;
      cache.regs = reg_count(first.let->value.type().axes);
      cache.size = cache.tiles * cache.regs;
      std::vector<std::pair<const ir::Let*, const LoopInfo*>> uses{{first.let, &loops[i]}};
      for (std::size_t j = i + 1; j < loops.size(); ++j) {
        if (!same_range(loops[i], loops[j])) continue;
        for (const Candidate& other : loops[j].loads) {
          if (other.sig != first.sig || reused_lets_.count(other.let->id)) continue;
          // Different tilings index the range alike only when the loop's axis is the load's
          // one axis with several registers (tile·regs + q is then the range register).
          const bool same_tiling = p_.tiles[loops[i].tv].block == p_.tiles[loops[j].tv].block;
          if (!same_tiling && (cache.regs != plan_.axes.at(loops[i].tv).regs() ||
                               reg_count(other.let->value.type().axes) != plan_.axes.at(loops[j].tv).regs()))
            continue;
          uses.push_back({other.let, &loops[j]});
          cache.size = std::max<std::int64_t>(cache.size, loops[j].tiles * reg_count(other.let->value.type().axes));
        }
      }
      if (uses.size() < 2) continue;
      std::string names;
      for (const auto& [let, loop] : uses) names += (names.empty() ? "" : ", ") + p_.tiles[loop->tv].name;
      if (cache.size > budget) {
        notes_.push_back("load of " + first.load->tensor + " repeated by device loops " + names + " is read again: its " +
                         std::to_string(cache.size) + " registers per thread exceed the budget of " +
                         std::to_string(budget));
        continue;
      }
      budget -= cache.size;
      cache.name = "h" + std::to_string(reuse_caches_.size());
      const int index = static_cast<int>(reuse_caches_.size());
      for (const auto& [let, loop] : uses) {
        reused_lets_[let->id] = {index, loop->tv, reg_count(let->value.type().axes)};
        unrolled_loops_[loop->loop] = loop->tiles;
      }
      reuse_fills_[loops[i].loop].push_back(index);
      notes_.push_back("load of " + first.load->tensor + " shared by device loops " + names + ": read once into " +
                       std::to_string(cache.size) + " registers per thread before the first; those loops are "
                       "unrolled fully (range_unroll_factors overridden)");
      reuse_caches_.push_back(std::move(cache));
    }
  }
}

void Printer::emit_reuse_fill(const ir::TileLoop& l) {
  auto it = reuse_fills_.find(&l);
  if (it == reuse_fills_.end()) return;
  for (int index : it->second) {
    const ReuseCache& c = reuse_caches_[index];
    const ir::Expr& value = c.first->value;
    const auto* load = value.as<ir::Load>();
    const std::string t = "t" + std::to_string(c.tile_var), R = std::to_string(c.regs);
    line("// " + c.name + ": every tile of " + load->tensor + " along " + p_.tiles[c.tile_var].name +
         ", loaded once for the device loops that read it (" + std::to_string(c.size) + " registers)");
    line(value_type(value.dtype()) + " " + c.name + "[" + std::to_string(c.size) + "];");
    if (c.size > c.tiles * c.regs) {  // a later loop's last tile reaches past the first's: lanes past the extent
      line("#pragma unroll");
      line("for (int q = " + std::to_string(c.tiles * c.regs) + "; q < " + std::to_string(c.size) + "; ++q) " + c.name +
           "[q] = " + value_type(value.dtype()) + "(0);");
    }
    open("");
    line("#pragma unroll");
    open("for (int " + t + "_idx = 0; " + t + "_idx < " + std::to_string(c.tiles) + "; ++" + t + "_idx)");
    set_tile(c.tile_var, t + "_idx");
    const std::string tmp = c.name + "_tile";
    emit_load_let(tmp, *load, value);
    line("#pragma unroll");
    line("for (int q = 0; q < " + R + "; ++q) " + c.name + "[" + t + "_idx * " + R + " + q] = " + tmp + "[q];");
    close();
    close();
  }
}

bool Printer::emit_reused_let(const ir::Let& let) {
  auto it = reused_lets_.find(let.id);
  if (it == reused_lets_.end()) return false;
  const ReusedLoad& r = it->second;
  const ReuseCache& c = reuse_caches_[r.cache];
  const std::string name = "v" + std::to_string(let.id), R = std::to_string(r.regs);
  line("// " + (let.name.empty() ? name : let.name) + ": " + ir::to_string(let.value.type()) + " from " + c.name);
  declare(name, let.value.type());
  line("#pragma unroll");
  line("for (int q = 0; q < " + R + "; ++q) " + name + "[q] = " + c.name + "[t" + std::to_string(r.tile_var) +
       "_idx * " + R + " + q];");
  return true;
}

}  // namespace tessera::backend::gpu
