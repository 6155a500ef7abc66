// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The kernel registry: vLLM's `register_kernel` with pre-tuned config selection, in C++.
///
/// * `KernelRegistry::register_kernel(spec)` adds an op; a second op of the same name is an
///   error ("already registered"). `find` looks one up by name (null when absent), `kernels`
///   lists them (a copy, in registration order).
/// * First use of a kernel on a device resolves the device's platform (`TESSERA_PLATFORM`
///   overrides detection) and loads `configs/<kernel>/<platform>.json` through the
///   `ConfigManager`. No configs there: the kernel is *disabled on that device* and every call
///   there raises the reason (vLLM's "No configs available for kernel 'x' on platform 'p'",
///   the platforms that have configs, and how to add an alias or tune); its inputs, reference
///   and other devices still work.
/// * Each call: the picker chooses a key among the platform's keys; `std::nullopt` falls back to
///   the default key `{}` when the file has one, else it is an error listing the keys; a key
///   that is not in the file is an error listing the keys. The picked key is cached per
///   argument shape (`Binding::pick_shape`); successful picks only, as vLLM's `_pick_cache`.
/// * Compiled kernels are cached per (device, variant, picked key, specialization): a picked key
///   compiles once however many shapes map to it (only `specialize`d sizes, contiguity with a
///   16-byte aligned data pointer, 16-byte aligned rows (`TensorView::rows_aligned16`, for
///   vector accesses with run-time strides) and index width enter the specialization); concurrent first
///   calls of one entry compile once while other entries compile in parallel; a failed compile
///   is retried by the next call.
/// * After warm-up a call takes no lock: the caches are insert-only hash tables read with
///   atomic loads (core/src/registry/insert_only_map.h).
///
/// Thread safety: every member function may be called concurrently.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tessera/config/config.h"
#include "tessera/config/config_manager.h"
#include "tessera/lower/program.h"
#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/device.h"
#include "tessera/runtime/stream.h"

namespace tessera::registry {

/// What the registry needs to know about a device.
struct DeviceContext {
  runtime::DeviceId id;
  /// The platform id that picks config files (`nvidia_h100`, `cpu_x86_64_avx512`).
  std::string platform;
  /// Code-generation target (`sm_90a`, `x86_64-avx512+bf16`); warp size and compute units.
  std::string target;
  int warp_size = 1;
  int compute_units = 1;
  /// The open device (invalid in tests that never launch).
  runtime::Device device;
};

/// One compile: a variant kernel with the picked config for a device and a specialization.
struct CompileRequest {
  const DeviceContext* device = nullptr;
  std::shared_ptr<const ir::Kernel> kernel;
  const CaseKey* key = nullptr;  ///< the picked key (for messages)
  const Config* config = nullptr;
  /// Compile-time sizes: every specialized size symbol.
  std::vector<std::pair<std::string, std::int64_t>> sizes;
  /// Compile-time strides (elements) of the tensors whose strides are fixed by those sizes.
  std::vector<std::pair<std::string, std::vector<std::int64_t>>> strides;
  /// Tensors whose rows start 16-byte aligned (`TensorView::rows_aligned16`): with run-time
  /// strides the printers may still use 16-byte vector accesses.
  std::vector<std::string> aligned_rows;
  /// 64-bit indexing (some tensor spans more than 2^31 - 1 elements).
  bool index64 = false;
};

/// The arguments of one launch, in the variant kernel's order.
struct LaunchArgs {
  std::span<const runtime::TensorView> tensors;  ///< inputs then outputs
  std::span<const double> scalars;
  std::span<const std::int64_t> sizes;  ///< every size symbol, in `Kernel::size_vars` order
};

/// A compiled, loaded kernel for one device. Thread safe: `launch` may run concurrently.
class Executable {
 public:
  virtual ~Executable() = default;
  /// Enqueues the kernel on `stream` (the device's null stream when null). Does not wait.
  virtual void launch(const LaunchArgs& args, runtime::Stream* stream) const = 0;
};

/// Compiles and loads a request (lower, generate, compile, load). Throws on failure.
using CompileFn = std::function<std::shared_ptr<const Executable>(const CompileRequest& request)>;
/// Describes a device at first use (opens it, resolves its platform).
using DeviceResolver = std::function<DeviceContext(runtime::DeviceId id)>;

/// How a call was routed: for `tessera run` tables and tests.
struct Route {
  std::string platform;
  CaseKey key = CaseKey::default_key();
  /// True when the picker returned no key and the default key was used.
  bool fell_back_to_default = false;
  Config config;
};

/// Counters of one registered kernel (monotonic; for tests and `tessera run --json`).
struct KernelStats {
  std::uint64_t compiles = 0;     ///< successful compiles
  std::uint64_t picks = 0;        ///< picker runs (cache misses of the pick cache)
  std::uint64_t variants = 0;     ///< variant kernels traced
};

class KernelRegistry;

/// One registered op. Obtained from `KernelRegistry`; lives as long as the registry.
class RegisteredKernel {
 public:
  RegisteredKernel(const RegisteredKernel&) = delete;
  RegisteredKernel& operator=(const RegisteredKernel&) = delete;
  ~RegisteredKernel();

  const KernelSpec& spec() const { return spec_; }
  const std::string& name() const { return spec_.name; }

  /// Runs the op on the device of its tensors, enqueued on `stream` (the device's null stream
  /// when null; it must belong to that device). Validates everything before any launch.
  void call(KernelArgs args, runtime::Stream* stream = nullptr) const;

  /// Where a call with `args` would go on their device (compiles nothing). Throws what `call`
  /// would throw for a disabled kernel or a bad pick.
  Route route(KernelArgs args) const;

  /// vLLM's selection on the keys of `platform` with `args` (no device, no `bind`): the
  /// picker, then the default-key fallback, then the errors. For `tessera pick`.
  Route route_on_platform(KernelArgs args, std::string_view platform) const;

  /// Why the kernel is disabled on `device` (resolving it if needed), or `std::nullopt`.
  std::optional<std::string> disabled_reason(runtime::DeviceId device) const;

  /// The traced variant kernel a call with `args` runs (traced on first use).
  std::shared_ptr<const ir::Kernel> variant_kernel(KernelArgs args) const;

  /// The input generator's cases (`UserError` naming the kernel when it has none).
  std::vector<CaseKey> input_keys() const;
  HostArgs make_inputs(const CaseKey& key, std::uint64_t seed = 0) const;

  KernelStats stats() const;

  /// The caches behind the calls (core/src/registry/dispatch_state.h); not for users.
  struct State;

 private:
  friend class KernelRegistry;
  RegisteredKernel(KernelRegistry& owner, KernelSpec spec);
  KernelRegistry& owner_;
  KernelSpec spec_;
  std::unique_ptr<State> state_;
};

/// A set of registered kernels with the services they share: configs, device resolution and
/// the compiler. Use `kernel_registry()` for the process-wide one; separate registries are for
/// tests and tools.
class KernelRegistry {
 public:
  /// `configs` must outlive the registry. `compile` and `resolve_device` default to the real
  /// pipeline (`default_compile_fn`, `default_device_resolver`).
  explicit KernelRegistry(ConfigManager& configs, CompileFn compile = {}, DeviceResolver resolve_device = {});
  KernelRegistry(const KernelRegistry&) = delete;
  KernelRegistry& operator=(const KernelRegistry&) = delete;
  ~KernelRegistry();

  /// Registers `spec`. Throws `UserError` if the name is invalid, already registered ("Kernel
  /// 'x' is already registered. Use a different name or check for duplicate registrations."),
  /// or a required part (bind, define, picker, reference) is missing.
  RegisteredKernel& register_kernel(KernelSpec spec);
  /// The kernel called `name`, or null.
  const RegisteredKernel* find(std::string_view name) const;
  /// The kernel called `name`; throws `UserError` listing the registered names if absent.
  const RegisteredKernel& get(std::string_view name) const;
  /// Every registered kernel, in registration order (a copy of the list).
  std::vector<const RegisteredKernel*> kernels() const;

  ConfigManager& configs() const { return configs_; }
  /// Describes `id` (through the resolver).
  DeviceContext resolve_device(runtime::DeviceId id) const { return resolve_device_(id); }
  const CompileFn& compile_fn() const { return compile_; }

 private:
  ConfigManager& configs_;
  CompileFn compile_;
  DeviceResolver resolve_device_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<RegisteredKernel>> kernels_;
};

/// The process-wide registry (over `ConfigManager::instance()`, the real compiler and devices),
/// never destroyed: its GPU modules live as long as the process's contexts (compile.cpp says why).
/// Empty until ops are registered (`tessera::ops::register_ops`).
KernelRegistry& kernel_registry();

/// The real device resolver: opens `id` (`tessera::open_device`) and takes the platform from
/// `platform::resolve_platform` of the device's name (the host CPU's `cpu_*` id for `cpu`), so
/// `TESSERA_PLATFORM` applies.
DeviceContext default_device_resolver(runtime::DeviceId id);

/// The real compile pipeline (lower, the backend's codegen and compiler, load); see compile.cpp.
/// Throws `UserError` naming the backend when it has no code generator or compiler.
std::shared_ptr<const Executable> default_compile_fn(const CompileRequest& request);

/// The first step of `default_compile_fn`: the request's kernel lowered with its config and
/// specialization for its device's target (for tools and tests that read the generated source).
lower::Program lower_request(const CompileRequest& request);

}  // namespace tessera::registry
