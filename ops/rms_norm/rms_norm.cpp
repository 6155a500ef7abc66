// SPDX-License-Identifier: Apache-2.0
#include "ops/rms_norm/rms_norm.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/error.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "rms_norm";
enum Arg : std::size_t { kOut, kInput, kWeight, kEpsilon };

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView input = flatten_to_2d(kName, "input", registry::tensor_arg(args, kInput));
  const runtime::TensorView out = flatten_to_2d(kName, "out", registry::tensor_arg(args, kOut));
  const runtime::TensorView& weight = registry::tensor_arg(args, kWeight);
  expect_tensor(kName, "input", input, {DType::bf16, DType::f16, DType::f32}, 2);
  expect_inner_contiguous(kName, "input", input);
  expect_matrix(kName, "out", out, input.dtype(), input.size(0), input.size(1), "of the input's shape");
  expect_vector(kName, "weight", weight, input.dtype(), input.size(1));
  bind_row_shape(b, input);
  b.tensors.push_back(input);
  b.tensors.push_back(weight);
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
    auto out = k.output("out", dtype, {x.dim(0), h});
    auto eps = k.scalar_arg("epsilon", DType::f32);
    k.tile({x.dim(0)}, TileOptions{{"tile_m"}, {}}, [&](Tile tm) {
      auto v = x(tm, all()).to(DType::f32);
      auto inv = rsqrt(mean(v * v, 1) + eps);
      out(tm, all()) = (v * inv[{all(), none()}] * w(all()).to(DType::f32)).to(dtype);
    });
  });
}

/// float64 with the kernel's one f32 rounding of epsilon; the output rounds once to its dtype.
void reference(registry::HostArgs& a) {
  const ir::HostTensor& x = registry::host_tensor_arg(a, kInput);
  const ir::HostTensor& w = registry::host_tensor_arg(a, kWeight);
  ir::HostTensor& out = registry::host_tensor_arg(a, kOut);
  const double eps = ir::round_to_dtype(registry::host_float_arg(a, kEpsilon), DType::f32);
  const std::int64_t h = x.shape.back(), m = x.numel() / std::max<std::int64_t>(h, 1);
  for_each_row(m, [&](std::int64_t i) {
    double ss = 0;
    for (std::int64_t j = 0; j < h; ++j) ss += x.load(i * h + j) * x.load(i * h + j);
    const double inv = 1.0 / std::sqrt(ss / static_cast<double>(h) + eps);
    for (std::int64_t j = 0; j < h; ++j) out.store(i * h + j, x.load(i * h + j) * inv * w.load(j * w.strides[0]));
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
  ir::HostTensor w = random_normal(dtype, {h}, rng, 1.0, 0.5);
  return {poisoned(dtype, {m, h}), std::move(x), std::move(w), 1e-6};
}

}  // namespace

registry::KernelSpec rms_norm_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "RMSNorm over the last dimension, f32 math, output in the input dtype";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true},
                 {"input", registry::ArgKind::kTensor},
                 {"weight", registry::ArgKind::kTensor},
                 {"epsilon", registry::ArgKind::kFloat}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  // bf16/f16: one rounding of a value within ~1e-6 relative of the exact one (rsqrt 2 ulp,
  // f32 sum order) -> at most 1 ulp; f32 outputs: 1e-5 relative.
  s.checks = {{.arg = kOut, .max_ulp = 1, .max_rel = 1e-5}};
  s.work = [](const registry::HostArgs& a) {
    const auto& x = registry::host_tensor_arg(a, kInput);
    return registry::Work{2.0 * static_cast<double>(x.numel()) * dtype_size(x.dtype), 4.0 * x.numel()};
  };
  return s;
}

void rms_norm(const runtime::TensorView& out, const runtime::TensorView& input, const runtime::TensorView& weight,
              double epsilon, runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {out, input, weight, epsilon};
  k.call(args, stream);
}

}  // namespace tessera::ops
