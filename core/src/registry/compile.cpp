// SPDX-License-Identifier: Apache-2.0
// The real compile pipeline behind the registry: lower the variant kernel with the picked config
// and specialization, then lang::compile_program / CompiledKernel::launch (the one compile and
// launch path lang::Kernel uses too); the real device resolver; the process-wide registry.
#include <algorithm>

#include "tessera/lang/kernel_launch.h"
#include "tessera/lang/kernel_settings.h"
#include "tessera/lower/program.h"
#include "tessera/platform/canonicalize.h"
#include "tessera/platform/host_cpu.h"
#include "tessera/registry/registry.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/registry.h"

namespace tessera::registry {
namespace {

/// A registry entry's executable: the program compiled by `lang::compile_program`, launched by
/// `lang::CompiledKernel::launch`. The registry and lang::Kernel share that one path (lower ->
/// the backend's Codegen -> Compiler -> load; precomputed argument packing and launch shape),
/// so a fix or a backend added there serves both.
class ProgramExecutable final : public Executable {
 public:
  explicit ProgramExecutable(std::shared_ptr<const lang::CompiledKernel> kernel) : kernel_(std::move(kernel)) {}
  void launch(const LaunchArgs& args, runtime::Stream* stream) const override {
    kernel_->launch(lang::LaunchArgs{args.tensors, args.scalars, args.sizes}, stream);
  }

 private:
  std::shared_ptr<const lang::CompiledKernel> kernel_;
};

}  // namespace

lower::Program lower_request(const CompileRequest& r) {
  const DeviceContext& dev = *r.device;
  lower::Specialization spec;
  for (const auto& [name, value] : r.sizes) spec.sizes[name] = value;
  for (const auto& [name, strides] : r.strides) spec.strides[name] = strides;
  spec.aligned_rows.insert(r.aligned_rows.begin(), r.aligned_rows.end());
  spec.index64 = r.index64;
  return lower::lower(r.kernel, *r.config, spec, dev.target, dev.warp_size);
}

std::shared_ptr<const Executable> default_compile_fn(const CompileRequest& r) {
  const DeviceContext& dev = *r.device;
  lower::Program program = lower_request(r);
  // TESSERA_PRINT_OUTPUT_CODE applies to registry ops as to lang::Kernel (Helion's setting).
  static const bool print_source = lang::resolve_settings(lang::Settings{}).print_output_code;
  return std::make_shared<ProgramExecutable>(lang::compile_program(dev.device, std::move(program), print_source));
}

DeviceContext default_device_resolver(runtime::DeviceId id) {
  DeviceContext c;
  c.id = id;
  c.device = open_device(id);
  const runtime::DeviceInfo& info = c.device.info();
  // Resolved now (not at enumeration) so TESSERA_PLATFORM set by the program applies.
  c.platform = platform::resolve_platform(id.is_gpu() ? info.name : platform::host_cpu().platform);
  c.target = info.caps.target;
  c.warp_size = info.caps.warp_size;
  c.compute_units = std::max(1, info.caps.compute_units);
  return c;
}

KernelRegistry& kernel_registry() {
  // Never destroyed, like the runtime's device registry (core/src/runtime/registry.cpp) whose
  // devices it compiles for: the modules it caches live in those devices' primary contexts,
  // which are never released either. A static destroyed at exit ran after the CUDA driver's own
  // atexit teardown whenever the registry was built before cuInit (as in `tessera run`: the op
  // is looked up before the device is opened), and each cuModuleUnload then failed ("unloading
  // a module on cuda:0 failed", once per module). Unloading modules of a process that is
  // ending frees nothing the OS does not reclaim; the objects stay reachable (not a leak to
  // LeakSanitizer). Registries a program creates itself are destroyed as usual, while the
  // driver is up.
  static KernelRegistry* registry = new KernelRegistry(ConfigManager::instance());
  return *registry;
}

}  // namespace tessera::registry
