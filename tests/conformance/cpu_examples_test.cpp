// SPDX-License-Identifier: Apache-2.0
// Every example kernel x several configs x ragged shapes, lowered, generated as C++, compiled by
// the host compiler and run on the CPU, against the float64 interpreter. Outputs are poisoned
// (NaN bytes) first; tolerances depend on the output dtype.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "cpu/codegen.h"
#include "cpu/compiler.h"
#include "examples/examples.h"
#include "tessera/lang/lang.h"
#include "tessera/ir/interpreter.h"
#include "tessera/ir/size_expr.h"
#include "tessera/lower/program.h"

namespace tessera::backend::cpu {
namespace {

struct Case {
  std::string example;
  bool small_blocks;  ///< block sizes 16 and looped reductions (chunks of 32) vs. the defaults
  std::int64_t size;  ///< every size symbol (even, and not a multiple of any block size)
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.example + (info.param.small_blocks ? "_small_looped_" : "_default_") +
         std::to_string(info.param.size);
}

/// Per-dtype tolerance: about one unit in the last place of the output format.
double rel_tol(DType t) {
  switch (t) {
    case DType::bf16: return 1.0 / 128;
    case DType::f16: return 1.0 / 1024;
    case DType::f8e4m3fn: return 1.0 / 8;
    case DType::f8e5m2: return 1.0 / 4;
    default: return 2e-5;
  }
}

/// Generates, compiles and runs `program` on `tensors` (every program id; scalar arguments
/// 1e-5); returns the path of the generated source.
std::string run_generated(const lower::Program& program, std::map<std::string, ir::HostTensor>& tensors) {
  Source src = emit_cpu_source(program);
  cache::CachedBinary bin = compile_cached(src, {});
  void* handle = ::dlopen(bin.binary_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  EXPECT_NE(handle, nullptr) << ::dlerror();
  if (handle == nullptr) return bin.source_path;
  using Fn = void (*)(void* const*, std::int64_t, std::int64_t, std::int64_t);
  auto fn = reinterpret_cast<Fn>(::dlsym(handle, src.kernel_name.c_str()));
  EXPECT_NE(fn, nullptr);
  std::vector<void*> pointers;
  std::vector<std::int64_t> ints;
  std::vector<float> floats;
  pointers.reserve(program.params.size());
  ints.reserve(program.params.size());
  floats.reserve(program.params.size());
  std::vector<void*> args;
  for (const lower::Param& p : program.params) {
    EXPECT_NE(p.kind, lower::ParamKind::kSize);  // everything is static here
    if (p.kind == lower::ParamKind::kTensor) pointers.push_back(tensors.at(p.name).storage.data()), args.push_back(&pointers.back());
    else if (p.kind == lower::ParamKind::kScalar) floats.push_back(1e-5f), args.push_back(&floats.back());
    else if (p.kind == lower::ParamKind::kNumPrograms) ints.push_back(1), args.push_back(&ints.back());
  }
  const lower::LaunchGrid grid = program.launch_grid({}, 1);
  for (std::int64_t z = 0; z < grid.z && fn; ++z)
    for (std::int64_t y = 0; y < grid.y; ++y)
      for (std::int64_t x = 0; x < grid.x; ++x) fn(args.data(), x, y, z);
  ::dlclose(handle);
  return bin.source_path;
}

class CpuExamples : public ::testing::TestWithParam<Case> {};

TEST_P(CpuExamples, MatchesTheInterpreter) {
  const Case& c = GetParam();
  const examples::ExampleEntry* entry = nullptr;
  for (const auto& e : examples::example_kernels()) if (e.name == c.example) entry = &e;
  ASSERT_NE(entry, nullptr) << c.example;
  auto kernel = std::make_shared<const ir::Kernel>(entry->make());

  ir::SizeBindings sizes;
  for (const auto& sv : kernel->size_vars) sizes[sv.name] = c.size;
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  std::map<std::string, ir::HostTensor> tensors;
  lower::Specialization spec;
  spec.sizes = sizes;
  for (const auto* list : {&kernel->inputs, &kernel->outputs}) {
    for (const ir::TensorParam& t : *list) {
      std::vector<std::int64_t> shape;
      for (const ir::Expr& d : t.dims) shape.push_back(ir::eval_size(d, sizes));
      ir::HostTensor h = ir::HostTensor::zeros(t.dtype, shape);
      if (t.role == ir::TensorRole::input) {
        for (std::int64_t i = 0; i < h.numel(); ++i) h.store(i, t.name == "scale" ? 0.5 + std::abs(dist(rng)) : dist(rng));
      }
      spec.strides[t.name] = h.strides;
      tensors.emplace(t.name, std::move(h));
    }
  }

  Config config;
  ir::InterpretOptions interp;
  if (c.small_blocks) {
    interp.block_sizes.assign(kernel->num_block_sizes(), 16);
    config.set_block_sizes(interp.block_sizes);
    config.set_reduction_loops(std::vector<std::optional<std::int64_t>>(kernel->rdims.size(), 32));
  }
  lower::Program program = lower::lower(kernel, config, spec, "host", 1);
  if (!c.small_blocks) {  // the interpreter needs the block sizes the lowering chose
    for (const auto& tv : kernel->tile_vars)
      if (tv.block_size_slot >= 0) {
        interp.block_sizes.resize(kernel->num_block_sizes());
        interp.block_sizes[tv.block_size_slot] = program.tiles[tv.id].block;
      }
  }

  // Reference: the interpreter on copies of the outputs.
  std::map<std::string, ir::HostTensor> expected = tensors;
  ir::InterpretArgs iargs;
  for (auto& [name, t] : expected) iargs.tensors[name] = &t;
  for (const auto& s : kernel->scalars) iargs.scalars[s.name] = 1e-5;
  ir::interpret(*kernel, iargs, interp);

  // The CPU backend.
  for (const auto& t : kernel->outputs) tensors.at(t.name).fill_bytes(0xFF);
  const std::string source_path = run_generated(program, tensors);

  for (const auto& t : kernel->outputs) {
    const ir::HostTensor& got = tensors.at(t.name);
    const ir::HostTensor& want = expected.at(t.name);
    int bad = 0;
    for (std::int64_t i = 0; i < got.numel() && bad < 5; ++i) {
      const double g = got.load(i), w = want.load(i);
      const double tol = rel_tol(t.dtype) * std::abs(w) + 1e-6;
      if (!(std::abs(g - w) <= tol)) {
        ++bad;
        ADD_FAILURE() << c.example << " output " << t.name << "[" << i << "] = " << g << ", interpreter "
                      << w << "\nsource: " << source_path << "\n" << program.describe();
      }
    }
  }
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const auto& e : examples::example_kernels()) {
    cases.push_back({e.name, false, 70});
    cases.push_back({e.name, true, 70});
    cases.push_back({e.name, true, 2});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Examples, CpuExamples, ::testing::ValuesIn(all_cases()), case_name);

TEST(CpuCodegen, FastDivisionByARowConstantIsAHoistableReciprocal) {
  // softmax's exp(x - max) / sum: the sum is constant along the row, so the element loop
  // multiplies by its reciprocal (one division per row; ops.h's 2-ulp fast bound). The
  // conformance cases above check the values.
  lower::Specialization spec;
  spec.sizes = {{"m", 8}, {"n", 64}};
  const auto kernel = std::make_shared<const ir::Kernel>(examples::softmax_kernel(DType::f32));
  const std::string text = emit_cpu_source(lower::lower(kernel, Config(), spec, "host", 1)).text;
  EXPECT_NE(text.find(" * (1.0f / red1[i_t0])"), std::string::npos) << text;
  EXPECT_EQ(text.find("] / red1[i_t0])"), std::string::npos) << text;
  // MathMode::exact keeps the correctly rounded division.
  ir::Kernel exact = examples::softmax_kernel(DType::f32);
  exact.math_mode = ir::MathMode::exact;
  const std::string exact_text =
      emit_cpu_source(lower::lower(std::make_shared<const ir::Kernel>(exact), Config(), spec, "host", 1)).text;
  EXPECT_EQ(exact_text.find("(1.0f / red1"), std::string::npos);
  EXPECT_NE(exact_text.find("] / red1[i_t0])"), std::string::npos);
}

TEST(CpuCodegen, ExpOfXMinusItsMaxUsesTheNonPositiveExp) {
  // softmax's exp(x - max(x)) is <= 0 in every lane: the shorter exp (exp_fast's bits on x <= 0,
  // cpu_prelude_test); the conformance cases check softmax's values. The maximum of another
  // tensor proves nothing and keeps exp_fast, as does MathMode::exact.
  lower::Specialization spec;
  spec.sizes = {{"m", 8}, {"n", 64}};
  auto source = [&](const ir::Kernel& k) {  // the kernel function, after the prelude
    const std::string text =
        emit_cpu_source(lower::lower(std::make_shared<const ir::Kernel>(k), Config(), spec, "host", 1)).text;
    return text.substr(text.find("extern \"C\""));
  };
  const std::string softmax = source(examples::softmax_kernel(DType::f32));
  EXPECT_NE(softmax.find("ts_cpu::exp_nonpositive_fast("), std::string::npos) << softmax;
  EXPECT_EQ(softmax.find("ts_cpu::exp_fast("), std::string::npos) << softmax;
  const ir::Kernel other = lang::define("exp_minus_other_max", [&](lang::Builder& k) {
    auto x = k.input("x", DType::f32, {"m", "n"});
    auto y = k.input("y", DType::f32, {x.dim(0), x.dim(1)});
    auto out = k.output("out", DType::f32, {x.dim(0), x.dim(1)});
    k.tile({x.dim(0)}, [&](lang::Tile tm) {
      auto v = x(tm, lang::all());
      out(tm, lang::all()) = lang::exp(v - lang::max(y(tm, lang::all()), 1)[{lang::all(), lang::none()}]);
    });
  });
  const std::string other_text = source(other);
  EXPECT_EQ(other_text.find("exp_nonpositive_fast("), std::string::npos) << other_text;
  EXPECT_NE(other_text.find("ts_cpu::exp_fast("), std::string::npos) << other_text;
  ir::Kernel exact = examples::softmax_kernel(DType::f32);
  exact.math_mode = ir::MathMode::exact;
  EXPECT_EQ(source(exact).find("exp_nonpositive_fast("), std::string::npos);
}

TEST(CpuCodegen, ClampBeforeASaturatingFp8CastIsDroppedOnlyWhenRedundant) {
  // clamp(x, lo, hi).to(fp8): fp8 saturates to ±max and keeps NaN, so a clamp whose bounds lie
  // outside [-max, max] changes no encoding and the generated store leaves it out; a bound
  // inside the range must stay. Every case is compared bit for bit with the interpreter on
  // inputs around the bounds, beyond the range, ±inf, ±0 and NaN.
  struct Bound { DType out; double lo, hi; bool dropped; };
  const Bound bounds[] = {{DType::f8e4m3fn, -448, 448, true},   {DType::f8e4m3fn, -1000, 500, true},
                          {DType::f8e4m3fn, -448, 300, false},  {DType::f8e4m3fn, -200, 448, false},
                          {DType::f8e5m2, -57344, 57344, true}, {DType::f8e5m2, -448, 448, false}};
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> xs = {0.0f, -0.0f, 1.5f, -3.25f, 199.0f, -201.0f, 299.0f, 301.0f, 447.0f, 449.0f,
                                 -460.0f, 470.0f, 499.0f, 1e4f, -6e4f, 5.8e4f, 1e30f, inf, -inf, nan, -nan};
  for (const Bound& b : bounds) {
    const ir::Kernel def = lang::define("clamp_fp8", [&](lang::Builder& k) {
      auto x = k.input("x", DType::f32, {"n"});
      auto out = k.output("out", b.out, {x.dim(0)});
      k.tile({x.dim(0)}, [&](lang::Tile t) { out(t) = lang::clamp(x(t), b.lo, b.hi).to(b.out); });
    });
    const auto kernel = std::make_shared<const ir::Kernel>(def);
    const std::int64_t n = static_cast<std::int64_t>(xs.size());
    lower::Specialization spec;
    spec.sizes = {{"n", n}};
    std::map<std::string, ir::HostTensor> tensors;
    tensors.emplace("x", ir::HostTensor::zeros(DType::f32, {n}));
    tensors.emplace("out", ir::HostTensor::zeros(b.out, {n}));
    std::memcpy(tensors.at("x").storage.data(), xs.data(), xs.size() * sizeof(float));
    for (const auto& [name, t] : tensors) spec.strides[name] = t.strides;
    const lower::Program program = lower::lower(kernel, Config(), spec, "host", 1);
    const std::string text = emit_cpu_source(program).text;
    const std::string store = text.substr(text.find("// store out"));
    EXPECT_EQ(store.find("ts_cpu::m") == std::string::npos, b.dropped) << "[" << b.lo << ", " << b.hi << "]\n" << store;

    std::map<std::string, ir::HostTensor> expected = tensors;
    ir::InterpretArgs iargs;
    for (auto& [name, t] : expected) iargs.tensors[name] = &t;
    ir::interpret(*kernel, iargs, {});
    tensors.at("out").fill_bytes(0xAA);
    run_generated(program, tensors);
    for (std::int64_t i = 0; i < n; ++i) {
      if (std::isnan(tensors.at("out").load(i)) && std::isnan(expected.at("out").load(i))) continue;  // NaN's sign is unspecified
      EXPECT_EQ(std::to_integer<int>(tensors.at("out").storage[i]), std::to_integer<int>(expected.at("out").storage[i]))
          << dtype_name(b.out) << " clamp [" << b.lo << ", " << b.hi << "] of " << xs[i];
    }
  }
}

}  // namespace
}  // namespace tessera::backend::cpu
