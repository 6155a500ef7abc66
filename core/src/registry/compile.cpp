// SPDX-License-Identifier: Apache-2.0
// The real compile pipeline behind the registry (lower -> the backend's Codegen -> Compiler ->
// load) and the launch marshalling of a lowered program's parameters; the real device resolver;
// the process-wide registry.
#include <algorithm>
#include <map>

#include "tessera/lower/program.h"
#include "tessera/platform/canonicalize.h"
#include "tessera/platform/host_cpu.h"
#include "tessera/registry/registry.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/registry.h"

namespace tessera::registry {
namespace {

/// One launch parameter's value, stored in place so its address can be passed.
union ParamValue {
  void* pointer;
  std::int64_t i64;
  std::int32_t i32;
  float f32;
  double f64;
  bool b;
};

/// Where each lowered parameter's value comes from.
struct ParamSource {
  lower::ParamKind kind;
  DType dtype;
  int index;  ///< tensor, scalar or size-symbol index
  int dim;    ///< kStride: the dimension
};

class ProgramExecutable final : public Executable {
 public:
  ProgramExecutable(lower::Program program, runtime::Module module, backend::Kernel entry, const DeviceContext& device)
      : program_(std::move(program)), module_(std::move(module)), entry_(std::move(entry)),
        compute_units_(device.compute_units), gpu_(device.id.is_gpu()) {
    const ir::Kernel& k = *program_.kernel;
    auto tensor_index = [&](const std::string& n) {
      int i = 0;
      for (const auto* list : {&k.inputs, &k.outputs})
        for (const ir::TensorParam& t : *list) {
          if (t.name == n) return i;
          ++i;
        }
      TS_INTERNAL_CHECK(false) << "parameter of unknown tensor " << n;
      return -1;
    };
    for (const lower::Param& p : program_.params) {
      ParamSource s{p.kind, p.dtype, -1, p.dim};
      switch (p.kind) {
        case lower::ParamKind::kTensor:
        case lower::ParamKind::kStride: s.index = tensor_index(p.name); break;
        case lower::ParamKind::kScalar:
          for (std::size_t i = 0; i < k.scalars.size(); ++i)
            if (k.scalars[i].name == p.name) s.index = static_cast<int>(i);
          break;
        case lower::ParamKind::kSize:
          for (std::size_t i = 0; i < k.size_vars.size(); ++i)
            if (k.size_vars[i].name == p.name) s.index = static_cast<int>(i);
          break;
        case lower::ParamKind::kNumPrograms: break;
      }
      TS_INTERNAL_CHECK(p.kind == lower::ParamKind::kNumPrograms || s.index >= 0)
          << "kernel '" << k.name << "': launch parameter '" << p.name << "' has no source";
      sources_.push_back(s);
    }
    for (std::size_t i = 0; i < k.size_vars.size(); ++i)
      if (!k.size_vars[i].specialized) runtime_sizes_.push_back(static_cast<int>(i));
  }

  void launch(const LaunchArgs& args, runtime::Stream* stream) const override {
    const ir::Kernel& k = *program_.kernel;
    std::map<std::string, std::int64_t> sizes;
    for (int i : runtime_sizes_) sizes[k.size_vars[static_cast<std::size_t>(i)].name] = args.sizes[static_cast<std::size_t>(i)];
    const lower::LaunchGrid grid = program_.launch_grid(sizes, compute_units_);
    if (grid.x == 0 || grid.y == 0 || grid.z == 0) return;  // an empty tensor: nothing to do

    constexpr std::size_t kMaxParams = 96;
    TS_INTERNAL_CHECK(sources_.size() <= kMaxParams) << "too many launch parameters";
    ParamValue values[kMaxParams];
    void* pointers[kMaxParams];
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      const ParamSource& s = sources_[i];
      ParamValue& v = values[i];
      switch (s.kind) {
        case lower::ParamKind::kTensor: v.pointer = args.tensors[static_cast<std::size_t>(s.index)].data(); break;
        case lower::ParamKind::kStride: v.i64 = args.tensors[static_cast<std::size_t>(s.index)].stride(s.dim); break;
        case lower::ParamKind::kSize: v.i64 = args.sizes[static_cast<std::size_t>(s.index)]; break;
        case lower::ParamKind::kNumPrograms: v.i64 = grid.x * grid.y * grid.z; break;
        case lower::ParamKind::kScalar: {
          const double x = args.scalars[static_cast<std::size_t>(s.index)];
          switch (s.dtype) {
            case DType::f32: v.f32 = static_cast<float>(x); break;
            case DType::f64: v.f64 = x; break;
            case DType::i32: v.i32 = static_cast<std::int32_t>(x); break;
            case DType::i64: v.i64 = static_cast<std::int64_t>(x); break;
            case DType::boolean: v.b = x != 0; break;
            default: TS_INTERNAL_CHECK(false) << "scalar parameter of dtype " << dtype_name(s.dtype);
          }
          break;
        }
      }
      pointers[i] = &values[i];
    }
    backend::LaunchParams lp;
    lp.grid[0] = static_cast<std::uint32_t>(grid.x);
    lp.grid[1] = static_cast<std::uint32_t>(grid.y);
    lp.grid[2] = static_cast<std::uint32_t>(grid.z);
    // GPU kernels use num_warps warps per program and only static shared memory
    // (backends/gpu_common/printer.h); the CPU ignores the block shape.
    lp.block[0] = gpu_ ? static_cast<std::uint32_t>(program_.num_warps * program_.warp_size) : 1;
    module_.launch(entry_, lp, std::span<void* const>(pointers, sources_.size()), stream);
  }

 private:
  lower::Program program_;
  runtime::Module module_;
  backend::Kernel entry_;
  int compute_units_;
  bool gpu_;
  std::vector<ParamSource> sources_;
  std::vector<int> runtime_sizes_;
};

}  // namespace

std::shared_ptr<const Executable> default_compile_fn(const CompileRequest& r) {
  const DeviceContext& dev = *r.device;
  const backend::Backend* b = backend::registry().find(dev.id.kind);
  TS_USER_CHECK(b != nullptr) << "kernel '" << r.kernel->name << "': this build has no "
                              << runtime::device_kind_name(dev.id.kind) << " backend (call tessera::init() first)";
  TS_USER_CHECK(b->codegen && b->compiler)
      << "kernel '" << r.kernel->name << "': the " << runtime::device_kind_name(dev.id.kind)
      << " backend of this build has no code generator or compiler, so kernels cannot run on " << dev.id.str();
  lower::Specialization spec;
  for (const auto& [name, value] : r.sizes) spec.sizes[name] = value;
  for (const auto& [name, strides] : r.strides) spec.strides[name] = strides;
  spec.index64 = r.index64;
  lower::Program program = lower::lower(r.kernel, *r.config, spec, dev.target, dev.warp_size);
  const runtime::DeviceInfo& info = dev.device.info();
  backend::Source source = b->codegen->emit(program, info.caps);
  backend::Binary binary = b->compiler->compile(source, backend::CompileOptions{dev.target, {}});
  runtime::Module module = dev.device.load(binary);
  backend::Kernel entry = module.kernel(binary.kernel_name);
  return std::make_shared<ProgramExecutable>(std::move(program), std::move(module), std::move(entry), dev);
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
  static KernelRegistry registry(ConfigManager::instance());
  return registry;
}

}  // namespace tessera::registry
