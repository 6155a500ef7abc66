// SPDX-License-Identifier: Apache-2.0
// The config space of a kernel: Helion's list lengths, domains, defaults and normalization.
#include "tessera/ir/config_space.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <sstream>

#include "tessera/error.h"
#include "tessera/ir/size_expr.h"
#include "tessera/ir/stmt.h"
#include "tessera/ir/visitor.h"

namespace tessera::ir {

namespace {

std::int64_t next_pow2(std::int64_t v) {
  std::int64_t p = 1;
  while (p < v) p *= 2;
  return p;
}

/// The value of a size expression when every symbol in it is in `sizes`.
std::optional<std::int64_t> known_extent(const Expr& e, const std::map<std::string, std::int64_t>& sizes) {
  if (auto c = size_constant(e)) return c;
  bool bound = true;
  visit_with(e, [&](const Expr& x) {
    if (const auto* sv = x.as<SizeVar>(); sv && !sizes.count(sv->name)) bound = false;
  });
  if (!bound) return std::nullopt;
  return eval_size(e, sizes);
}

/// Loads and stores in program order: a statement's loads in evaluation order, a store after
/// the loads of its value.
class AccessCollector {
 public:
  explicit AccessCollector(const std::vector<const TileLoop*>& loops) : loops_(loops) {}

  void run(const Stmt& s, int loop) {
    if (!s.defined()) return;
    if (const auto* b = s.as<Block>()) {
      for (const Stmt& c : b->stmts) run(c, loop);
    } else if (const auto* l = s.as<TileLoop>()) {
      const auto it = std::find(loops_.begin(), loops_.end(), l);
      run(l->body, static_cast<int>(it - loops_.begin()));
    } else if (const auto* let = s.as<Let>()) {
      loads_in(let->value, loop);
    } else if (const auto* st = s.as<Store>()) {
      for (const Index& i : st->indices) loads_in(i.value, loop);
      loads_in(st->value, loop);
      MemoryAccess a;
      a.is_load = false;
      a.tensor = st->tensor;
      a.loop = loop;
      a.store = st;
      accesses.push_back(a);
    } else if (const auto* d = s.as<LocalDecl>()) {
      loads_in(d->init, loop);
    } else if (const auto* as = s.as<LocalAssign>()) {
      loads_in(as->value, loop);
    }
  }

  std::vector<MemoryAccess> accesses;

 private:
  void loads_in(const Expr& e, int loop) {
    if (!e.defined()) return;
    visit_with(e, [&](const Expr& x) {
      const auto* load = x.as<Load>();
      if (load == nullptr || !seen_.insert(load).second) return;
      MemoryAccess a;
      a.tensor = load->tensor;
      a.loop = loop;
      a.load = load;
      accesses.push_back(a);
    });
  }

  const std::vector<const TileLoop*>& loops_;
  std::set<const ExprNode*> seen_;
};

std::string prefix(const std::string& kernel, std::string_view field) {
  return cat("kernel '", kernel, "': config field \"", field, "\"");
}

std::string join_names(const std::vector<int>& tile_vars, const std::vector<std::string>& names) {
  std::string out;
  for (int tv : tile_vars) out += (out.empty() ? "" : ", ") + names.at(tv);
  return out;
}

/// Helion's `BlockIdSequence._normalize` for one structural list: more entries than slots is
/// an error; fewer are padded with `fill` (a note unless the list was empty, which is how Helion
/// writes a list with nothing to tune). Returns whether the list changed.
template <typename T>
bool fit_structural(const std::string& kernel, std::string_view field, std::vector<T>& values,
                    std::size_t slots, const std::string& slot_meaning, const T& fill,
                    std::vector<std::string>& notes) {
  TS_USER_CHECK(values.size() <= slots)
      << prefix(kernel, field) << " has " << values.size() << " entries but this kernel has " << slots
      << " " << slot_meaning << "; give at most one entry per " << slot_meaning
      << " (or drop the field for the defaults)";
  if (values.size() == slots) return false;
  if (!values.empty())
    notes.push_back(cat(field, " has ", values.size(), " entries, this kernel has ", slots, " ", slot_meaning,
                        ": padded with the default"));
  values.resize(slots, fill);
  return true;
}

/// Pads or truncates a per-access list, with a note.
template <typename T>
bool fit_per_access(std::string_view field, std::vector<T>& values, std::size_t n, const std::string& what,
                    const T& fill, std::string_view fill_text, std::vector<std::string>& notes) {
  if (values.size() == n) return false;
  notes.push_back(cat(field, " has ", values.size(), " entries, this kernel has ", n, " ", what, ": ",
                      values.size() > n ? cat("truncated to ", n) : cat("padded with \"", fill_text, "\"")));
  values.resize(n, fill);
  return true;
}

bool persistent(PidType p) { return p == PidType::kPersistentBlocked || p == PidType::kPersistentInterleaved; }

}  // namespace

ConfigSpace ConfigSpace::of(const Kernel& k, const std::map<std::string, std::int64_t>& sizes) {
  ConfigSpace s;
  s.kernel_name_ = k.name;
  const auto loops = k.loops();
  TS_INTERNAL_CHECK(!loops.empty() && loops[0]->is_grid) << "kernel '" << k.name << "' has no grid loop";
  s.grid_dims_ = static_cast<int>(loops[0]->tile_vars.size());
  for (const TileVar& tv : k.tile_vars) s.tile_names_.push_back(tv.name);

  // Reductions first: their extents set the block-size default.
  std::int64_t reduction_numel = 1;
  std::int64_t cpu_reduction_numel = 1;  // elements of the reduced axes in one CPU tile
  for (const RDim& r : k.rdims) {
    ReductionSlot slot;
    slot.rdim = r.id;
    slot.name = r.name;
    slot.extent = known_extent(r.extent, sizes);
    if (!slot.extent || *slot.extent > kDefaultReductionChunk) slot.default_value = kDefaultReductionChunk;
    reduction_numel *= slot.extent ? next_pow2(std::max<std::int64_t>(*slot.extent, 1)) : kDefaultReductionChunk;
    cpu_reduction_numel *= std::min(slot.extent ? next_pow2(std::max<std::int64_t>(*slot.extent, 1)) : kDefaultReductionChunk,
                                    kDefaultReductionChunk);
    s.reduction_loops_.push_back(slot);
  }

  // Block sizes (helion BlockSizeSpec._fragment's default rule).
  const int num_block_sizes = k.num_block_sizes();
  const std::int64_t block_default = num_block_sizes <= 2 && reduction_numel <= 128 ? 32
                                     : reduction_numel <= 256                      ? 16
                                                                                   : 1;
  s.block_sizes_.resize(static_cast<std::size_t>(num_block_sizes));
  for (const TileVar& tv : k.tile_vars) {
    if (tv.block_size_slot < 0) continue;
    BlockSizeSlot& b = s.block_sizes_.at(static_cast<std::size_t>(tv.block_size_slot));
    b.tile_var = tv.id;
    b.name = tv.name;
    b.extent = known_extent(tv.extent, sizes);
    if (b.extent) b.max = next_pow2(std::max<std::int64_t>(*b.extent, 1));
    b.default_value = std::max(b.min, b.max ? std::min(block_default, *b.max) : block_default);
  }
  visit_with(k.body, [&](const Expr& e) { s.has_dot_ = s.has_dot_ || e.as<Dot>() != nullptr; });
  s.cpu_reduction_numel_ = cpu_reduction_numel;
  for (const TileLoop* l : loops) {
    CpuLoop cl;
    cl.is_grid = l->is_grid;
    for (int tv : l->tile_vars) {
      const TileVar& t = k.tile_vars.at(static_cast<std::size_t>(tv));
      cl.dims.emplace_back(t.block_size_slot, t.fixed_block_size.value_or(1));
    }
    s.cpu_loops_.push_back(std::move(cl));
  }
  const std::vector<std::int64_t> cpu_blocks = s.cpu_block_sizes();
  for (std::size_t i = 0; i < s.block_sizes_.size(); ++i) s.block_sizes_[i].cpu_default_value = cpu_blocks[i];

  // Per-loop lists and range slots, in loops() (definition pre-)order.
  for (std::size_t i = 0; i < loops.size(); ++i) {
    const TileLoop* l = loops[i];
    const int li = static_cast<int>(i);
    if (l->tile_vars.size() >= 2) {
      s.loop_orders_.push_back({li, l->tile_vars});
      if (l->is_grid) s.l2_groupings_.push_back({li, l->tile_vars});
    }
    if (l->is_grid) {
      s.ranges_.push_back({li, l->tile_vars, true});
      continue;
    }
    for (int tv : l->tile_vars) {
      s.ranges_.push_back({li, {tv}, false});
      // helion.language.loops._allow_static_range: a compile-time trip count <= 8, where a
      // dimension without a fixed block size counts its extent.
      const TileVar& t = k.tile_vars.at(static_cast<std::size_t>(tv));
      const auto extent = known_extent(t.extent, sizes);
      if (!extent) continue;
      const std::int64_t trips = t.fixed_block_size ? (*extent + *t.fixed_block_size - 1) / *t.fixed_block_size : *extent;
      if (trips <= kMaxStaticRangeTrips) s.static_ranges_.push_back({li, {tv}, false});
    }
  }

  AccessCollector collect(loops);
  collect.run(k.body, -1);
  s.accesses_ = std::move(collect.accesses);
  s.num_loads_ = static_cast<int>(std::count_if(s.accesses_.begin(), s.accesses_.end(),
                                                [](const MemoryAccess& a) { return a.is_load; }));
  return s;
}

std::vector<std::int64_t> ConfigSpace::cpu_block_sizes(std::int64_t tile_elements) const {
  std::vector<std::int64_t> out;
  for (const BlockSizeSlot& b : block_sizes_) out.push_back(b.default_value);
  if (has_dot_) return out;
  // Each loop shares a budget of tile_elements elements (what the reduced axes leave of it)
  // among its dimensions, the last (innermost, contiguous for row-major tensors) first: a
  // 4096-wide row takes all of 4096, 2048-wide rows come in pairs. Device loops get what the
  // grid tile leaves.
  const std::int64_t loop_budget = std::max<std::int64_t>(1, tile_elements / cpu_reduction_numel_);
  std::int64_t grid_elements = 1;
  for (const CpuLoop& l : cpu_loops_) {
    std::int64_t budget = l.is_grid ? loop_budget : std::max<std::int64_t>(1, loop_budget / grid_elements);
    for (auto it = l.dims.rbegin(); it != l.dims.rend(); ++it) {
      std::int64_t value = it->second;
      if (it->first >= 0) {
        const BlockSizeSlot& b = block_sizes_.at(static_cast<std::size_t>(it->first));
        value = 1;
        while (value * 2 <= budget && (!b.max || value * 2 <= *b.max)) value *= 2;
        value = std::max(b.min, value);
        out.at(static_cast<std::size_t>(it->first)) = value;
      }
      value = std::max<std::int64_t>(1, value);
      budget = std::max<std::int64_t>(1, budget / value);
      if (l.is_grid) grid_elements *= value;
    }
  }
  return out;
}

std::vector<PidType> ConfigSpace::allowed_pid_types() const {
  std::vector<PidType> out{PidType::kFlat};
  if (grid_dims_ >= 2 && grid_dims_ <= 3) out.push_back(PidType::kXyz);
  out.push_back(PidType::kPersistentBlocked);
  out.push_back(PidType::kPersistentInterleaved);
  return out;
}

int ConfigSpace::range_slot_of(int tile_var) const {
  for (std::size_t i = 0; i < ranges_.size(); ++i) {
    const auto& tvs = ranges_[i].tile_vars;
    if (std::find(tvs.begin(), tvs.end(), tile_var) != tvs.end()) return static_cast<int>(i);
  }
  return -1;
}

int ConfigSpace::loop_order_slot_of(int loop) const {
  for (std::size_t i = 0; i < loop_orders_.size(); ++i)
    if (loop_orders_[i].loop == loop) return static_cast<int>(i);
  return -1;
}

int ConfigSpace::load_index_of(const ExprNode* load) const {
  int index = 0;
  for (const MemoryAccess& a : accesses_) {
    if (!a.is_load) continue;
    if (a.load == load) return index;
    ++index;
  }
  return -1;
}

Config ConfigSpace::default_config(ConfigDefaults defaults) const {
  Config c;
  const bool cpu = defaults == ConfigDefaults::cpu;
  const std::size_t n_ranges = ranges_.size();
  if (!block_sizes_.empty()) {
    std::vector<std::int64_t> v;
    for (const BlockSizeSlot& b : block_sizes_) v.push_back(cpu ? b.cpu_default_value : b.default_value);
    c.set_block_sizes(v);
  }
  if (!loop_orders_.empty()) {
    std::vector<std::vector<std::int64_t>> orders;
    for (const LoopSlot& l : loop_orders_) {
      std::vector<std::int64_t> o(l.tile_vars.size());
      std::iota(o.begin(), o.end(), 0);
      // CPU: the grid's last dimension varies fastest, so consecutive programs are neighbours
      // in memory (see ConfigDefaults::cpu).
      if (cpu && l.loop == 0) std::reverse(o.begin(), o.end());
      orders.push_back(o);
    }
    c.set_loop_orders(orders);
    c.set_flatten_loops(std::vector<bool>(loop_orders_.size(), false));
  }
  if (!l2_groupings_.empty()) c.set_l2_groupings(std::vector<std::int64_t>(l2_groupings_.size(), 1));
  if (!reduction_loops_.empty()) {
    std::vector<std::optional<std::int64_t>> r;
    for (const ReductionSlot& slot : reduction_loops_) r.push_back(slot.default_value);
    c.set_reduction_loops(r);
  }
  if (n_ranges > 0) {
    c.set_range_unroll_factors(std::vector<std::int64_t>(n_ranges, 0));
    c.set_range_warp_specializes(std::vector<std::optional<bool>>(n_ranges));
    c.set_range_num_stages(std::vector<std::int64_t>(n_ranges, 0));
    c.set_range_multi_buffers(std::vector<std::optional<bool>>(n_ranges));
    c.set_range_flattens(std::vector<std::optional<bool>>(n_ranges));
  }
  if (!static_ranges_.empty()) c.set_static_ranges(std::vector<bool>(static_ranges_.size(), false));
  if (num_loads_ > 0)
    c.set_load_eviction_policies(std::vector<EvictionPolicy>(static_cast<std::size_t>(num_loads_), EvictionPolicy::kNone));
  c.set_num_warps(4).set_num_stages(1);
  if (!accesses_.empty()) c.set_indexing(std::vector<Indexing>(accesses_.size(), Indexing::kPointer));
  c.set_pid_type(PidType::kFlat);
  return c;
}

NormalizedConfig ConfigSpace::normalize(const json::Json& obj, std::string_view origin) const {
  const auto problems = Config::check(obj);
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems)
      msg += cat(msg.empty() ? "" : "\n", "kernel '", kernel_name_, "': ", origin, ": config ", p);
    throw UserError(msg);
  }
  return normalize(Config::from_json(obj, origin));
}

NormalizedConfig ConfigSpace::normalize(const Config& given) const {
  NormalizedConfig out{given, {}};
  Config& c = out.config;
  std::vector<std::string>& notes = out.notes;
  const std::string& kn = kernel_name_;

  // block_sizes: exactly one per slot; there is no default to pad with.
  if (auto bs = c.block_sizes()) {
    std::string names;
    for (const BlockSizeSlot& b : block_sizes_) names += (names.empty() ? "" : ", ") + b.name;
    TS_USER_CHECK(bs->size() == block_sizes_.size())
        << prefix(kn, "block_sizes") << " has " << bs->size() << " entries but this kernel has "
        << block_sizes_.size() << " tile dimensions without a fixed block size"
        << (names.empty() ? std::string() : " (" + names + ")")
        << "; give one power of two per dimension, in definition order (or drop the field for the defaults)";
  }

  // reduction_loops: pad with each slot's default.
  if (auto rl = c.reduction_loops()) {
    const std::size_t given_n = rl->size();
    if (fit_structural<std::optional<std::int64_t>>(kn, "reduction_loops", *rl, reduction_loops_.size(),
                                                    "reduction dimensions", std::nullopt, notes)) {
      for (std::size_t i = given_n; i < rl->size(); ++i) (*rl)[i] = reduction_loops_[i].default_value;
      c.set_reduction_loops(*rl);
    }
  }

  // loop_orders / flatten_loops / l2_groupings.
  if (auto lo = c.loop_orders()) {
    const std::size_t given_n = lo->size();
    bool changed = fit_structural<std::vector<std::int64_t>>(kn, "loop_orders", *lo, loop_orders_.size(),
                                                             "tile loops of two or more dimensions", {}, notes);
    for (std::size_t i = 0; i < lo->size(); ++i) {
      const std::size_t dims = loop_orders_[i].tile_vars.size();
      if (i >= given_n) {  // padded: identity
        (*lo)[i].resize(dims);
        std::iota((*lo)[i].begin(), (*lo)[i].end(), 0);
        continue;
      }
      std::vector<std::int64_t> sorted = (*lo)[i];
      std::sort(sorted.begin(), sorted.end());
      std::vector<std::int64_t> iota(dims);
      std::iota(iota.begin(), iota.end(), 0);
      TS_USER_CHECK(sorted == iota)
          << prefix(kn, "loop_orders") << "[" << i << "] must be a permutation of 0.." << dims - 1 << " for the "
          << dims << "-dimensional tile loop over (" << join_names(loop_orders_[i].tile_vars, tile_names_)
          << "), got " << (*lo)[i].size() << " entries";
    }
    if (changed) c.set_loop_orders(*lo);
  }
  if (auto fl = c.flatten_loops()) {
    if (fit_structural<bool>(kn, "flatten_loops", *fl, loop_orders_.size(), "tile loops of two or more dimensions",
                             false, notes))
      c.set_flatten_loops(*fl);
  }
  if (auto l2 = c.l2_groupings()) {
    if (fit_structural<std::int64_t>(kn, "l2_groupings", *l2, l2_groupings_.size(),
                                     "grid loops of two or more dimensions", 1, notes))
      c.set_l2_groupings(*l2);
  }

  // The range_* lists and static_ranges.
  const std::size_t nr = ranges_.size();
  const std::string range_meaning = "range slots (the grid loop, then each device-loop dimension)";
  auto ruf = c.range_unroll_factors();
  auto rws = c.range_warp_specializes();
  auto rns = c.range_num_stages();
  auto rmb = c.range_multi_buffers();
  auto rfl = c.range_flattens();
  auto srs = c.static_ranges();
  bool ruf_changed = ruf && fit_structural<std::int64_t>(kn, "range_unroll_factors", *ruf, nr, range_meaning, 0, notes);
  bool rws_changed = rws && fit_structural<std::optional<bool>>(kn, "range_warp_specializes", *rws, nr, range_meaning,
                                                                std::nullopt, notes);
  bool rns_changed = rns && fit_structural<std::int64_t>(kn, "range_num_stages", *rns, nr, range_meaning, 0, notes);
  bool rmb_changed = rmb && fit_structural<std::optional<bool>>(kn, "range_multi_buffers", *rmb, nr, range_meaning,
                                                                std::nullopt, notes);
  bool rfl_changed = rfl && fit_structural<std::optional<bool>>(kn, "range_flattens", *rfl, nr, range_meaning,
                                                                std::nullopt, notes);
  if (srs && fit_structural<bool>(kn, "static_ranges", *srs, static_ranges_.size(),
                                  "device-loop dimensions with at most 8 iterations", false, notes))
    c.set_static_ranges(*srs);

  // Resets range slot `slot` to its defaults (Helion `_reset_config_to_default`), noting values
  // that change.
  auto reset_slot = [&](std::size_t slot, const std::string& why) {
    std::vector<std::string> changed;
    if (ruf && (*ruf)[slot] != 0) { (*ruf)[slot] = 0; ruf_changed = true; changed.push_back("range_unroll_factors"); }
    if (rws && (*rws)[slot]) { (*rws)[slot].reset(); rws_changed = true; changed.push_back("range_warp_specializes"); }
    if (rns && (*rns)[slot] != 0) { (*rns)[slot] = 0; rns_changed = true; changed.push_back("range_num_stages"); }
    if (rmb && (*rmb)[slot]) { (*rmb)[slot].reset(); rmb_changed = true; changed.push_back("range_multi_buffers"); }
    if (rfl && (*rfl)[slot]) { (*rfl)[slot].reset(); rfl_changed = true; changed.push_back("range_flattens"); }
    for (const std::string& f : changed) notes.push_back(cat(f, "[", slot, "] reset to the default: ", why));
  };
  if (srs) {
    for (std::size_t i = 0; i < srs->size(); ++i) {
      if (!(*srs)[i]) continue;
      const int slot = range_slot_of(static_ranges_[i].tile_vars.at(0));
      reset_slot(static_cast<std::size_t>(slot),
                 cat("the loop over ", tile_names_.at(static_cast<std::size_t>(static_ranges_[i].tile_vars.at(0))),
                     " is a static range (static_ranges[", i, "])"));
    }
  }

  // pid_type and the persistent-only fields.
  const PidType pid = c.pid_type().value_or(PidType::kFlat);
  if (!persistent(pid)) {
    const auto mult = c.num_sm_multiplier();
    TS_USER_CHECK(!mult || *mult == 1)
        << prefix(kn, "num_sm_multiplier") << " = " << *mult << " applies to persistent kernels only, but pid_type is \""
        << to_string(pid) << "\"; use pid_type \"persistent_blocked\" or \"persistent_interleaved\", or drop the field";
    const auto nreg = c.maxnreg();
    TS_USER_CHECK(!nreg) << prefix(kn, "maxnreg") << " = " << *nreg
                         << " applies to persistent kernels only, but pid_type is \"" << to_string(pid)
                         << "\"; use a persistent pid_type, or set maxnreg to null or drop it";
    if (nr > 0) reset_slot(0, cat("the grid is a loop only for persistent pid types, this config's is \"", to_string(pid), "\""));
  }
  TS_USER_CHECK(pid != PidType::kXyz || grid_dims_ <= 3)
      << prefix(kn, "pid_type") << " \"xyz\" needs a grid of at most 3 dimensions, this one has " << grid_dims_
      << "; use \"flat\" or a persistent pid_type";
  if (auto mult = c.num_sm_multiplier()) {
    TS_USER_CHECK(*mult <= kMaxNumSmMultiplier) << prefix(kn, "num_sm_multiplier") << " = " << *mult
                                                << " is larger than " << kMaxNumSmMultiplier << "; use a power of two in 1.."
                                                << kMaxNumSmMultiplier;
  }

  // Only one warp-specialized loop: the first (outermost) `true` wins (Helion).
  if (rws) {
    const auto first = std::find(rws->begin(), rws->end(), std::optional<bool>(true));
    if (first != rws->end()) {
      const auto fi = static_cast<std::size_t>(first - rws->begin());
      for (std::size_t i = fi + 1; i < rws->size(); ++i) {
        if ((*rws)[i] == std::optional<bool>(true)) {
          (*rws)[i].reset();
          rws_changed = true;
          notes.push_back(cat("range_warp_specializes[", i, "] reset: only one loop is warp-specialized, the first (",
                              fi, ")"));
        }
      }
      if (ruf && (*ruf)[fi] > 1) {
        (*ruf)[fi] = 0;
        ruf_changed = true;
        notes.push_back(cat("range_unroll_factors[", fi, "] reset to 0: a warp-specialized loop is not unrolled"));
      }
    }
  }
  if (ruf_changed) c.set_range_unroll_factors(*ruf);
  if (rws_changed) c.set_range_warp_specializes(*rws);
  if (rns_changed) c.set_range_num_stages(*rns);
  if (rmb_changed) c.set_range_multi_buffers(*rmb);
  if (rfl_changed) c.set_range_flattens(*rfl);

  // Per-access lists: pad or truncate, with a note.
  const auto n_loads = static_cast<std::size_t>(num_loads_);
  if (auto ev = c.load_eviction_policies()) {
    if (fit_per_access<EvictionPolicy>("load_eviction_policies", *ev, n_loads, "loads", EvictionPolicy::kNone, "", notes))
      c.set_load_eviction_policies(*ev);
  }
  if (auto ix = c.indexing(); ix && std::holds_alternative<std::vector<Indexing>>(*ix)) {
    auto list = std::get<std::vector<Indexing>>(*ix);
    if (fit_per_access<Indexing>("indexing", list, accesses_.size(), "loads and stores", Indexing::kPointer, "pointer",
                                 notes))
      c.set_indexing(list);
  }
  if (auto ax = c.atomic_indexing(); ax && std::holds_alternative<std::vector<Indexing>>(*ax)) {
    auto list = std::get<std::vector<Indexing>>(*ax);
    if (fit_per_access<Indexing>("atomic_indexing", list, static_cast<std::size_t>(num_atomics()), "atomic operations",
                                 Indexing::kPointer, "pointer", notes))
      c.set_atomic_indexing(list);
  }
  return out;
}

std::string ConfigSpace::describe() const {
  std::ostringstream os;
  os << "config space of kernel '" << kernel_name_ << "'\n";
  os << "block_sizes: " << block_sizes_.size() << "\n";
  for (std::size_t i = 0; i < block_sizes_.size(); ++i) {
    const BlockSizeSlot& b = block_sizes_[i];
    os << "  [" << i << "] " << b.name << ": powers of two in [" << b.min << ", "
       << (b.max ? std::to_string(*b.max) : std::string("unbounded")) << "], default " << b.default_value << "\n";
  }
  os << "reduction_loops: " << reduction_loops_.size() << "\n";
  for (std::size_t i = 0; i < reduction_loops_.size(); ++i) {
    const ReductionSlot& r = reduction_loops_[i];
    os << "  [" << i << "] " << r.name << " (extent " << (r.extent ? std::to_string(*r.extent) : std::string("run-time"))
       << "), default " << (r.default_value ? std::to_string(*r.default_value) : std::string("null")) << "\n";
  }
  os << "loop_orders, flatten_loops: " << loop_orders_.size() << "\n";
  for (std::size_t i = 0; i < loop_orders_.size(); ++i)
    os << "  [" << i << "] loop " << loop_orders_[i].loop << " (" << join_names(loop_orders_[i].tile_vars, tile_names_)
       << ")\n";
  os << "l2_groupings: " << l2_groupings_.size() << "\n";
  os << "range_*: " << ranges_.size() << "\n";
  for (std::size_t i = 0; i < ranges_.size(); ++i)
    os << "  [" << i << "] " << (ranges_[i].is_grid ? "grid (" : "device loop " + std::to_string(ranges_[i].loop) + " (")
       << join_names(ranges_[i].tile_vars, tile_names_) << ")\n";
  os << "static_ranges: " << static_ranges_.size() << "\n";
  os << "load_eviction_policies: " << num_loads_ << "\n";
  os << "indexing: " << accesses_.size() << "\n";
  for (std::size_t i = 0; i < accesses_.size(); ++i)
    os << "  [" << i << "] " << (accesses_[i].is_load ? "load " : "store ") << accesses_[i].tensor << "\n";
  os << "pid_type:";
  for (PidType p : allowed_pid_types()) os << " " << to_string(p);
  os << "\n";
  return os.str();
}

}  // namespace tessera::ir
