// SPDX-License-Identifier: Apache-2.0
// Every example kernel x config (codegen/cuda_example_cases.h) generated, compiled by NVRTC for
// the device's exact target and run on cuda:0, against the float64 interpreter: random inputs
// drawn fresh per case, ragged shapes, outputs poisoned with NaN bytes first (every element must
// be written), tolerances from the output dtype. Skips with the reason without a CUDA device.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "codegen/cuda_example_cases.h"
#include "cuda/codegen.h"
#include "cuda/compiler.h"
#include "gpu_common/cached_compiler.h"
#include "kernel_test_util.h"
#include "tessera/ir/interpreter.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/registry.h"

namespace tessera::backend::cuda {
namespace {

using test::CudaCase;

/// About one unit in the last place of the output format (plus the fast-math bounds of ops.h
/// for f32 outputs, which stay far below 1e-5 relative on these inputs).
double rel_tol(DType t) {
  switch (t) {
    case DType::bf16: return 1.0 / 128;
    case DType::f16: return 1.0 / 1024;
    case DType::f8e4m3fn: return 1.0 / 8;
    case DType::f8e5m2: return 1.0 / 4;
    default: return 2e-5;
  }
}

/// The cuda:0 device, or the reason there is none.
std::shared_ptr<DeviceImpl> cuda_device(std::string* why) {
  tessera::init();
  for (const runtime::BackendStatus& s : tessera::backend_statuses()) {
    if (s.kind != runtime::DeviceKind::cuda) continue;
    if (!s.available) {
      *why = "CUDA not available: " + s.reason;
      return nullptr;
    }
    return tessera::open_device("cuda:0").shared_impl();
  }
  *why = "this build has no CUDA backend";
  return nullptr;
}

class CudaExamples : public ::testing::TestWithParam<CudaCase> {};

TEST_P(CudaExamples, MatchesTheInterpreter) {
  std::string why;
  const std::shared_ptr<DeviceImpl> dev = cuda_device(&why);
  if (!dev) GTEST_SKIP() << why;
  const CudaCase& c = GetParam();
  const runtime::DeviceInfo& info = dev->info();
  const lower::Program program = test::lower_cuda_case(c, info.caps.target);
  const ir::Kernel& kernel = *program.kernel;

  std::random_device seed;
  std::mt19937 rng(seed());
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  std::map<std::string, ir::HostTensor> tensors;
  for (const auto* list : {&kernel.inputs, &kernel.outputs}) {
    for (const ir::TensorParam& t : *list) {
      std::vector<std::int64_t> shape;
      for (const ir::Expr& d : t.dims) shape.push_back(ir::eval_size(d, c.sizes));
      ir::HostTensor h = ir::HostTensor::zeros(t.dtype, shape);
      if (t.role == ir::TensorRole::input)
        for (std::int64_t i = 0; i < h.numel(); ++i) h.store(i, t.name == "scale" ? 0.5 + std::abs(dist(rng)) : dist(rng));
      tensors.emplace(t.name, std::move(h));
    }
  }
  std::map<std::string, ir::HostTensor> expected = tensors;
  ir::InterpretArgs iargs;
  for (auto& [name, t] : expected) iargs.tensors[name] = &t;
  for (const auto& s : kernel.scalars) iargs.scalars[s.name] = 1e-5;
  ir::InterpretOptions interp;
  interp.block_sizes.assign(kernel.num_block_sizes(), 16);
  for (const auto& tv : kernel.tile_vars)
    if (tv.block_size_slot >= 0) interp.block_sizes[tv.block_size_slot] = program.tiles[tv.id].block;
  ir::interpret(kernel, iargs, interp);

  const gpu::KernelSource ks = emit_cuda_kernel(program);
  const cache::CachedBinary bin = compile_cached(ks.source, {info.caps.target, {}});
  const std::unique_ptr<ModuleImpl> module = dev->load(gpu::to_binary(bin, Binary::Format::kCubin, ks.source.kernel_name));
  const Kernel fn = module->kernel(ks.source.kernel_name);

  // Device buffers: inputs copied, outputs poisoned with 0xFF (NaN in every float format).
  std::map<std::string, void*> dptr;
  for (auto& [name, t] : tensors) {
    void* p = dev->allocate(std::max<std::size_t>(t.storage.size(), 1), MemoryKind::kDevice);
    dptr[name] = p;
    if (kernel.find_tensor(name)->role == ir::TensorRole::output) {
      dev->memset(p, 0xFF, t.storage.size(), nullptr);
    } else {
      dev->copy(p, t.storage.data(), t.storage.size(), CopyKind::kHostToDevice, nullptr);
    }
  }
  const lower::LaunchGrid grid = program.launch_grid(c.sizes, info.caps.compute_units);
  std::vector<void*> pointers, args;
  std::vector<std::int64_t> ints;
  std::vector<float> floats;
  pointers.reserve(program.params.size());
  ints.reserve(program.params.size());
  floats.reserve(program.params.size());
  for (const lower::Param& p : program.params) {
    switch (p.kind) {
      case lower::ParamKind::kTensor: pointers.push_back(dptr.at(p.name)); args.push_back(&pointers.back()); break;
      case lower::ParamKind::kScalar: floats.push_back(1e-5f); args.push_back(&floats.back()); break;
      case lower::ParamKind::kSize: ints.push_back(c.sizes.at(p.name)); args.push_back(&ints.back()); break;
      case lower::ParamKind::kStride: ints.push_back(tensors.at(p.name).strides.at(p.dim)); args.push_back(&ints.back()); break;
      case lower::ParamKind::kNumPrograms: ints.push_back(grid.x); args.push_back(&ints.back()); break;
    }
  }
  // TMA tensor maps after the program's parameters (Source::tensor_maps), encoded for the buffers.
  std::vector<TensorMapBlob> maps(ks.source.tensor_maps.size());
  for (std::size_t i = 0; i < maps.size(); ++i) {
    const TensorMapParam& m = ks.source.tensor_maps[i];
    const ir::HostTensor& t = tensors.at(m.tensor);
    dev->encode_tensor_map(m, dptr.at(m.tensor), t.shape.at(0), t.shape.at(1), t.strides.at(0), &maps[i]);
    args.push_back(&maps[i]);
  }
  LaunchParams lp;
  lp.grid[0] = static_cast<std::uint32_t>(grid.x);
  lp.grid[1] = static_cast<std::uint32_t>(grid.y);
  lp.grid[2] = static_cast<std::uint32_t>(grid.z);
  lp.block[0] = static_cast<std::uint32_t>(ks.threads);
  lp.smem_bytes = ks.source.launch.dynamic_smem_bytes;  // dot operands above the static limit
  if (grid.tiles > 0) dev->launch(fn, lp, args, nullptr);
  dev->synchronize();
  for (const auto& t : kernel.outputs) {
    ir::HostTensor& got = tensors.at(t.name);
    dev->copy(got.storage.data(), dptr.at(t.name), got.storage.size(), CopyKind::kDeviceToHost, nullptr);
  }
  for (auto& [name, p] : dptr) dev->deallocate(p, MemoryKind::kDevice);

  // matmul accumulates K products in f32 in an order of its own: per-output slack.
  std::vector<double> slack;
  if (c.example == "matmul") slack = test::matmul_abs_tols(tensors.at("a"), tensors.at("b"));
  for (const auto& t : kernel.outputs) {
    const ir::HostTensor& got = tensors.at(t.name);
    const ir::HostTensor& want = expected.at(t.name);
    int bad = 0;
    for (std::int64_t i = 0; i < got.numel() && bad < 5; ++i) {
      const double g = got.load(i), w = want.load(i);
      const double extra = slack.empty() ? 0.0 : slack[static_cast<std::size_t>(i)];
      if (!(std::abs(g - w) <= rel_tol(t.dtype) * std::abs(w) + 1e-6 + extra)) {
        ++bad;
        ADD_FAILURE() << c.example << "/" << c.name << " output " << t.name << "[" << i << "] = " << g
                      << ", interpreter " << w << "\nsource: " << bin.source_path;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, CudaExamples, ::testing::ValuesIn(test::cuda_example_cases()),
                         [](const auto& info) { return info.param.example + "_" + info.param.name; });

}  // namespace
}  // namespace tessera::backend::cuda
