// SPDX-License-Identifier: Apache-2.0
#include "ops/dynamic_per_token_scaled_fp8_quant/dynamic_per_token_scaled_fp8_quant.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "dynamic_per_token_scaled_fp8_quant";
enum Arg : std::size_t { kResult, kInput, kScale, kScaleUb };

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView& result = registry::tensor_arg(args, kResult);
  const runtime::TensorView& input = registry::tensor_arg(args, kInput);
  const runtime::TensorView& scale = registry::tensor_arg(args, kScale);
  const runtime::TensorView* ub = registry::optional_tensor_arg(args, kScaleUb);
  expect_tensor(kName, "input", input, {DType::bf16, DType::f16, DType::f32}, 2);
  expect_tensor(kName, "result", result, {DType::f8e4m3fn}, 2);
  expect(result.size(0) == input.size(0) && result.size(1) == input.size(1), kName, "result", result,
         "of the input's shape");
  expect_tensor(kName, "scale", scale, {DType::f32}, 2);
  expect(scale.size(0) == input.size(0) && scale.size(1) == 1, kName, "scale", scale, "[num_tokens, 1]");
  expect_inner_contiguous(kName, "input", input);
  expect_inner_contiguous(kName, "result", result);
  b.variant.push_back(static_cast<std::int64_t>(input.dtype()));
  b.variant.push_back(ub != nullptr);
  b.pick_shape.push_back(input.size(0));
  b.pick_shape.push_back(input.size(1));
  b.tensors.push_back(input);
  if (ub) b.tensors.push_back(as_scalar_view(kName, "scale_ub", *ub));
  b.tensors.push_back(result);
  b.tensors.push_back(scale);
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto in_dtype = static_cast<DType>(b.variant[0]);
  const bool has_ub = b.variant[1] != 0;
  return lang::define(kName, [&](Builder& k) {
    auto x = k.input("input", in_dtype, {"num_tokens", "hidden_size"});
    std::optional<TensorRef> ub;
    if (has_ub) ub = k.input("scale_ub", DType::f32, {1});
    auto h = k.specialize(x.dim(1));
    auto result = k.output("result", DType::f8e4m3fn, {x.dim(0), h});
    auto scale = k.output("scale", DType::f32, {x.dim(0), 1});
    k.tile({x.dim(0)}, TileOptions{{"tile_m"}, {1}}, [&](Tile tm) {
      auto s = k.local(zeros({tm}, DType::f32), "s_blk");
      k.tile({h}, TileOptions{{"tile_n"}, {}}, [&](Tile tn) { s = maximum(s, amax(x(tm, tn).to(DType::f32), -1)); });
      Value sv = s;
      if (ub) sv = minimum(sv, ub->scalar(0));
      sv = maximum(sv * (1.0 / kFp8Max), kFp8MinScale);
      scale(tm, 0) = sv;
      k.tile({h}, TileOptions{{"tile_n2"}, {}}, [&](Tile tn) {
        auto y = x(tm, tn).to(DType::f32) * (1.0 / sv)[{all(), none()}];
        result(tm, tn) = clamp(y, -kFp8Max, kFp8Max).to(DType::f8e4m3fn);
      });
    });
  });
}

/// vLLM's baseline in float64 with the kernel's f32 roundings of the scale and its reciprocal.
void reference(registry::HostArgs& a) {
  const ir::HostTensor& x = registry::host_tensor_arg(a, kInput);
  ir::HostTensor& result = registry::host_tensor_arg(a, kResult);
  ir::HostTensor& scale = registry::host_tensor_arg(a, kScale);
  const ir::HostTensor* ub = registry::optional_host_tensor_arg(a, kScaleUb);
  auto f32 = [](double v) { return ir::round_to_dtype(v, DType::f32); };
  const double ub_value = ub ? ub->load(0) : 0;
  for_each_row(x.shape[0], [&](std::int64_t i) {  // rows in parallel, elements by strides
    auto xi = [&](std::int64_t j) { return x.load(i * x.strides[0] + j * x.strides[1]); };
    double s = 0;
    for (std::int64_t j = 0; j < x.shape[1]; ++j) s = std::max(s, std::fabs(xi(j)));
    if (ub) s = std::min(s, ub_value);
    s = std::max(f32(s * f32(1.0 / kFp8Max)), f32(kFp8MinScale));
    scale.store(i * scale.strides[0], s);
    const double inv = f32(1.0 / s);
    for (std::int64_t j = 0; j < x.shape[1]; ++j)
      result.store(i * result.strides[0] + j * result.strides[1], std::clamp(f32(xi(j) * inv), -kFp8Max, kFp8Max));
  });
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  const runtime::TensorView& input = registry::tensor_arg(args, kInput);
  return registry::pick_by_fields(keys, {{"hidden_size", registry::PickRule::kClosest, input.size(1)},
                                         {"num_tokens", registry::PickRule::kAtLeast, input.size(0)}});
}

std::vector<CaseKey> input_keys() {
  std::vector<CaseKey> keys;
  for (std::int64_t m : token_counts_t14())
    for (std::int64_t h : {2048, 4096, 5120}) keys.push_back(CaseKey({{"hidden_size", h}, {"num_tokens", m}}));
  return keys;
}

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t h = key_int(key, "hidden_size"), m = key_int(key, "num_tokens");
  ir::HostTensor x = random_normal(DType::bf16, {m, h}, rng);
  // vLLM: scale_ub = 0.5 * (mean|x| + max|x|), so clamping is partly active.
  double sum = 0, mx = 0;
  for (std::int64_t i = 0; i < x.numel(); ++i) sum += std::fabs(x.load(i)), mx = std::max(mx, std::fabs(x.load(i)));
  const double ub = 0.5 * (sum / static_cast<double>(std::max<std::int64_t>(x.numel(), 1)) + mx);
  return {poisoned(DType::f8e4m3fn, {m, h}), std::move(x), poisoned(DType::f32, {m, 1}), scalar_tensor(ub)};
}

}  // namespace

registry::KernelSpec dynamic_per_token_scaled_fp8_quant_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "per-token dynamic fp8 quantization with an optional scale upper bound (vLLM)";
  s.signature = {{"result", registry::ArgKind::kTensor, false, true},
                 {"input", registry::ArgKind::kTensor},
                 {"scale", registry::ArgKind::kTensor, false, true},
                 {"scale_ub", registry::ArgKind::kTensor, true}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  s.checks = {{.arg = kResult, .max_ulp = 1}, {.arg = kScale, .max_ulp = -1, .max_rel = 1e-6}};
  s.work = [](const registry::HostArgs& a) {
    const auto& x = registry::host_tensor_arg(a, kInput);
    return registry::Work{static_cast<double>(x.numel()) * (dtype_size(x.dtype) + 1), 3.0 * x.numel()};
  };
  return s;
}

void dynamic_per_token_scaled_fp8_quant(const runtime::TensorView& result, const runtime::TensorView& input,
                                        const runtime::TensorView& scale, const runtime::TensorView* scale_ub,
                                        runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {result, input, scale,
                                     scale_ub ? registry::ArgValue(*scale_ub) : registry::ArgValue(std::monostate{})};
  k.call(args, stream);
}

}  // namespace tessera::ops
