// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `Kernel` and `BoundKernel`: Helion's `Kernel`/`BoundKernel` in C++. A `Kernel` is a traced
/// definition (`lang::define`) + `Settings` + optionally one config or a list of configs. It is
/// called with tensors and scalars on any device whose backend registers a code generator and
/// a compiler (the CPU now); the device is the one the tensors live on.
///
/// \code
///   tessera::init();
///   lang::Kernel add(examples::add_kernel(DType::f32));        // default config
///   add({x, y, out});                                          // compile on first call, launch
///   lang::Kernel tuned(def, {cfg_a, cfg_b, cfg_c});            // light autotune on first call
///   lang::Kernel dyn(def, Settings{.static_shapes = false});   // one kernel for many shapes
/// \endcode
///
/// Per call: the arguments are checked against the definition (count, tensor or scalar,
/// dtype, rank, one device, consistent sizes: `UserError` naming the argument before anything
/// compiles), then reduced to a `SpecializationKey`. One `BoundKernel` exists per key (`bind`),
/// holding the `lower::Specialization` (which sizes and strides are compile-time constants)
/// and one compiled program per config it was asked for. Which config a call runs:
/// `BoundKernel::set_config` if called; else the kernel's only config; else, with several
/// configs, the fastest of them, measured on the first call (each compiled, run once to warm
/// up, then timed with device events on scratch copies of the outputs; a config that fails to
/// compile or run is skipped and reported on stderr); else the default config
/// (`ir::ConfigSpace::default_config` for the device: Helion's on GPUs, large row-ordered tiles
/// on the CPU; reductions over run-time extents loop in Helion's 4096-element chunks).
///
/// Thread safety: every member function may be called concurrently. Concurrent first calls of
/// one specialization bind once; concurrent requests for one config compile once.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "tessera/config/config.h"
#include "tessera/ir/kernel.h"
#include "tessera/lang/kernel_launch.h"
#include "tessera/lang/kernel_settings.h"
#include "tessera/lower/program.h"
#include "tessera/runtime/device.h"
#include "tessera/runtime/stream.h"

namespace tessera::lang {

/// What tells two calls apart: the device, and per tensor its dtype, rank and sizes and strides
/// (exact under `static_shapes`, else sizes bucketed 0 / 1 / >= 2) and 16-byte alignment
/// (`TensorView::data_aligned16`, `rows_aligned16`), the index width, and the extra key. Calls with equal keys share one `BoundKernel`. A plain value; cheap to hash.
class SpecializationKey {
 public:
  SpecializationKey() = default;
  /// `codes`: the key's integers; `extra`: the extra key's value; `text`: the readable form.
  SpecializationKey(std::vector<std::int64_t> codes, std::string extra, std::string text = {});
  /// Readable form, e.g. "cpu i32 static m=128 n=64 x[128,64]/[64,1] out[128,64]/[64,1]" or
  /// "cpu i32 dynamic m>=2 n=1 x[>=2,1] out[>=2,1]", plus " extra=<value>". Empty on the keys
  /// `Kernel::operator()` computes internally (building text per call would cost time).
  const std::string& str() const { return text_; }
  std::size_t hash() const { return hash_; }
  friend bool operator==(const SpecializationKey& a, const SpecializationKey& b) {
    return a.hash_ == b.hash_ && a.codes_ == b.codes_ && a.extra_ == b.extra_;
  }

 private:
  friend class Kernel;
  friend class BoundKernel;
  std::vector<std::int64_t> codes_;
  std::string extra_;
  std::string text_;
  std::size_t hash_ = 0;
};

struct SpecializationKeyHash {
  std::size_t operator()(const SpecializationKey& k) const noexcept { return k.hash(); }
};

/// Result of the light autotune: every listed config with its time (infinity when it failed).
struct AutotuneResult {
  struct Entry {
    Config config;
    double ms = 0;      ///< mean milliseconds per launch; +inf when it failed
    std::string error;  ///< why it failed, else empty
  };
  std::vector<Entry> entries;
  std::size_t best = 0;  ///< index into entries
};

class Kernel;

/// A kernel specialized for one `SpecializationKey` (Helion's `BoundKernel`): one device, the
/// constant sizes and strides, the index width. Created by `Kernel::bind`; shared, thread safe,
/// and independent of its `Kernel`'s lifetime.
class BoundKernel {
 public:
  /// Use `Kernel::bind`.
  BoundKernel(std::shared_ptr<const ir::Kernel> definition, std::vector<Config> configs,
              ResolvedSettings settings, SpecializationKey key, runtime::Device device,
              lower::Specialization spec);
  BoundKernel(const BoundKernel&) = delete;
  BoundKernel& operator=(const BoundKernel&) = delete;
  ~BoundKernel();

  const SpecializationKey& key() const { return key_; }
  const runtime::Device& device() const { return device_; }
  /// The sizes and strides compiled in as constants, and the index width.
  const lower::Specialization& specialization() const { return spec_; }
  const std::shared_ptr<const ir::Kernel>& definition() const { return definition_; }

  /// Makes later calls run `config` (validated by lowering it now; `UserError` naming the
  /// field for a config that does not fit the kernel). Replaces an autotuned choice.
  void set_config(const Config& config);
  /// The config calls run, once decided (set, single, autotuned or default); else nullopt.
  std::optional<Config> config() const;
  /// The config the default (no config given) resolves to for this specialization.
  Config default_config() const;

  /// Lowers the definition with `config` for this specialization and the device's target.
  lower::Program lower(const Config& config) const;
  /// The source the device's code generator emits for `config` (Helion's `to_triton_code`).
  backend::Source source(const Config& config) const;
  /// Compiles `config` (once; later requests return the same object, concurrent ones wait for
  /// one compile). Prints the source first under `print_output_code`.
  std::shared_ptr<const CompiledKernel> compile(const Config& config) const;

  /// Runs one call. `args` are checked as `Kernel::operator()` checks them and must have this
  /// bound kernel's key (`UserError` showing both keys otherwise). Decides the config first
  /// if not yet decided (may autotune). Does not wait for the device.
  void operator()(std::span<const Arg> args, runtime::Stream* stream = nullptr) const;
  void operator()(std::initializer_list<Arg> args, runtime::Stream* stream = nullptr) const {
    (*this)(std::span<const Arg>(args.begin(), args.size()), stream);
  }
  /// The autotune result, if this bound kernel autotuned.
  std::optional<AutotuneResult> autotune_result() const;

 private:
  friend class Kernel;
  struct CompileSlot;  // one config's compile: a once-flag and its result (kernel.cpp)
  /// Launches a checked call whose size symbols are `sizes` (size_vars order).
  void run(std::span<const Arg> args, std::span<const std::int64_t> sizes,
           runtime::Stream* stream) const;
  std::shared_ptr<const CompiledKernel> decide(std::span<const Arg> args,
                                               std::span<const std::int64_t> sizes,
                                               runtime::Stream* stream) const;
  AutotuneResult autotune(std::span<const Arg> args, std::span<const std::int64_t> sizes,
                          runtime::Stream* stream) const;

  std::shared_ptr<const ir::Kernel> definition_;
  std::vector<Config> configs_;
  ResolvedSettings settings_;
  SpecializationKey key_;
  runtime::Device device_;
  lower::Specialization spec_;
  mutable std::mutex mutex_;  // guards the four members below
  mutable std::map<std::string, std::shared_ptr<CompileSlot>> compiled_;  // by config JSON
  mutable std::shared_ptr<const CompiledKernel> chosen_;  // the decided config's program
  mutable std::optional<Config> chosen_config_;
  mutable std::optional<AutotuneResult> autotune_;
  mutable std::mutex decide_mutex_;  // one decision (possibly an autotune) at a time
  /// `chosen_.get()` once decided, for the lock-free hot path of `run`. Every program it ever
  /// points at is kept alive by `compiled_` until this object dies.
  mutable std::atomic<const CompiledKernel*> ready_{nullptr};
};

/// A definition + settings + configs (see the file comment).
class Kernel {
 public:
  /// Default config (Helion's defaults).
  explicit Kernel(ir::Kernel definition, Settings settings = {});
  /// One config, used for every call.
  Kernel(ir::Kernel definition, Config config, Settings settings = {});
  /// A list of configs: one is used directly; several are timed on each specialization's first
  /// call and the fastest kept. An empty list means the default config.
  Kernel(ir::Kernel definition, std::vector<Config> configs, Settings settings = {});
  Kernel(std::shared_ptr<const ir::Kernel> definition, std::vector<Config> configs,
         Settings settings);
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;
  ~Kernel();

  const std::string& name() const { return definition_->name; }
  const ir::Kernel& definition() const { return *definition_; }
  const std::shared_ptr<const ir::Kernel>& shared_definition() const { return definition_; }
  const ResolvedSettings& settings() const { return settings_; }
  const std::vector<Config>& configs() const { return configs_; }

  /// Checks `args` against the definition and returns their key. Throws `UserError` naming
  /// the kernel and the argument for a wrong count, a scalar where a tensor belongs (or the
  /// reverse), a wrong dtype or rank, tensors on different devices, or sizes that disagree
  /// with the definition (a symbol bound to two values, a constant dimension mismatched).
  SpecializationKey specialization_key(std::span<const Arg> args) const;
  /// The bound kernel for `args`' key (created on first use; cached).
  std::shared_ptr<BoundKernel> bind(std::span<const Arg> args) const;
  std::shared_ptr<BoundKernel> bind(std::initializer_list<Arg> args) const {
    return bind(std::span<const Arg>(args.begin(), args.size()));
  }
  /// Checks, binds and runs one call on `stream` (the device's null stream when null; it must
  /// be on the tensors' device). Does not wait for the device.
  void operator()(std::span<const Arg> args, runtime::Stream* stream = nullptr) const;
  void operator()(std::initializer_list<Arg> args, runtime::Stream* stream = nullptr) const {
    (*this)(std::span<const Arg>(args.begin(), args.size()), stream);
  }
  /// Drops every bound kernel (and so their compiled programs and configs decided). The JIT
  /// disk cache is untouched, so rebinding recompiles nothing already on disk.
  void reset();
  /// Number of bound kernels (specializations seen since construction or `reset`).
  std::size_t num_bound() const;

 private:
  friend class BoundKernel;
  /// The exact argument layout of an earlier successful call (which arguments are tensors; per
  /// tensor its dtype, device, shape and strides) with what checking it established (the size
  /// symbols, the bound kernel). Checks and key are functions of that layout alone, so a call
  /// with the same layout skips both: `operator()` then costs one atomic load and a comparison
  /// before the launch, with no lock and no allocation (issue 5's host-overhead target).
  struct CallShape;
  void remember(std::span<const Arg> args, std::span<const std::int64_t> sizes,
                std::shared_ptr<BoundKernel> bound) const;

  /// At most this many call layouts are remembered per kernel; later ones take the checked path.
  static constexpr std::size_t kMaxCallShapes = 1024;

  std::shared_ptr<const ir::Kernel> definition_;
  std::vector<Config> configs_;
  ResolvedSettings settings_;
  mutable std::mutex mutex_;  // guards bound_ and call_shapes_
  mutable std::unordered_map<SpecializationKey, std::shared_ptr<BoundKernel>, SpecializationKeyHash>
      bound_;
  /// The layout of the latest call that was not a hit (null after `reset`): the hit path.
  mutable std::atomic<const CallShape*> last_call_{nullptr};
  /// Every layout ever published to `last_call_`, kept until destruction because a concurrent
  /// call may still be reading one (`reset` only stops publishing them).
  mutable std::vector<std::unique_ptr<const CallShape>> call_shapes_;
  mutable std::size_t live_call_shapes_ = 0;  ///< published since the last `reset`
};

}  // namespace tessera::lang
