// SPDX-License-Identifier: Apache-2.0
#include "ops/layer_norm/layer_norm.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/error.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "layer_norm";
enum Arg : std::size_t { kOut, kInput, kWeight, kBias, kEpsilon };

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView input = flatten_to_2d(kName, "input", registry::tensor_arg(args, kInput));
  const runtime::TensorView out = flatten_to_2d(kName, "out", registry::tensor_arg(args, kOut));
  const runtime::TensorView& weight = registry::tensor_arg(args, kWeight);
  const runtime::TensorView& bias = registry::tensor_arg(args, kBias);
  expect_tensor(kName, "input", input, {DType::bf16, DType::f16, DType::f32}, 2);
  expect_inner_contiguous(kName, "input", input);
  expect_matrix(kName, "out", out, input.dtype(), input.size(0), input.size(1), "of the input's shape");
  expect_vector(kName, "weight", weight, input.dtype(), input.size(1));
  expect_vector(kName, "bias", bias, input.dtype(), input.size(1));
  bind_row_shape(b, input);
  b.tensors.push_back(input);
  b.tensors.push_back(weight);
  b.tensors.push_back(bias);
  b.tensors.push_back(out);
  b.scalars.push_back(registry::float_arg(args, kEpsilon));
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto dtype = static_cast<DType>(b.variant[0]);
  return lang::define(kName, [&](Builder& k) {
    auto x = k.input("input", dtype, {"num_tokens", "hidden_size"});
    auto h = k.specialize(x.dim(1));
    auto w = k.input("weight", dtype, {h});
    auto bias = k.input("bias", dtype, {h});
    auto out = k.output("out", dtype, {x.dim(0), h});
    auto eps = k.scalar_arg("epsilon", DType::f32);
    k.tile({x.dim(0)}, TileOptions{{"tile_m"}, {}}, [&](Tile tm) {
      auto v = x(tm, all()).to(DType::f32);
      auto centered = v - mean(v, 1)[{all(), none()}];
      auto inv = rsqrt(mean(centered * centered, 1) + eps);
      auto y = centered * inv[{all(), none()}] * w(all()).to(DType::f32) + bias(all()).to(DType::f32);
      out(tm, all()) = y.to(dtype);
    });
  });
}

/// float64 (epsilon rounded to f32 as the kernel's scalar); the output rounds once to its dtype.
void reference(registry::HostArgs& a) {
  const ir::HostTensor& x = registry::host_tensor_arg(a, kInput);
  const ir::HostTensor& w = registry::host_tensor_arg(a, kWeight);
  const ir::HostTensor& bias = registry::host_tensor_arg(a, kBias);
  ir::HostTensor& out = registry::host_tensor_arg(a, kOut);
  const double eps = ir::round_to_dtype(registry::host_float_arg(a, kEpsilon), DType::f32);
  const std::int64_t h = x.shape.back(), m = x.numel() / std::max<std::int64_t>(h, 1);
  for_each_row(m, [&](std::int64_t i) {
    double mu = 0, var = 0;
    for (std::int64_t j = 0; j < h; ++j) mu += x.load(i * h + j);
    mu /= static_cast<double>(h);
    for (std::int64_t j = 0; j < h; ++j) var += (x.load(i * h + j) - mu) * (x.load(i * h + j) - mu);
    const double inv = 1.0 / std::sqrt(var / static_cast<double>(h) + eps);
    for (std::int64_t j = 0; j < h; ++j)
      out.store(i * h + j, (x.load(i * h + j) - mu) * inv * w.load(j * w.strides[0]) + bias.load(j * bias.strides[0]));
  });
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  return pick_rows(keys, registry::tensor_arg(args, kInput), "hidden_size", "num_tokens");
}

std::vector<CaseKey> input_keys() { return row_keys("hidden_size", "num_tokens", {2048, 4096, 8192}); }

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t h = key_int(key, "hidden_size"), m = key_int(key, "num_tokens");
  const DType dtype = key_dtype(key);
  ir::HostTensor x = random_normal(dtype, {m, h}, rng);
  ir::HostTensor w = random_uniform(dtype, {h}, rng, 0.5, 1.5);
  // |bias| in [4, 6] with a random sign keeps every output >= ~0.4 in magnitude: a bias that
  // cancels the normalized value leaves an f32 rounding error (~1e-6 of the terms) that is
  // many ULPs of a result near 0, which a ULP/relative check cannot accept.
  ir::HostTensor bias = random_uniform(dtype, {h}, rng, 4.0, 6.0);
  std::bernoulli_distribution negative(0.5);
  for (std::int64_t j = 0; j < h; ++j)
    if (negative(rng)) bias.store(j, -bias.load(j));
  return {poisoned(dtype, {m, h}), std::move(x), std::move(w), std::move(bias), 1e-5};
}

}  // namespace

registry::KernelSpec layer_norm_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "LayerNorm over the last dimension (weight and bias), f32 math, output in the input dtype";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true},
                 {"input", registry::ArgKind::kTensor},
                 {"weight", registry::ArgKind::kTensor},
                 {"bias", registry::ArgKind::kTensor},
                 {"epsilon", registry::ArgKind::kFloat}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  // bf16/f16: 1 ulp; f32 outputs: 1e-4 relative. Where centered * inv * w cancels the bias the
  // result is near 0 and its f32 error is one of the terms' size: the mean's tree sum (<= log2(H)
  // eps of the mean |x|), the variance's and rsqrt's (2 ULP) relative errors times |y| <= the
  // row's largest output, and three roundings: about 12 eps of the row's largest |out| at
  // H = 8192, hence a floor of 16 f32 eps of it.
  s.checks = {{.arg = kOut, .max_ulp = 1, .max_rel = 1e-4, .floor_ulps = 16}};
  s.work = [](const registry::HostArgs& a) {
    const auto& x = registry::host_tensor_arg(a, kInput);
    return registry::Work{2.0 * static_cast<double>(x.numel()) * dtype_size(x.dtype), 7.0 * x.numel()};
  };
  return s;
}

void layer_norm(const runtime::TensorView& out, const runtime::TensorView& input, const runtime::TensorView& weight,
                const runtime::TensorView& bias, double epsilon, runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {out, input, weight, bias, epsilon};
  k.call(args, stream);
}

}  // namespace tessera::ops
