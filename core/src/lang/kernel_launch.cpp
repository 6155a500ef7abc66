// SPDX-License-Identifier: Apache-2.0
#include "tessera/lang/kernel_launch.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>

#include "tessera/error.h"
#include "tessera/ir/expr.h"
#include "tessera/ir/size_expr.h"
#include "tessera/numeric/float_formats.h"
#include "tessera/runtime/registry.h"

namespace tessera::lang {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

/// The backend of `device`, with both code-generation roles. Throws `UserError` otherwise.
const backend::Backend& code_backend(const runtime::Device& device) {
  TS_USER_CHECK(device.valid()) << "compiling a kernel needs an open device (tessera::open_device)";
  const runtime::DeviceId id = device.id();
  const backend::Backend* b = backend::registry().find(id.kind);
  TS_USER_CHECK(b != nullptr) << "device " << id.str() << ": the " << runtime::device_kind_name(id.kind)
                              << " backend is not registered; call tessera::init() first, and build "
                                 "with TS_ENABLE_" << upper(runtime::device_kind_name(id.kind)) << "=ON";
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

/// Launch parameters of one kernel, packed on the stack (every kernel Tessera generates has
/// far fewer: tensors, a few scalars, run-time sizes and strides).
constexpr std::size_t kMaxParams = 96;
/// TMA tensor maps of one kernel (one per dot operand copied by TMA).
constexpr std::size_t kMaxTensorMaps = 4;

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
  for (const backend::TensorMapParam& m : source_.tensor_maps) {
    const int t = index_of(tensors, m.tensor);
    TS_INTERNAL_CHECK(t >= 0 && tensors[t].rank() == 2)
        << "kernel '" << k.name << "': tensor map of '" << m.tensor << "' names no 2-D tensor of the kernel";
    tensor_map_tensors_.push_back(t);
  }
  TS_INTERNAL_CHECK(tensor_map_tensors_.size() <= kMaxTensorMaps)
      << "kernel '" << k.name << "' takes " << tensor_map_tensors_.size() << " tensor maps; the launch packs at most "
      << kMaxTensorMaps;
  TS_INTERNAL_CHECK(slots_.size() + tensor_map_tensors_.size() <= kMaxParams)
      << "kernel '" << k.name << "' has " << slots_.size() << " launch parameters; the launch packs at most "
      << kMaxParams;

  // The launch shape is the code generator's (backend.h): no backend is named here.
  const backend::LaunchShape& shape = source_.launch;
  for (int d = 0; d < 3; ++d) {
    TS_INTERNAL_CHECK(shape.block[d] > 0) << "the " << source_.language << " code generator gave kernel '"
                                          << k.name << "' an empty block dimension " << "xyz"[d];
    fixed_params_.block[d] = shape.block[d];
  }
  fixed_params_.smem_bytes = shape.dynamic_smem_bytes;
  compute_units_ = std::max(1, device_.info().caps.compute_units);

  // Every grid extent known at compile time: the grid is the same for every call. Otherwise
  // each extent's size expression is compiled to postfix steps evaluated per call.
  static_grid_ = true;
  for (int tv : k.loops().at(0)->tile_vars) {
    static_grid_ = static_grid_ && program_.tiles[tv].static_extent.has_value();
    compile_extent(k.tile_vars[tv].extent, 0);
    extent_end_.push_back(static_cast<int>(extent_code_.size()));
    grid_blocks_.push_back(program_.tiles[tv].block);
  }
  if (static_grid_) {
    fixed_grid_ = program_.launch_grid({}, compute_units_);
    set_grid(k.name, fixed_grid_, fixed_params_);
  }
}

void CompiledKernel::compile_extent(const ir::Expr& e, int depth) {
  TS_INTERNAL_CHECK(depth < kMaxSizeDepth) << "kernel '" << program_.kernel->name
                                           << "': a grid extent's size expression nests deeper than "
                                           << kMaxSizeDepth;
  using Op = SizeStep::Op;
  if (const auto* imm = e.as<ir::IntImm>()) {
    extent_code_.push_back({Op::kConst, imm->value});
  } else if (const auto* sv = e.as<ir::SizeVar>()) {
    const int i = index_of(program_.kernel->size_vars, sv->name);
    TS_INTERNAL_CHECK(i >= 0) << "kernel '" << program_.kernel->name << "': unknown size symbol " << sv->name;
    extent_code_.push_back({Op::kSymbol, i});
  } else if (const auto* b = e.as<ir::Binary>()) {
    compile_extent(b->a, depth);
    compile_extent(b->b, depth + 1);  // the left operand's value stays on the stack meanwhile
    Op op = Op::kAdd;
    switch (b->op) {
      case ir::BinaryOp::add: op = Op::kAdd; break;
      case ir::BinaryOp::sub: op = Op::kSub; break;
      case ir::BinaryOp::mul: op = Op::kMul; break;
      case ir::BinaryOp::div: op = Op::kDiv; break;
      case ir::BinaryOp::minimum: op = Op::kMin; break;
      case ir::BinaryOp::maximum: op = Op::kMax; break;
      default: TS_INTERNAL_CHECK(false) << "not a size expression: " << ir::node_kind_name(e.kind());
    }
    extent_code_.push_back({op, 0});
  } else {
    TS_INTERNAL_CHECK(false) << "not a size expression: " << ir::node_kind_name(e.kind());
  }
}

void CompiledKernel::resolve_launch(std::span<const std::int64_t> sizes, backend::LaunchParams& lp,
                                    lower::LaunchGrid& g) const {
  lp = fixed_params_;
  if (static_grid_) {
    g = fixed_grid_;
    return;
  }
  using Op = SizeStep::Op;
  std::array<std::int64_t, kMaxGridDims> counts{};
  const std::size_t tiles = extent_end_.size();
  TS_INTERNAL_CHECK(tiles <= kMaxGridDims) << "grid of " << tiles << " tile dimensions";
  int step = 0;
  for (std::size_t t = 0; t < tiles; ++t) {
    std::array<std::int64_t, kMaxSizeDepth + 1> stack;
    int top = 0;
    for (; step < extent_end_[t]; ++step) {
      const SizeStep& s = extent_code_[static_cast<std::size_t>(step)];
      if (s.op == Op::kConst) {
        stack[top++] = s.value;
        continue;
      }
      if (s.op == Op::kSymbol) {
        stack[top++] = sizes[static_cast<std::size_t>(s.value)];
        continue;
      }
      const std::int64_t y = stack[--top];
      std::int64_t& x = stack[top - 1];
      switch (s.op) {
        case Op::kAdd: x += y; break;
        case Op::kSub: x -= y; break;
        case Op::kMul: x *= y; break;
        case Op::kDiv:
          TS_USER_CHECK(y != 0) << "kernel '" << program_.kernel->name << "': a grid size expression divides by zero";
          x /= y;
          break;
        case Op::kMin: x = std::min(x, y); break;
        case Op::kMax: x = std::max(x, y); break;
        default: break;
      }
    }
    const std::int64_t block = grid_blocks_[t];
    counts[t] = std::max<std::int64_t>(0, (stack[0] + block - 1) / block);
  }
  g = program_.launch_grid_from_counts(std::span<const std::int64_t>(counts.data(), tiles), compute_units_);
  set_grid(program_.kernel->name, g, lp);
}

void CompiledKernel::set_grid(const std::string& kernel, const lower::LaunchGrid& g, backend::LaunchParams& lp) {
  const std::int64_t dims[3] = {g.x, g.y, g.z};
  for (int d = 0; d < 3; ++d) {
    // CUDA/HIP limits: x < 2^31, y and z <= 65535; the CPU has the same 32-bit fields.
    const std::int64_t limit = d == 0 ? std::numeric_limits<std::int32_t>::max() : 65535;
    TS_USER_CHECK(dims[d] <= limit)
        << "kernel '" << kernel << "': launch grid dimension " << "xyz"[d] << " = " << dims[d]
        << " exceeds the limit " << limit << "; use larger block_sizes or pid_type \"flat\"";
    lp.grid[d] = static_cast<std::uint32_t>(dims[d]);
  }
}

lower::LaunchGrid CompiledKernel::grid(std::span<const std::int64_t> sizes) const {
  TS_INTERNAL_CHECK(static_grid_ || sizes.size() == program_.kernel->size_vars.size())
      << "kernel '" << program_.kernel->name << "': " << sizes.size() << " sizes for "
      << program_.kernel->size_vars.size() << " size symbols";
  backend::LaunchParams lp;
  lower::LaunchGrid g;
  resolve_launch(sizes, lp, g);
  return g;
}

backend::LaunchParams CompiledKernel::launch_params(std::span<const std::int64_t> sizes) const {
  TS_INTERNAL_CHECK(static_grid_ || sizes.size() == program_.kernel->size_vars.size())
      << "kernel '" << program_.kernel->name << "': " << sizes.size() << " sizes for "
      << program_.kernel->size_vars.size() << " size symbols";
  backend::LaunchParams lp;
  lower::LaunchGrid g;
  resolve_launch(sizes, lp, g);
  return lp;
}

void CompiledKernel::launch(const LaunchArgs& args, runtime::Stream* stream) const {
  const ir::Kernel& k = *program_.kernel;
  TS_INTERNAL_CHECK(static_cast<int>(args.tensors.size()) == num_tensors_ &&
                    args.scalars.size() == k.scalars.size() && args.sizes.size() == k.size_vars.size())
      << "kernel '" << k.name << "': launch with " << args.tensors.size() << " tensors, "
      << args.scalars.size() << " scalars and " << args.sizes.size() << " sizes";
  backend::LaunchParams lp;
  lower::LaunchGrid g;
  resolve_launch(args.sizes, lp, g);
  if (g.tiles == 0) return;  // nothing to compute (an empty output)

  // Parameter values and the pointers to them live on this stack frame: the driver copies the
  // values when the launch is enqueued, so nothing outlives the call.
  std::array<ParamValue, kMaxParams> values;
  std::array<void*, kMaxParams> pointers;
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
  // Tensor maps hold the data pointer, so they are encoded per call (host work, ~100s of ns;
  // only wgmma matmul tiles use them).
  std::array<backend::TensorMapBlob, kMaxTensorMaps> maps;
  std::size_t n = slots_.size();
  for (std::size_t i = 0; i < tensor_map_tensors_.size(); ++i) {
    const runtime::TensorView& t = args.tensors[tensor_map_tensors_[i]];
    TS_USER_CHECK(t.stride(1) == 1 || t.shape()[1] == 1)
        << "kernel '" << k.name << "': tensor '" << source_.tensor_maps[i].tensor
        << "' is copied by TMA, which needs its last dimension contiguous (stride 1), not " << t.stride(1);
    device_.impl().encode_tensor_map(source_.tensor_maps[i], t.data(), t.shape()[0], t.shape()[1], t.stride(0), &maps[i]);
    pointers[n++] = &maps[i];
  }
  module_.launch(entry_, lp, std::span<void* const>(pointers.data(), n), stream);
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
