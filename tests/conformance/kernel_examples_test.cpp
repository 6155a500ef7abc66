// SPDX-License-Identifier: Apache-2.0
// Every example kernel through lang::Kernel on the `cpu` device (the runtime's launch path: the
// backend registry's codegen and compiler, module load, oneTBB grid), against the float64
// interpreter and the example's own reference:
//  * static shapes, default config, ragged sizes;
//  * static_shapes = false: run-time sizes and strides, a non-contiguous (row-padded) input,
//    two shapes of one bucket served by one bound kernel (reductions looped over run-time
//    extents, more than one chunk);
//  * pid_type xyz / persistent_blocked / persistent_interleaved, l2_groupings, loop_orders, and
//    the light autotune over a configs list.
// Input dtypes vary across the three modes (f32, f16, bf16 where the example allows). Outputs
// are poisoned with NaN bytes first; tolerances depend on the output dtype.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>

#include "examples/examples.h"
#include "kernel_test_util.h"
#include "tessera/ir/interpreter.h"
#include "tessera/ir/size_expr.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/registry.h"

namespace tessera::lang {
namespace {

using Tensors = std::map<std::string, ir::HostTensor>;
constexpr double kEps = 1e-5;

struct Example {
  std::string name;
  std::function<ir::Kernel(DType)> make;
  /// Input dtype of the static, dynamic and config modes.
  DType dtypes[3];
  /// Size symbols of the static mode (ragged: no multiple of any block size).
  std::map<std::string, std::int64_t> sizes;
  /// The example's float64 reference over named host tensors.
  std::function<void(Tensors&)> reference;
  /// Configs of the config mode (two or more: the light autotune chooses).
  std::vector<Config> configs;
};

Config cfg(const std::string& json) { return Config::from_json(json::Json::parse(json), "test"); }

std::vector<Example> examples_list() {
  using namespace examples;
  return {
      {"add", [](DType t) { return add_kernel(t); }, {DType::f32, DType::bf16, DType::f16},
       {{"m", 37}, {"n", 70}},
       [](Tensors& t) { add_reference(t.at("x"), t.at("y"), t.at("out")); },
       {cfg(R"({"block_sizes":[8,32],"loop_orders":[[1,0]],"pid_type":"xyz"})")}},
      {"silu_mul_fp8", [](DType t) { return silu_mul_fp8_kernel(t); }, {DType::bf16, DType::f32, DType::f16},
       {{"m", 37}, {"two_d", 70}},
       [](Tensors& t) { silu_mul_fp8_reference(t.at("input"), t.at("scale"), t.at("out")); },
       {cfg(R"({"block_sizes":[8,16],"l2_groupings":[2],"pid_type":"persistent_interleaved"})")}},
      {"rms_norm", [](DType t) { return rms_norm_kernel(t); }, {DType::bf16, DType::f32, DType::f16},
       {{"m", 37}, {"n", 70}},
       [](Tensors& t) { rms_norm_reference(t.at("x"), t.at("w"), kEps, t.at("out")); },
       {cfg(R"({"block_sizes":[4],"pid_type":"persistent_blocked"})"),
        cfg(R"({"block_sizes":[8],"reduction_loops":[32],"pid_type":"persistent_interleaved"})")}},
      {"softmax", [](DType t) { return softmax_kernel(t); }, {DType::f32, DType::bf16, DType::f16},
       {{"m", 37}, {"n", 70}},
       [](Tensors& t) { softmax_reference(t.at("x"), t.at("out")); },
       {cfg(R"({"block_sizes":[4],"reduction_loops":[16],"pid_type":"xyz"})")}},
      {"layer_norm", [](DType t) { return layer_norm_kernel(t); }, {DType::bf16, DType::f16, DType::f32},
       {{"m", 37}, {"n", 70}},
       [](Tensors& t) { layer_norm_reference(t.at("x"), t.at("w"), t.at("b"), kEps, t.at("out")); },
       {cfg(R"({"block_sizes":[2],"pid_type":"persistent_interleaved"})")}},
      {"dynamic_per_token_scaled_fp8_quant", [](DType t) { return dynamic_per_token_fp8_quant_kernel(t); },
       {DType::bf16, DType::f16, DType::f32}, {{"num_tokens", 37}, {"hidden_size", 70}},
       [](Tensors& t) { dynamic_per_token_fp8_quant_reference(t.at("input"), t.at("result"), t.at("scale")); },
       {cfg(R"({"block_sizes":[32,16],"pid_type":"persistent_blocked"})")}},
      {"matmul", [](DType t) { return matmul_kernel(t); }, {DType::bf16, DType::f16, DType::bf16},
       {{"m", 37}, {"k", 50}, {"n", 45}},
       [](Tensors& t) { matmul_reference(t.at("a"), t.at("b"), t.at("out")); },
       {cfg(R"({"block_sizes":[16,16,16],"l2_groupings":[4],"pid_type":"flat"})")}},
  };
}

enum class Mode { kStatic, kDynamic, kConfigs };

struct Case {
  std::size_t example;
  Mode mode;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  static const char* kModes[] = {"static_default", "dynamic_strided", "configs"};
  return examples_list()[info.param.example].name + "_" + kModes[static_cast<int>(info.param.mode)];
}

/// One call's host tensors (inputs random, outputs poisoned) and their device copies.
struct Call {
  Tensors host;
  std::map<std::string, test::DeviceTensor> device;
  std::vector<Arg> args;
};

Call make_call(const ir::Kernel& k, const runtime::Device& dev, const ir::SizeBindings& sizes, bool pad_first,
               unsigned seed) {
  Call c;
  std::mt19937 rng(seed);
  bool padded = false;
  for (const auto* list : {&k.inputs, &k.outputs}) {
    for (const ir::TensorParam& p : *list) {
      std::vector<std::int64_t> shape;
      for (const ir::Expr& d : p.dims) shape.push_back(ir::eval_size(d, sizes));
      ir::HostTensor h = ir::HostTensor::zeros(p.dtype, shape);
      if (p.role == ir::TensorRole::input && pad_first && !padded && shape.size() == 2) {
        // Rows padded by 3 elements: a non-contiguous view with a run-time row stride.
        h = ir::HostTensor::strided(p.dtype, shape, {shape[1] + 3, 1});
        h.fill_bytes(0xFF);
        padded = true;
      }
      if (p.role == ir::TensorRole::input) {
        if (p.name == "scale") test::fill_random(h, rng, 0.5, 2.5);
        else test::fill_random(h, rng);
      } else {
        h.fill_bytes(0xFF);
      }
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

/// Checks every output of `c` (after the call) against the interpreter and the reference.
void check_outputs(const ir::Kernel& k, const runtime::Device& dev, Call& c, const Example& e,
                   const std::string& what) {
  Tensors interp = c.host, ref = c.host;
  ir::InterpretArgs ia;
  for (auto& [name, t] : interp) ia.tensors[name] = &t;
  for (const auto& s : k.scalars) ia.scalars[s.name] = kEps;
  ir::interpret(k, ia);
  e.reference(ref);
  for (const ir::TensorParam& p : k.outputs) {
    ir::HostTensor& got = c.host.at(p.name);
    test::to_host(dev, c.device.at(p.name), got);
    const double abs_tol = p.dtype == DType::f8e4m3fn ? 1.0 / 512 : 1e-6;  // e4m3fn's smallest step
    EXPECT_EQ(test::compare(got, interp.at(p.name), what + " " + p.name + " vs interpreter", abs_tol), 0);
    EXPECT_EQ(test::compare(got, ref.at(p.name), what + " " + p.name + " vs reference", abs_tol), 0);
  }
}

class KernelExamples : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    tessera::init();
    dev_ = tessera::open_device("cpu");
  }
  runtime::Device dev_;
};

TEST_P(KernelExamples, MatchesInterpreterAndReference) {
  const Case& c = GetParam();
  const Example e = examples_list()[c.example];
  const int mode = static_cast<int>(c.mode);
  ir::Kernel def = e.make(e.dtypes[mode]);
  const ir::Kernel copy = def;
  Settings settings;
  settings.static_shapes = c.mode != Mode::kDynamic;
  Kernel kernel(std::move(def), c.mode == Mode::kConfigs ? e.configs : std::vector<Config>{}, settings);
  const std::string what = e.name + "(" + std::string(dtype_name(e.dtypes[mode])) + ")";

  ir::SizeBindings sizes(e.sizes.begin(), e.sizes.end());
  if (c.mode == Mode::kDynamic) {
    // Two shapes of one bucket: the first with reductions longer than one chunk. 76 = 300 - 14 * 16,
    // so every tensor's rows keep their 16-byte alignment class (part of the specialization) for
    // any element size: contiguous rows of 300 and 76, padded rows of 303 and 79.
    ir::SizeBindings second = sizes;
    for (const ir::SizeVarInfo& sv : copy.size_vars) {
      if (sv.specialized) continue;
      sizes[sv.name] = sv.name == "m" || sv.name == "num_tokens" ? 45 : 300;
      second[sv.name] = sv.name == "m" || sv.name == "num_tokens" ? 19 : 76;
    }
    Call a = make_call(copy, dev_, sizes, true, 1);
    Call b = make_call(copy, dev_, second, true, 2);
    kernel(a.args);
    kernel(b.args);
    EXPECT_EQ(kernel.num_bound(), 1u) << "one bound kernel serves both shapes";
    EXPECT_EQ(kernel.bind(a.args).get(), kernel.bind(b.args).get());
    check_outputs(copy, dev_, a, e, what + " dynamic #1");
    check_outputs(copy, dev_, b, e, what + " dynamic #2");
    return;
  }
  Call a = make_call(copy, dev_, sizes, false, 3);
  kernel(a.args);
  check_outputs(copy, dev_, a, e, what);
  if (c.mode == Mode::kConfigs) {
    std::shared_ptr<BoundKernel> bound = kernel.bind(a.args);
    ASSERT_TRUE(bound->config().has_value());
    bool listed = false;
    for (const Config& listed_cfg : e.configs) listed = listed || listed_cfg == *bound->config();
    EXPECT_TRUE(listed) << "the kernel runs a config that was not listed: " << bound->config()->to_json().dump();
    EXPECT_EQ(bound->autotune_result().has_value(), e.configs.size() >= 2);
  }
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (std::size_t i = 0; i < examples_list().size(); ++i)
    for (Mode m : {Mode::kStatic, Mode::kDynamic, Mode::kConfigs}) cases.push_back({i, m});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cpu, KernelExamples, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace tessera::lang
