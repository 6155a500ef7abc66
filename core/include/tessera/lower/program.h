// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `Program`: a kernel lowered with one config for one device, the launchable description every
/// code generator prints (DESIGN.md data flow, step 4). It fixes what the IR leaves open:
///
/// * tile shapes: the block size of every tile variable, the tile size of every reduction
///   dimension, and which of them need edge masks (an extent that is unknown at compile time or
///   not a multiple of the block size);
/// * the grid: which tile dimensions the program id enumerates, in which order (`loop_orders`),
///   how (`pid_type`: flat, xyz, persistent_blocked, persistent_interleaved), with Triton's
///   grouped ordering for L2 reuse (`l2_groupings`);
/// * the reduction strategy of every reduction dimension: persistent (the whole dimension is
///   one tile) or looped in chunks (`reduction_loops`), where values along it are recomputed
///   per consumer;
/// * device loops: order, flattening, unroll factor and pipeline depth (`range_*`);
/// * a layout for every tile value (layout.h) and the shared-memory staging buffers of loads
///   that feed `dot`;
/// * the launch ABI: the ordered list of kernel parameters (`params`).
///
/// Sizes known at compile time (every size under `static_shapes`, else the `specialize`d
/// ones) are constants of the program; the others, and the strides not given, are run-time
/// parameters.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "tessera/config/config.h"
#include "tessera/ir/ir.h"
#include "tessera/lower/layout.h"

namespace tessera::lower {

/// What is known about a call when lowering: the sizes and strides that become constants.
struct Specialization {
  /// Size symbol -> value. Specialized symbols (`Kernel::size_vars[i].specialized`) must be
  /// present; others are optional (present = compile-time constant).
  std::map<std::string, std::int64_t> sizes;
  /// Tensor name -> strides in elements, one per dimension. Absent = run-time parameters.
  /// Present also promises a 16-byte aligned data pointer (`TensorView::data_aligned16`): the
  /// GPU printers derive vector widths from these strides alone.
  std::map<std::string, std::vector<std::int64_t>> strides;
  /// Tensors whose every row starts 16-byte aligned (`TensorView::rows_aligned16`: aligned data,
  /// last stride 1, other strides multiples of 16 bytes). With run-time strides this is what
  /// lets the GPU printers use 16-byte vector loads, stores and cp.async copies; the strides
  /// stay run-time values in the address arithmetic.
  std::set<std::string> aligned_rows;
  /// Index arithmetic width: false = 32-bit where every tensor fits, true = 64-bit.
  bool index64 = false;
};

/// One tile variable as lowered.
struct TilePlan {
  int tile_var = -1;
  std::string name;
  std::int64_t block = 1;                     ///< tile size (from block_sizes or fixed)
  std::optional<std::int64_t> static_extent;  ///< the extent, when known at compile time
  bool needs_mask = true;                     ///< extent unknown or not a multiple of block
  bool is_grid = false;
  int loop = -1;                              ///< index into `Kernel::loops()`
};

/// How a reduction dimension is processed.
enum class ReductionStrategy : std::uint8_t {
  kPersistent,  ///< the whole dimension is one tile (reduction_loops[r] = null)
  kLooped,      ///< chunks of `block` elements, consumers loop over them
};

/// One reduction dimension as lowered.
struct RDimPlan {
  int rdim = -1;
  std::string name;
  ReductionStrategy strategy = ReductionStrategy::kPersistent;
  /// Persistent: the extent rounded up to a power of two (a GPU tile) — the CPU uses the
  /// extent itself; looped: the chunk size.
  std::int64_t block = 1;
  std::optional<std::int64_t> static_extent;
  bool needs_mask = true;
};

/// How program ids map to tiles of the grid loop.
struct GridPlan {
  PidType pid_type = PidType::kFlat;
  /// Positions (into the grid loop's `tile_vars`) in enumeration order, fastest varying first
  /// (`loop_orders[0]`, default identity: the first dimension varies fastest, as in Helion).
  std::vector<int> order;
  /// Triton's grouped ordering along order[0] in groups of this many tiles (1 = off).
  std::int64_t l2_grouping = 1;
  bool flatten = false;  ///< `flatten_loops[0]`: one pid dimension even for xyz
  /// Persistent kernels launch `num_sm_multiplier` programs per compute unit.
  std::int64_t num_sm_multiplier = 1;
};

/// One device loop (a TileLoop inside the grid).
struct DeviceLoopPlan {
  int loop = -1;               ///< index into `Kernel::loops()`
  std::vector<int> tile_vars;  ///< as in the IR
  std::vector<int> order;      ///< positions into tile_vars, outermost first
  bool flatten = false;
  std::int64_t unroll = 0;     ///< range_unroll_factors, 0 = compiler default
  std::int64_t num_stages = 0; ///< range_num_stages, 0 = default (the program's num_stages)
};

/// Kinds of launch parameters.
enum class ParamKind : std::uint8_t {
  kTensor,  ///< a data pointer (`void*`) to the tensor's first element
  kScalar,  ///< a scalar argument, passed as a value of its dtype
  kSize,    ///< a run-time size symbol, int64
  kStride,  ///< a run-time stride in elements, int64
  kNumPrograms,  ///< persistent kernels: the number of programs launched, int64
};

/// One launch parameter. `args[i]` of a launch points at parameter i's value.
struct Param {
  ParamKind kind = ParamKind::kTensor;
  std::string name;     ///< tensor, scalar or size symbol
  DType dtype = DType::i64;
  int dim = -1;         ///< kStride: the tensor dimension
};

/// A shared-memory staging buffer of a load feeding `dot` inside a device loop.
struct SharedBuffer {
  int let_id = -1;  ///< the Let binding the load
  Layout layout;
};

/// The launch grid of one call.
struct LaunchGrid {
  std::int64_t x = 1, y = 1, z = 1;
  std::int64_t tiles = 1;  ///< tiles of the grid loop (= x·y·z unless persistent)
};

/// A lowered kernel. Holds the kernel it was lowered from (layout keys point into it).
struct Program {
  std::shared_ptr<const ir::Kernel> kernel;
  Config config;       ///< as given (fields absent = defaults below)
  std::string target;  ///< `Caps::target`
  int warp_size = 1;
  std::int64_t num_warps = 4;
  std::int64_t num_stages = 1;
  Specialization spec;

  std::vector<TilePlan> tiles;     ///< indexed by tile variable id
  std::vector<RDimPlan> rdims;     ///< indexed by reduction dimension id
  GridPlan grid;
  std::vector<DeviceLoopPlan> device_loops;  ///< in `Kernel::loops()` order, grid excluded
  std::vector<Param> params;
  std::vector<SharedBuffer> shared_buffers;
  /// The layout of every tile-valued expression node of `kernel` and of every local (by id).
  std::unordered_map<const ir::ExprNode*, Layout> layouts;
  std::vector<Layout> local_layouts;
  /// Notes about config fields this lowering adjusted or ignored (e.g. a short list).
  std::vector<std::string> notes;

  /// The tile shape of a value with `axes` (tile block sizes, rdim tile sizes, 1 for
  /// broadcast), in `cpu` form (persistent rdims: their extent) or GPU form (next power of 2).
  std::vector<std::int64_t> shape_of(const std::vector<ir::Axis>& axes, bool cpu) const;
  /// The layout of `e` (a scalar layout for rank-0 values not in `layouts`).
  const Layout& layout_of(const ir::Expr& e) const;
  /// The grid for a call with run-time `sizes` (every non-constant size symbol) on a device
  /// with `compute_units` (persistent kernels). Throws `UserError` naming a missing size.
  LaunchGrid launch_grid(const std::map<std::string, std::int64_t>& sizes,
                         int compute_units) const;
  /// The same grid from the tile counts of the grid loop (ceil(extent / block) per tile
  /// variable, in `tile_vars` order): for launchers that evaluate the extents themselves
  /// without building a name map per call. Allocates nothing.
  LaunchGrid launch_grid_from_counts(std::span<const std::int64_t> counts, int compute_units) const;
  /// A readable multi-line summary: tiles, rdims, grid, loops, params, layouts of the Lets.
  std::string describe() const;
};

/// Evaluates an i64 size expression (IntImm, SizeVar, add/sub/mul/div/min/max) with `sizes`;
/// `std::nullopt` when a symbol is missing.
std::optional<std::int64_t> eval_size(const ir::Expr& e,
                                      const std::map<std::string, std::int64_t>& sizes);

/// Lowers `kernel` with `config` for a device with `caps_target`/`warp_size`. Config fields
/// absent take Helion's defaults (block size 64 per tile dimension, clamped to the next power of
/// two of a known extent; persistent reductions; flat pid; identity orders). Throws `UserError`
/// naming the kernel and the field for a config that does not fit the kernel (wrong list
/// lengths, a persistent reduction over an extent unknown at compile time, an unknown loop
/// order), and for a specialized size missing from `spec`.
Program lower(std::shared_ptr<const ir::Kernel> kernel, const Config& config,
              const Specialization& spec, const std::string& caps_target, int warp_size);

}  // namespace tessera::lower
