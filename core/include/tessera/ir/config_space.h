// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `ConfigSpace`: which config fields a kernel has, how many entries each list holds, what
/// values they may take, Helion's default config, and the normalization of a given config
/// against the kernel (Helion's `ConfigSpec`, derived here from the IR instead of from a traced
/// Python function).
///
/// The list lengths follow Helion's rules (helion/language/loops.py `_add_config_choices`,
/// helion/_compiler/device_ir.py `_register_load_store_tunables`), so a config that vLLM tuned
/// for a Helion kernel with the same loop structure applies unchanged:
///
/// | field                         | one entry per                                                |
/// |-------------------------------|--------------------------------------------------------------|
/// | `block_sizes`                 | tile dimension without a fixed block size, definition order |
/// | `reduction_loops`             | reduction dimension (`RDim`), by id                           |
/// | `loop_orders`                 | tile loop (grid or device) with two or more dimensions        |
/// | `flatten_loops`               | same as `loop_orders`                                         |
/// | `l2_groupings`                | grid loop with two or more dimensions (so 0 or 1 entries)     |
/// | `range_unroll_factors`, `range_warp_specializes`, `range_num_stages`, `range_multi_buffers`, `range_flattens` | *range slot*: the grid loop as a whole (one slot: it becomes a loop in persistent kernels), then every dimension of every device loop, in `Kernel::loops()` order |
/// | `static_ranges`               | device-loop dimension with a compile-time trip count <= 8    |
/// | `load_eviction_policies`      | load, in program order                                        |
/// | `indexing`                    | load or store, in program order                               |
/// | `atomic_indexing`             | atomic operation (the IR has none: always 0)                  |
///
/// Normalization (`normalize`) is Helion's `ConfigSpec.normalize` without the autotuner's
/// silent fixes:
/// * structural lists (`block_sizes` .. `static_ranges` above) with *more* entries than the
///   kernel has are errors; shorter ones are padded with the defaults (Helion's `_fill_missing`;
///   an empty list is how Helion writes "nothing to tune here", e.g. `range_warp_specializes`
///   on GPUs without warp specialization), except `block_sizes`, which has no default;
/// * per-access lists (`load_eviction_policies`, `indexing`, `atomic_indexing`) of another
///   length are padded with defaults or truncated, with a note: they count memory operations,
///   which differ between two programs of the same loop structure;
/// * a `block_sizes` entry that is not a power of two, a `loop_orders` entry that is not a
///   permutation of its loop's dimensions, `num_sm_multiplier` or `maxnreg` with a
///   non-persistent `pid_type`, and `pid_type` "xyz" on a grid of more than three dimensions
///   are errors;
/// * the range entries of the grid slot are reset to defaults unless `pid_type` is persistent,
///   those of static ranges are reset when `static_ranges` makes them static, and only the
///   first `true` of `range_warp_specializes` is kept (Helion's rules; a note when a value
///   changes).
/// Every error is a `UserError` that names the kernel and the field and says how to fix it.
/// Fields the config does not give stay absent in the normalized config (absent = default).
///
/// Thread safety: a value type; const access from several threads is safe.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/config/config.h"
#include "tessera/ir/kernel.h"

namespace tessera::ir {

/// One `block_sizes` entry: a tile dimension and its value domain (powers of two in
/// [min, max]). `max` is the next power of two of the extent when the extent is known at
/// compile time (a larger block only adds masked lanes), else unbounded.
struct BlockSizeSlot {
  int tile_var = -1;                          ///< `Kernel::tile_vars` index
  std::string name;                           ///< the tile variable's name ("tm")
  std::optional<std::int64_t> extent;         ///< known extent, if any
  std::int64_t min = 1;
  std::optional<std::int64_t> max;
  std::int64_t default_value = 1;             ///< Helion's default (see `default_config`)
  std::int64_t cpu_default_value = 1;         ///< the CPU default (see `ConfigDefaults::cpu`)
};

/// Whose defaults `ConfigSpace::default_config` returns: the single source of the config a
/// kernel runs with when a config (or one of its fields) is not given. `lower::lower` and
/// `lang::BoundKernel` pick `cpu` for targets with a warp size of 1 (`defaults_for`).
enum class ConfigDefaults : unsigned char {
  /// Helion's `default_config()` (GPUs: block sizes 32/16/1 by reduction size, identity orders).
  helion,
  /// The host CPU: one program is one core's sequential loop over its tile, so programs should
  /// be large (about `ConfigSpace::kCpuTileElements` elements, e.g. one 4096-wide row or two
  /// 2048-wide rows) and consecutive programs should walk memory linearly: the grid's last
  /// dimension (the contiguous one for row-major tensors) varies fastest (`loop_orders`
  /// reversed). Measured on a 2-core EPYC (bench/RESULTS_CPU.md): full rows or [1, 1024] with
  /// the last dimension fastest reach 0.97-1.06 of memcpy single-threaded, Helion's [32, 32]
  /// with the first dimension fastest 0.3-0.6. Kernels with a `dot` keep Helion's block sizes
  /// (a 1-row matmul tile would re-read the whole right operand per row).
  cpu,
};

/// `ConfigDefaults::cpu` for a warp size of 1 (the CPU backend's `Caps`), else `helion`.
inline ConfigDefaults defaults_for(int warp_size) {
  return warp_size <= 1 ? ConfigDefaults::cpu : ConfigDefaults::helion;
}

/// One `reduction_loops` entry: null = persistent (the whole dimension in one tile), an int =
/// looped in chunks of that many elements (a power of two). Helion's autotuner searches chunks
/// in [8, next power of two of the extent]; a chunk >= the extent is persistent.
struct ReductionSlot {
  int rdim = -1;                              ///< `Kernel::rdims` index
  std::string name;                           ///< "R0"
  std::optional<std::int64_t> extent;         ///< known extent, if any
  /// Helion's default: null when the extent is known and <= 4096, else chunks of 4096 (an
  /// unknown extent cannot be persistent: its tile has no compile-time size).
  std::optional<std::int64_t> default_value;
};

/// One entry of a per-loop list (`loop_orders`, `flatten_loops`, `l2_groupings`).
struct LoopSlot {
  int loop = -1;                              ///< `Kernel::loops()` index (0 = the grid)
  std::vector<int> tile_vars;                 ///< the loop's dimensions, definition order
};

/// One range slot (`range_*` lists) or one `static_ranges` entry.
struct RangeSlot {
  int loop = -1;                              ///< `Kernel::loops()` index
  std::vector<int> tile_vars;                 ///< grid: all its dimensions; device: one
  bool is_grid = false;
};

/// One memory operation, in program order (the order of `indexing`).
struct MemoryAccess {
  bool is_load = true;
  std::string tensor;
  int loop = -1;                              ///< innermost enclosing loop (`loops()` index)
  const ExprNode* load = nullptr;             ///< the Load node (loads)
  const StmtNode* store = nullptr;            ///< the Store statement (stores)
};

/// A config normalized against one kernel, with what normalization changed.
struct NormalizedConfig {
  Config config;
  /// One line per adjustment ("indexing has 5 entries, this kernel has 4 loads and stores:
  /// truncated to 4"), empty when the config fits as given.
  std::vector<std::string> notes;
};

/// The config space of one kernel (see the file comment). Build with `ConfigSpace::of`.
class ConfigSpace {
 public:
  /// Helion's fixed scalar domains (helion/autotuner/config_spec.py).
  static constexpr std::int64_t kMaxNumWarps = 32;
  static constexpr std::int64_t kMaxNumStages = 8;
  static constexpr std::int64_t kMaxRangeUnrollFactor = 4;
  static constexpr std::int64_t kMaxRangeNumStages = 4;
  static constexpr std::int64_t kMaxL2Grouping = 64;
  static constexpr std::int64_t kMaxNumSmMultiplier = 128;
  static constexpr std::int64_t kMinReductionChunk = 8;
  /// Helion's default chunk for reductions longer than this (and the persistent limit).
  static constexpr std::int64_t kDefaultReductionChunk = 4096;
  /// A device loop of at most this many iterations may be a static range (Helion).
  static constexpr std::int64_t kMaxStaticRangeTrips = 8;
  /// Elements of one CPU program's tile under `ConfigDefaults::cpu` (16 KiB of f32: a tile
  /// value fits L1 beside its inputs; long enough that per-program overhead is negligible).
  static constexpr std::int64_t kCpuTileElements = 4096;

  /// Derives the space of `kernel`. `sizes` are the size symbols known at compile time (a
  /// call's specialization: every symbol under static shapes); they fix extents, which set the
  /// block-size maxima, the defaults and which device loops may be static ranges.
  static ConfigSpace of(const Kernel& kernel, const std::map<std::string, std::int64_t>& sizes = {});

  const std::string& kernel_name() const { return kernel_name_; }
  const std::vector<BlockSizeSlot>& block_sizes() const { return block_sizes_; }
  const std::vector<ReductionSlot>& reduction_loops() const { return reduction_loops_; }
  /// Slots of `loop_orders` and `flatten_loops` (the same loops).
  const std::vector<LoopSlot>& loop_orders() const { return loop_orders_; }
  const std::vector<LoopSlot>& l2_groupings() const { return l2_groupings_; }
  /// Slots of every `range_*` list.
  const std::vector<RangeSlot>& ranges() const { return ranges_; }
  const std::vector<RangeSlot>& static_ranges() const { return static_ranges_; }
  /// Loads and stores in program order (`indexing`).
  const std::vector<MemoryAccess>& accesses() const { return accesses_; }
  /// Number of loads (`load_eviction_policies`).
  int num_loads() const { return num_loads_; }
  /// Number of `atomic_indexing` entries (always 0: the IR has no atomics).
  int num_atomics() const { return 0; }
  /// `pid_type`s the autotuner may try: "xyz" only for grids of 2 or 3 dimensions.
  std::vector<PidType> allowed_pid_types() const;

  /// The range slot of tile variable `tile_var` (its grid slot for grid dimensions), or -1.
  int range_slot_of(int tile_var) const;
  /// The `loop_orders` slot of loop `loop` (`loops()` index), or -1 for 1-d loops.
  int loop_order_slot_of(int loop) const;
  /// The load index (`load_eviction_policies`) of a Load node, or -1.
  int load_index_of(const ExprNode* load) const;

  /// Helion's `default_config()` for this kernel: every list of this kernel at its default
  /// (block sizes 32 for one or two dimensions when the reductions hold <= 128 elements, 16
  /// when <= 256, else 1, clamped to each slot's [min, max]; persistent reductions up to 4096
  /// elements; identity loop orders; no flattening, grouping, unrolling or staging; "" eviction;
  /// "pointer" indexing), num_warps 4, num_stages 1, pid_type "flat"; empty lists left out.
  /// `ConfigDefaults::cpu` differs in `block_sizes` and the grid's `loop_orders` entry only
  /// (see `ConfigDefaults`).
  Config default_config(ConfigDefaults defaults = ConfigDefaults::helion) const;

  /// The CPU rule's block sizes (see `ConfigDefaults::cpu`) for a tile of about `tile_elements`
  /// elements, one per `block_sizes` slot (the tuner varies the budget). Kernels with a `dot`
  /// get Helion's defaults.
  std::vector<std::int64_t> cpu_block_sizes(std::int64_t tile_elements = kCpuTileElements) const;
  /// Whether the kernel has a `dot` (matrix-multiply tiles follow other rules).
  bool has_dot() const { return has_dot_; }

  /// Checks `config` against this kernel and returns it normalized (see the file comment).
  /// Throws `UserError` naming the kernel and the field.
  NormalizedConfig normalize(const Config& config) const;
  /// Same for a raw JSON object (e.g. an entry of a config file): first the kernel-independent
  /// checks of `Config::check` (a non-power-of-two block size, a bad enum string), reported with
  /// the kernel name and `origin` ("configs/k/nvidia_h100.json: entry 3"), then `normalize`.
  NormalizedConfig normalize(const json::Json& config, std::string_view origin) const;

  /// A readable multi-line summary: every field, its length and what each entry stands for.
  std::string describe() const;

 private:
  /// One tile loop as the CPU block rule sees it: per dimension in definition order, its
  /// `block_sizes` slot (or -1) and its fixed block size (1 when it has a slot).
  struct CpuLoop {
    bool is_grid = false;
    std::vector<std::pair<int, std::int64_t>> dims;
  };

  std::string kernel_name_;
  int grid_dims_ = 0;
  std::vector<BlockSizeSlot> block_sizes_;
  std::vector<ReductionSlot> reduction_loops_;
  std::vector<LoopSlot> loop_orders_;
  std::vector<LoopSlot> l2_groupings_;
  std::vector<RangeSlot> ranges_;
  std::vector<RangeSlot> static_ranges_;
  std::vector<MemoryAccess> accesses_;
  int num_loads_ = 0;
  std::vector<std::string> tile_names_;  ///< by tile variable id, for messages
  bool has_dot_ = false;                  ///< the kernel has a `dot` (CPU block defaults)
  std::vector<CpuLoop> cpu_loops_;        ///< `loops()` order
  std::int64_t cpu_reduction_numel_ = 1;  ///< reduced elements in one tile (persistent or chunk)
};

}  // namespace tessera::ir
