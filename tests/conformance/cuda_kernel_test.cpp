// SPDX-License-Identifier: Apache-2.0
// Every example kernel x config of the CUDA conformance cases (codegen/cuda_example_cases.h)
// through the user-facing path on cuda:0: lang::Kernel -> the runtime registry's CUDA Codegen
// and Compiler roles -> CompiledKernel::launch (launch shape from the code generator, grid from
// the program). The same test body as the CPU's kernel_examples_test, against the float64
// interpreter: fresh random inputs, ragged shapes, outputs poisoned with NaN bytes first (every
// element must be written), tolerances from the output dtype. Dynamic cases run two shapes of
// one bucket through one bound kernel (the run-time grid and sizes). Skips with the reason
// without a CUDA device.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "codegen/cuda_example_cases.h"
#include "kernel_test_util.h"
#include "tessera/error.h"
#include "tessera/ir/interpreter.h"
#include "tessera/ir/size_expr.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/registry.h"

namespace tessera::lang {
namespace {

using test::CudaCase;
using Tensors = std::map<std::string, ir::HostTensor>;
constexpr double kEps = 1e-5;

/// cuda:0, or the reason it cannot be used.
runtime::Device cuda_device(std::string* why) {
  tessera::init();
  for (const runtime::BackendStatus& s : tessera::backend_statuses()) {
    if (s.kind != runtime::DeviceKind::cuda) continue;
    if (!s.available) {
      *why = "CUDA not available: " + s.reason;
      return {};
    }
    return tessera::open_device("cuda:0");
  }
  *why = "this build has no CUDA backend (TS_ENABLE_CUDA=OFF)";
  return {};
}

const examples::ExampleEntry& example(const std::string& name) {
  for (const examples::ExampleEntry& e : examples::example_kernels())
    if (e.name == name) return e;
  throw InternalError("no example called " + name);
}

/// One call: host tensors (inputs random, outputs poisoned), their device copies, the args.
struct Call {
  Tensors host;
  std::map<std::string, test::DeviceTensor> device;
  std::vector<Arg> args;
};

Call make_call(const ir::Kernel& k, const runtime::Device& dev, const ir::SizeBindings& sizes) {
  Call c;
  std::mt19937 rng(std::random_device{}());
  for (const auto* list : {&k.inputs, &k.outputs}) {
    for (const ir::TensorParam& p : *list) {
      std::vector<std::int64_t> shape;
      for (const ir::Expr& d : p.dims) shape.push_back(ir::eval_size(d, sizes));
      ir::HostTensor h = ir::HostTensor::zeros(p.dtype, shape);
      if (p.role == ir::TensorRole::output) h.fill_bytes(0xFF);
      else if (p.name == "scale") test::fill_random(h, rng, 0.5, 2.5);
      else test::fill_random(h, rng);
      c.host.emplace(p.name, std::move(h));
    }
  }
  for (const auto* list : {&k.inputs, &k.outputs}) {
    for (const ir::TensorParam& p : *list) {
      auto [it, _] = c.device.emplace(p.name, test::to_device(dev, c.host.at(p.name)));
      c.args.push_back(it->second.view);
    }
  }
  for (std::size_t i = 0; i < k.scalars.size(); ++i) c.args.push_back(kEps);
  return c;
}

void check_outputs(const ir::Kernel& k, const runtime::Device& dev, Call& c, const std::string& what) {
  Tensors want = c.host;
  ir::InterpretArgs ia;
  for (auto& [name, t] : want) ia.tensors[name] = &t;
  for (const auto& s : k.scalars) ia.scalars[s.name] = kEps;
  ir::interpret(k, ia);
  for (const ir::TensorParam& p : k.outputs) {
    ir::HostTensor& got = c.host.at(p.name);
    test::to_host(dev, c.device.at(p.name), got);
    double abs_tol = p.dtype == DType::f8e4m3fn ? 1.0 / 512 : 1e-6;  // e4m3fn's smallest step
    if (k.name == "matmul") abs_tol += test::matmul_abs_tol(c.host.at("a"), c.host.at("b"));
    EXPECT_EQ(test::compare(got, want.at(p.name), what + " " + p.name + " vs interpreter", abs_tol), 0);
  }
}

class CudaKernel : public ::testing::TestWithParam<CudaCase> {};

TEST_P(CudaKernel, MatchesTheInterpreter) {
  std::string why;
  const runtime::Device dev = cuda_device(&why);
  if (!dev.valid()) GTEST_SKIP() << why;
  const CudaCase& c = GetParam();
  const ir::Kernel def = example(c.example).make();
  const Config config = Config::from_json(json::parse(c.config, c.name), c.name);
  Settings settings;
  settings.static_shapes = !c.dynamic;
  Kernel kernel(def, config, settings);
  const std::string what = c.example + "/" + c.name;

  const ir::SizeBindings sizes(c.sizes.begin(), c.sizes.end());
  Call a = make_call(def, dev, sizes);
  kernel(a.args);
  check_outputs(def, dev, a, what);

  // The launch shape came from the CUDA code generator, with the source.
  const std::shared_ptr<BoundKernel> bound = kernel.bind(a.args);
  const backend::Source& source = bound->compile(config)->source();
  EXPECT_EQ(source.language, "cuda");
  EXPECT_EQ(std::int64_t{source.launch.block[0]}, config.num_warps().value_or(4) * 32) << what;

  if (c.dynamic) {
    // A second shape of the same bucket: same bound kernel, grid and sizes from this call. Each
    // run-time size moves by a multiple of 16 elements, so every row keeps its 16-byte alignment
    // class (part of the specialization since d9d1a2b) while the shape, grid and edges change.
    ir::SizeBindings second = sizes;
    for (const ir::SizeVarInfo& sv : def.size_vars) {
      if (sv.specialized) continue;
      const std::int64_t s = sizes.at(sv.name), step = 16 * std::max<std::int64_t>(1, s / 32);
      second[sv.name] = s - step >= 2 ? s - step : s + step;
    }
    Call b = make_call(def, dev, second);
    kernel(b.args);
    EXPECT_EQ(kernel.num_bound(), 1u) << what << ": one bound kernel serves both shapes";
    check_outputs(def, dev, b, what + " (second shape)");
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, CudaKernel, ::testing::ValuesIn(test::cuda_example_cases()),
                         [](const auto& info) { return info.param.example + "_" + info.param.name; });

}  // namespace
}  // namespace tessera::lang
