// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `Config`: one set of launch parameters for one kernel, in Helion's config vocabulary.
///
/// A config is a JSON object such as
/// `{"block_sizes": [64, 32], "num_warps": 4, "pid_type": "flat", ...}`, exactly the `"config"`
/// part of an entry in `configs/<kernel>/<platform>.json`. The fields Helion defines have typed
/// getters and setters, and their values are checked against the domains Helion allows
/// (`Config::check`); fields Tessera does not know are kept verbatim. The object keeps its field
/// order, so a config read from a file is written back byte for byte; a config built in code
/// gets Helion's field order (the order of `helion.Config.__init__`'s core properties, with
/// user-defined fields last), so its file is the one vLLM would write.
///
/// What is checked here is what holds for every kernel (types, enum strings, powers of two).
/// Whether a config fits a particular kernel (how many block sizes, which loops exist) is
/// checked against that kernel's config space elsewhere, through the typed getters.
///
/// Thread safety: a value type; const access from several threads is safe.

#include "tessera/support/python_json.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tessera {

/// Helion's `pid_type`: how program ids map to tiles.
enum class PidType { kFlat, kXyz, kPersistentBlocked, kPersistentInterleaved };
/// Helion's `indexing` strategies for loads and stores.
enum class Indexing { kPointer, kTensorDescriptor, kBlockPtr };
/// Helion's `load_eviction_policies` entries: `""` (none), `"first"`, `"last"`.
enum class EvictionPolicy { kNone, kFirst, kLast };

/// The JSON spelling of each enum value (`"persistent_blocked"`, `"tensor_descriptor"`, `""`).
std::string_view to_string(PidType v);
std::string_view to_string(Indexing v);
std::string_view to_string(EvictionPolicy v);

/// `indexing` / `atomic_indexing`: one strategy for every memory operation, or one per operation.
using IndexingSetting = std::variant<Indexing, std::vector<Indexing>>;

class Config {
 public:
  /// An empty config (Helion's `Config()`); every field absent.
  Config() = default;

  /// From a JSON object (an entry's `"config"`). Checks every known field (`check`) and throws
  /// one `UserError` listing every problem, each prefixed with `origin` (e.g.
  /// "configs/k/nvidia_h100.json: entry 3") and naming the field. Unknown fields are kept.
  static Config from_json(const json::Json& obj, std::string_view origin);

  /// Every problem with `obj` as a config, one message per problem, each starting with
  /// `field "<name>": ` (or describing the whole value if it is not an object). Empty when the
  /// config is valid. Never throws for bad input; used by `configs validate` to report all
  /// problems of a file at once.
  static std::vector<std::string> check(const json::Json& obj);

  /// The config as a JSON object, fields in their stored order.
  const json::Json& to_json() const { return fields_; }

  /// Helion's field names in Helion's order (also the order used for fields set in code).
  static std::span<const std::string_view> helion_field_order();
  /// Whether `name` is a field whose values Tessera checks (Helion's fields plus the AMD knobs
  /// `waves_per_eu` and `matrix_instr_nonkdim`).
  static bool is_known_field(std::string_view name);

  bool contains(std::string_view name) const { return fields_.contains(name); }
  /// The raw JSON value of any field, known or not; nullptr if absent.
  const json::Json* raw(std::string_view name) const;
  /// Sets any field from JSON. A known field is checked first (throws `UserError` naming the
  /// field and the allowed values). An existing field is replaced in place; a new one is placed
  /// where Helion would put it (see the file comment).
  Config& set_raw(std::string_view name, json::Json value);
  /// Removes a field; returns whether it was present.
  bool erase(std::string_view name);
  std::size_t size() const { return fields_.size(); }

  // Typed getters: `std::nullopt` when the field is absent (the kernel's config space supplies
  // Helion's defaults). Values were checked on the way in, so getters never throw.

  /// Tile size per `hl.tile` dimension; each a power of two >= 1.
  std::optional<std::vector<std::int64_t>> block_sizes() const;
  /// Per tiled loop nest, a permutation of its dimensions (0..n-1).
  std::optional<std::vector<std::vector<std::int64_t>>> loop_orders() const;
  /// Per tiled loop nest, whether its dimensions are flattened into one.
  std::optional<std::vector<bool>> flatten_loops() const;
  /// Per loop nest, program-id grouping for L2 locality; powers of two >= 1.
  std::optional<std::vector<std::int64_t>> l2_groupings() const;
  /// Per reduction dimension: `std::nullopt` = persistent reduction (whole row in one tile),
  /// else the looped reduction's chunk size, a power of two >= 1.
  std::optional<std::vector<std::optional<std::int64_t>>> reduction_loops() const;
  /// Per inner loop: unroll factor, 0 = compiler default.
  std::optional<std::vector<std::int64_t>> range_unroll_factors() const;
  /// Per inner loop: warp specialization; `std::nullopt` = compiler default.
  std::optional<std::vector<std::optional<bool>>> range_warp_specializes() const;
  /// Per inner loop: software-pipelining stages, 0 = compiler default.
  std::optional<std::vector<std::int64_t>> range_num_stages() const;
  /// Per inner loop: whether accumulators may be multi-buffered; `std::nullopt` = default.
  std::optional<std::vector<std::optional<bool>>> range_multi_buffers() const;
  /// Per inner loop: whether the loop nest is flattened; `std::nullopt` = default.
  std::optional<std::vector<std::optional<bool>>> range_flattens() const;
  /// Per inner loop: whether it is fully unrolled at compile time (`tl.static_range`).
  std::optional<std::vector<bool>> static_ranges() const;
  /// Per load: cache eviction hint.
  std::optional<std::vector<EvictionPolicy>> load_eviction_policies() const;
  /// Warps per program (32-wide on NVIDIA, 64-wide wavefronts on AMD): a power of two in 1..32.
  std::optional<std::int64_t> num_warps() const;
  /// Software-pipelining depth of the outer program, >= 1.
  std::optional<std::int64_t> num_stages() const;
  std::optional<IndexingSetting> indexing() const;
  std::optional<IndexingSetting> atomic_indexing() const;
  std::optional<PidType> pid_type() const;
  /// Registers per thread cap: 32, 64, 128 or 256; absent or JSON null = no cap.
  std::optional<std::int64_t> maxnreg() const;
  /// Persistent kernels launch `num_sm_multiplier * SM count` programs; a power of two >= 1.
  std::optional<std::int64_t> num_sm_multiplier() const;
  /// AMD: occupancy hint (waves per execution unit), 0..16; 0 = compiler default.
  std::optional<std::int64_t> waves_per_eu() const;
  /// AMD: MFMA instruction non-K dimension: 0 (compiler default), 16 or 32.
  std::optional<std::int64_t> matrix_instr_nonkdim() const;

  // Typed setters: check the value (throw `UserError` naming the field and the allowed values),
  // then store it as `set_raw` does. They return *this for chaining.

  Config& set_block_sizes(const std::vector<std::int64_t>& v);
  Config& set_loop_orders(const std::vector<std::vector<std::int64_t>>& v);
  Config& set_flatten_loops(const std::vector<bool>& v);
  Config& set_l2_groupings(const std::vector<std::int64_t>& v);
  Config& set_reduction_loops(const std::vector<std::optional<std::int64_t>>& v);
  Config& set_range_unroll_factors(const std::vector<std::int64_t>& v);
  Config& set_range_warp_specializes(const std::vector<std::optional<bool>>& v);
  Config& set_range_num_stages(const std::vector<std::int64_t>& v);
  Config& set_range_multi_buffers(const std::vector<std::optional<bool>>& v);
  Config& set_range_flattens(const std::vector<std::optional<bool>>& v);
  Config& set_static_ranges(const std::vector<bool>& v);
  Config& set_load_eviction_policies(const std::vector<EvictionPolicy>& v);
  Config& set_num_warps(std::int64_t v);
  Config& set_num_stages(std::int64_t v);
  Config& set_indexing(const IndexingSetting& v);
  Config& set_atomic_indexing(const IndexingSetting& v);
  Config& set_pid_type(PidType v);
  Config& set_maxnreg(std::optional<std::int64_t> v);
  Config& set_num_sm_multiplier(std::int64_t v);
  Config& set_waves_per_eu(std::int64_t v);
  Config& set_matrix_instr_nonkdim(std::int64_t v);

  /// Same fields with the same values in the same order, compared as written (so `1` and `1.0`
  /// differ, as they do in the file).
  friend bool operator==(const Config& a, const Config& b);

 private:
  json::Json fields_ = json::Json::object();
};

}  // namespace tessera
