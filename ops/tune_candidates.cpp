// SPDX-License-Identifier: Apache-2.0
// The tuner's candidate configs (tune.h): per target, from the config space, the device's warp
// size and shared memory, and the config the file holds now.
#include <algorithm>
#include <array>

#include "ops/tune.h"
#include "tessera/runtime/device_info.h"

namespace tessera::ops {

namespace {

void add_unique(std::vector<Config>& out, const Config& c) {
  if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
}

/// The CPU's candidates (tile element budgets, grid order, looped vs persistent rows).
void cpu_candidates(const ir::ConfigSpace& space, const Config& base, std::vector<Config>& out) {
  if (space.has_dot()) {
    // Matrix tiles: square-ish register/L1 blocks (the CPU bench's best were 32-64 wide).
    for (const std::vector<std::int64_t>& b : std::vector<std::vector<std::int64_t>>{
             {32, 64, 32}, {64, 64, 64}, {16, 128, 64}, {64, 128, 32}}) {
      if (b.size() != space.block_sizes().size()) break;
      std::vector<std::int64_t> v = b;
      for (std::size_t i = 0; i < v.size(); ++i)
        if (const auto& mx = space.block_sizes()[i].max) v[i] = std::min(v[i], *mx);
      Config c = base;
      c.set_block_sizes(v);
      add_unique(out, c);
    }
  } else {
    // The tile's element budget: smaller tiles fit L1 with their temporaries, larger ones
    // halve the per-program overhead of short rows.
    for (std::int64_t elements : {1024, 2048, 8192, 16384}) {
      Config c = base;
      if (!space.block_sizes().empty()) c.set_block_sizes(space.cpu_block_sizes(elements));
      add_unique(out, c);
    }
  }
  // The grid order Helion uses (first dimension fastest), for tiles that do not cover a row.
  if (auto lo = base.loop_orders(); lo && !lo->empty() && !space.loop_orders().empty() &&
                                    space.loop_orders()[0].loop == 0) {
    Config c = base;
    auto orders = *lo;
    std::sort(orders[0].begin(), orders[0].end());
    c.set_loop_orders(orders);
    add_unique(out, c);
  }
  if (auto rl = base.reduction_loops()) {
    // Looped reductions in 1024-element chunks where the default is persistent over more.
    auto looped = *rl;
    bool changed = false;
    for (std::size_t i = 0; i < looped.size(); ++i) {
      const auto& extent = space.reduction_loops()[i].extent;
      if (!looped[i] && extent && *extent > 1024) {
        looped[i] = 1024;
        changed = true;
      }
    }
    if (changed) add_unique(out, Config(base).set_reduction_loops(looped));
    // Persistent rows up to 16384 elements where the default loops (rows longer than
    // Helion's 4096): a 64 KiB f32 row still fits L2, and a looped reduction reads it twice.
    auto persistent = *rl;
    changed = false;
    for (std::size_t i = 0; i < persistent.size(); ++i) {
      const auto& extent = space.reduction_loops()[i].extent;
      if (persistent[i] && extent && *extent <= 16384) {
        persistent[i].reset();
        changed = true;
      }
    }
    if (changed) add_unique(out, Config(base).set_reduction_loops(persistent));
  }
}

/// One GPU matrix tile: [m, n, k] block, warps, and the stage count the tile was measured with
/// on sm_90a (fewer where the device's shared memory does not hold them).
struct DotTile {
  std::array<std::int64_t, 3> block;
  std::int64_t warps;
  std::int64_t stages;
};

/// Matrix tiles by tile-m class, the shapes a helper compiled for sm_90a without spills (16-row
/// tiles: mma.sync with deep K; 64-256 rows: wgmma with 1-2 warpgroups). The case's m bounds
/// which classes run (`gpu_dot_candidates`), the shared memory how many stages.
constexpr std::array<DotTile, 14> kDotTiles{{
    {{16, 32, 128}, 2, 4}, {{16, 32, 256}, 2, 3}, {{16, 64, 128}, 4, 4}, {{16, 64, 64}, 4, 6},
    {{16, 128, 64}, 4, 4}, {{64, 64, 64}, 4, 4}, {{64, 32, 128}, 4, 4}, {{64, 128, 64}, 4, 4},
    {{64, 64, 128}, 4, 4}, {{64, 256, 64}, 4, 4}, {{128, 256, 64}, 8, 4}, {{128, 128, 64}, 8, 4},
    {{128, 128, 64}, 4, 5}, {{256, 128, 64}, 8, 4},
}};

/// Dot kernels [m, n, k]: tiles whose m is within a factor 16 below the case's m (rounded up to
/// a power of two, at least 16: smaller tiles only multiply B's traffic), n and k within the
/// slots' maxima, and stages cut to what the shared memory holds (2-byte operands: A's m x k
/// and B's k x n tile per stage; at least 2 stages, else the tile is left out).
void gpu_dot_candidates(const ir::ConfigSpace& space, const TuneTarget& target, const Config& base,
                        std::vector<Config>& out) {
  const auto& slots = space.block_sizes();
  if (slots.size() != 3) return;
  const std::int64_t m_cap = std::max<std::int64_t>(16, slots[0].max.value_or(1 << 20));
  for (const DotTile& t : kDotTiles) {
    if (t.block[0] > m_cap || t.block[0] * 16 < m_cap) continue;
    if ((slots[1].max && t.block[1] > *slots[1].max) || (slots[2].max && t.block[2] > *slots[2].max)) continue;
    const std::int64_t stage_bytes = 2 * (t.block[0] * t.block[2] + t.block[2] * t.block[1]);
    const std::int64_t fit = target.smem_per_block_bytes > 0 ? target.smem_per_block_bytes / stage_bytes : t.stages;
    if (fit < 2) continue;
    Config c = base;
    c.set_block_sizes({t.block[0], t.block[1], t.block[2]});
    c.set_num_warps(t.warps);
    c.set_num_stages(std::min(t.stages, fit));
    add_unique(out, c);
  }
}

/// Row and elementwise kernels: 1, 2 or 4 rows per program with the whole row in one tile
/// (registers) where the row is at most 8192 elements, else 1024-wide column tiles; 4, 8 or
/// 16 warps where each thread holds 4..64 elements of a reduction row (4..32 of an
/// elementwise tile); both grid orders for 2-D grids; a looped
/// reduction (4096-element chunks) for rows over 4096.
void gpu_row_candidates(const ir::ConfigSpace& space, const TuneTarget& target, const Config& base,
                        std::vector<Config>& out) {
  const auto& slots = space.block_sizes();
  const auto& rslots = space.reduction_loops();
  // The row's length: the reduction's extent, or the last (contiguous) block slot's extent.
  std::int64_t row = 0;
  if (!rslots.empty()) row = rslots.back().extent.value_or(0);
  const bool row_is_slot = rslots.empty() && slots.size() >= 2;
  if (row_is_slot) row = slots.back().max.value_or(0);
  std::vector<std::int64_t> cols = {0};  // 0: no column slot
  if (row_is_slot) cols = {row > 0 && row <= 8192 ? row : 1024};
  for (std::int64_t col : cols)
    for (std::int64_t rows : {1, 2, 4})
      for (std::int64_t warps : {4, 8, 16}) {
        if (slots.empty()) break;
        std::vector<std::int64_t> b(slots.size(), 1);
        b[0] = std::min<std::int64_t>(rows, slots[0].max.value_or(rows));
        if (col > 0) b.back() = col;
        if (b[0] != rows) continue;
        const std::int64_t elements = rows * (col > 0 ? col : row);
        const std::int64_t per_thread = elements / (warps * target.warp_size);
        // Elementwise tiles hold every operand: at most 32 elements per thread ([4,8192]/16w of
        // add, 64 per thread, spilled 116 stores on sm_90a); a reduction row holds one.
        if (row > 0 && (per_thread < 4 || per_thread > (row_is_slot ? 32 : 64))) continue;
        Config c = base;
        c.set_block_sizes(b);
        c.set_num_warps(warps);
        if (!rslots.empty()) c.set_reduction_loops(std::vector<std::optional<std::int64_t>>(rslots.size()));
        add_unique(out, c);
      }
  // Long rows: a looped reduction keeps 4096 elements live per program.
  if (!rslots.empty() && row > 4096)
    for (std::int64_t warps : {4, 8}) {
      Config c = base;
      if (!slots.empty()) c.set_block_sizes(std::vector<std::int64_t>(slots.size(), 1));
      c.set_num_warps(warps);
      c.set_reduction_loops(std::vector<std::optional<std::int64_t>>(rslots.size(), 4096));
      add_unique(out, c);
    }
  // The other grid order of a 2-D grid, for the base config.
  if (!space.loop_orders().empty() && space.loop_orders()[0].loop == 0 && space.loop_orders()[0].tile_vars.size() == 2) {
    for (const std::vector<std::int64_t>& order : {std::vector<std::int64_t>{0, 1}, std::vector<std::int64_t>{1, 0}}) {
      Config c = out.empty() ? base : out.front();
      auto orders = c.loop_orders().value_or(std::vector<std::vector<std::int64_t>>(space.loop_orders().size()));
      if (orders.size() != space.loop_orders().size()) continue;
      for (std::size_t i = 1; i < orders.size(); ++i)
        if (orders[i].empty())
          for (std::size_t d = 0; d < space.loop_orders()[i].tile_vars.size(); ++d)
            orders[i].push_back(static_cast<std::int64_t>(d));
      orders[0] = order;
      c.set_loop_orders(orders);
      add_unique(out, c);
    }
  }
}

}  // namespace

TuneTarget TuneTarget::of(const runtime::DeviceInfo& info) {
  return TuneTarget{info.caps.warp_size, info.caps.smem_per_block_bytes};
}

std::vector<Config> tune_candidates(const ir::ConfigSpace& space, const TuneTarget& target,
                                    const std::optional<Config>& current, std::size_t max_candidates) {
  std::vector<Config> out;
  const ir::ConfigDefaults defaults = ir::defaults_for(target.warp_size);
  const Config base = space.default_config(defaults);
  if (current) add_unique(out, *current);
  if (target.warp_size <= 1) {
    add_unique(out, base);
    cpu_candidates(space, base, out);
    add_unique(out, space.default_config(ir::ConfigDefaults::helion));  // the baseline
  } else {
    // Variations of the file's config keep its other fields (l2_groupings, eviction policies).
    const Config from = current.value_or(base);
    if (space.has_dot())
      gpu_dot_candidates(space, target, from, out);
    else
      gpu_row_candidates(space, target, from, out);
    // Helion's default only when there is nothing better to start from (it is slow on GPUs).
    if (out.empty()) add_unique(out, base);
  }
  if (out.size() > max_candidates) out.resize(max_candidates);
  return out;
}

}  // namespace tessera::ops
