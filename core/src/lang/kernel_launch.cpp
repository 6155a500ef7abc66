// SPDX-License-Identifier: Apache-2.0
#include "tessera/lang/kernel_launch.h"

#include <array>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>

#include "tessera/error.h"
#include "tessera/ir/size_expr.h"
#include "tessera/numeric/float_formats.h"
#include "tessera/runtime/registry.h"

namespace tessera::lang {

namespace {

/// The backend of `device`, with both code-generation roles. Throws `UserError` otherwise.
const backend::Backend& code_backend(const runtime::Device& device) {
  TS_USER_CHECK(device.valid()) << "compiling a kernel needs an open device (tessera::open_device)";
  const runtime::DeviceId id = device.id();
  const backend::Backend* b = backend::registry().find(id.kind);
  TS_USER_CHECK(b != nullptr) << "device " << id.str() << ": the " << runtime::device_kind_name(id.kind)
                              << " backend is not registered; call tessera::init() first, and build "
                                 "with TS_ENABLE_" << (id.kind == runtime::DeviceKind::cuda ? "CUDA"
                                                     : id.kind == runtime::DeviceKind::hip ? "HIP" : "CPU")
                              << "=ON";
  TS_USER_CHECK(b->codegen != nullptr && b->compiler != nullptr)
      << "device " << id.str() << ": the " << runtime::device_kind_name(id.kind) << " backend has no "
      << (b->codegen == nullptr ? "code generator" : "compiler")
      << " registered yet, so kernels cannot be compiled for it; run on another device (e.g. cpu)";
  return *b;
}

/// Index of the parameter `name` in `list`, or -1.
template <typename List>
int index_of(const List& list, const std::string& name) {
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i].name == name) return static_cast<int>(i);
  return -1;
}

/// A parameter value: pointer, 64-bit integer or the storage bits of a scalar (low bytes first;
/// every supported host and GPU ABI is little-endian).
union ParamValue {
  void* ptr;
  std::int64_t i64;
  std::uint64_t bits;
};

}  // namespace

std::uint64_t scalar_storage(double v, DType dtype) {
  namespace nf = numeric;
  std::uint64_t out = 0;
  auto put = [&out](auto x) { std::memcpy(&out, &x, sizeof x); };
  switch (dtype) {
    case DType::f64: put(v); break;
    case DType::f32: put(static_cast<float>(v)); break;
    case DType::f16: put(nf::f16_from_double(v)); break;
    case DType::bf16: put(nf::bf16_from_double(v)); break;
    case DType::f8e4m3fn: put(nf::f8e4m3fn_from_double(v)); break;
    case DType::f8e5m2: put(nf::f8e5m2_from_double(v)); break;
    case DType::i64:
      put(nf::int_from_double(v, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()));
      break;
    case DType::i32: put(static_cast<std::int32_t>(nf::int_from_double(v, INT32_MIN, INT32_MAX))); break;
    case DType::i8: put(static_cast<std::int8_t>(nf::int_from_double(v, -128, 127))); break;
    case DType::u8: put(static_cast<std::uint8_t>(nf::int_from_double(v, 0, 255))); break;
    case DType::boolean: put(static_cast<std::uint8_t>(v != 0 ? 1 : 0)); break;
  }
  return out;
}

CompiledKernel::CompiledKernel(runtime::Device device, lower::Program program, backend::Source source,
                               runtime::Module module)
    : device_(std::move(device)), program_(std::move(program)), source_(std::move(source)),
      module_(std::move(module)) {
  const ir::Kernel& k = *program_.kernel;
  entry_ = module_.kernel(source_.kernel_name);
  std::vector<ir::TensorParam> tensors = k.inputs;
  tensors.insert(tensors.end(), k.outputs.begin(), k.outputs.end());
  num_tensors_ = static_cast<int>(tensors.size());
  for (const ir::SizeVarInfo& sv : k.size_vars) size_names_.push_back(sv.name);
  for (const lower::Param& p : program_.params) {
    Slot s{p.kind, -1, p.dim, p.dtype};
    switch (p.kind) {
      case lower::ParamKind::kTensor:
      case lower::ParamKind::kStride: s.index = index_of(tensors, p.name); break;
      case lower::ParamKind::kScalar: s.index = index_of(k.scalars, p.name); break;
      case lower::ParamKind::kSize: s.index = index_of(k.size_vars, p.name); break;
      case lower::ParamKind::kNumPrograms: s.index = 0; break;
    }
    TS_INTERNAL_CHECK(s.index >= 0) << "kernel '" << k.name << "': launch parameter '" << p.name
                                    << "' names no parameter of the kernel";
    slots_.push_back(s);
  }
  // Every grid extent known at compile time: the grid is the same for every call.
  static_grid_ = true;
  for (int tv : k.loops().at(0)->tile_vars)
    static_grid_ = static_grid_ && program_.tiles[tv].static_extent.has_value();
  if (static_grid_) fixed_grid_ = program_.launch_grid({}, device_.info().caps.compute_units);
}

lower::LaunchGrid CompiledKernel::grid(std::span<const std::int64_t> sizes) const {
  if (static_grid_) return fixed_grid_;
  TS_INTERNAL_CHECK(sizes.size() == size_names_.size())
      << "kernel '" << program_.kernel->name << "': " << sizes.size() << " sizes for "
      << size_names_.size() << " size symbols";
  std::map<std::string, std::int64_t> named;
  for (std::size_t i = 0; i < sizes.size(); ++i) named.emplace(size_names_[i], sizes[i]);
  return program_.launch_grid(named, device_.info().caps.compute_units);
}

void CompiledKernel::launch(const LaunchArgs& args, runtime::Stream* stream) const {
  const ir::Kernel& k = *program_.kernel;
  TS_INTERNAL_CHECK(static_cast<int>(args.tensors.size()) == num_tensors_ &&
                    args.scalars.size() == k.scalars.size() && args.sizes.size() == k.size_vars.size())
      << "kernel '" << k.name << "': launch with " << args.tensors.size() << " tensors, "
      << args.scalars.size() << " scalars and " << args.sizes.size() << " sizes";
  const lower::LaunchGrid g = grid(args.sizes);
  if (g.tiles == 0) return;  // nothing to compute (an empty output)

  constexpr std::size_t kInline = 64;  // parameters of every realistic kernel: no allocation
  std::array<ParamValue, kInline> inline_values;
  std::array<void*, kInline> inline_pointers;
  std::vector<ParamValue> heap_values;
  std::vector<void*> heap_pointers;
  ParamValue* values = inline_values.data();
  void** pointers = inline_pointers.data();
  if (slots_.size() > kInline) {
    heap_values.resize(slots_.size());
    heap_pointers.resize(slots_.size());
    values = heap_values.data();
    pointers = heap_pointers.data();
  }
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    ParamValue& v = values[i];
    v.bits = 0;
    switch (s.kind) {
      case lower::ParamKind::kTensor: v.ptr = args.tensors[s.index].data(); break;
      case lower::ParamKind::kScalar: v.bits = scalar_storage(args.scalars[s.index], s.dtype); break;
      case lower::ParamKind::kSize: v.i64 = args.sizes[s.index]; break;
      case lower::ParamKind::kStride: v.i64 = args.tensors[s.index].stride(s.dim); break;
      case lower::ParamKind::kNumPrograms: v.i64 = g.x * g.y * g.z; break;
    }
    pointers[i] = &v;
  }

  backend::LaunchParams lp;
  const std::int64_t dims[3] = {g.x, g.y, g.z};
  for (int d = 0; d < 3; ++d) {
    // CUDA/HIP limits: x < 2^31, y and z <= 65535; the CPU has the same 32-bit fields.
    const std::int64_t limit = d == 0 ? std::numeric_limits<std::int32_t>::max() : 65535;
    TS_USER_CHECK(dims[d] <= limit)
        << "kernel '" << k.name << "': launch grid dimension " << "xyz"[d] << " = " << dims[d]
        << " exceeds the limit " << limit << "; use larger block_sizes or pid_type \"flat\"";
    lp.grid[d] = static_cast<std::uint32_t>(dims[d]);
  }
  lp.block[0] = static_cast<std::uint32_t>(std::max<std::int64_t>(1, program_.num_warps * program_.warp_size));
  module_.launch(entry_, lp, std::span<void* const>(pointers, slots_.size()), stream);
}

backend::Source generate_source(const runtime::Device& device, const lower::Program& program) {
  const backend::Backend& b = code_backend(device);
  return b.codegen->emit(program, device.info().caps);
}

std::shared_ptr<const CompiledKernel> compile_program(const runtime::Device& device,
                                                      lower::Program program, bool print_source) {
  const backend::Backend& b = code_backend(device);
  backend::Source source = b.codegen->emit(program, device.info().caps);
  if (print_source) {
    static std::mutex print_mutex;  // one listing at a time, not interleaved
    std::lock_guard<std::mutex> lock(print_mutex);
    std::cerr << "// ---- tessera: generated " << source.language << " for kernel '"
              << program.kernel->name << "' on " << device.id().str() << ", config "
              << program.config.to_json().dump() << "\n"
              << source.text << "\n// ---- end of kernel '" << program.kernel->name << "'\n";
  }
  backend::CompileOptions options;
  options.target = device.info().caps.target;
  const backend::Binary binary = b.compiler->compile(source, options);
  runtime::Module module = device.load(binary);
  return std::make_shared<const CompiledKernel>(device, std::move(program), std::move(source),
                                                std::move(module));
}

}  // namespace tessera::lang
