// SPDX-License-Identifier: Apache-2.0
#include "ops/rms_norm_dynamic_per_token_quant/rms_norm_dynamic_per_token_quant.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/common/rms_quant.h"
#include "ops/ops.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "rms_norm_dynamic_per_token_quant";
using rms_quant::kEpsilon, rms_quant::kInput, rms_quant::kResidual, rms_quant::kResult, rms_quant::kScale,
    rms_quant::kScaleUb, rms_quant::kWeight;
/// Binding::variant entries.
enum Variant : std::size_t { kVDtype, kVHidden, kVInt8, kVUb, kVResidual };

/// Whether the three loops read the in-place residual through an input view (see define).
/// The printer keeps an input's row in registers for sibling loops, first come first served,
/// within 64 registers per thread. vLLM's H100 file tiles rows of 2048 and 4096 at 4 to 16
/// registers per tensor: input, residual and weight all fit, and the residual's two re-reads
/// go (hidden 4096 x 8192 tokens: 91.8 -> 86.5 us, bench/RESULTS.md).
/// Rows of 5120 are tiled [8192, 8192, 2048] at 8 warps (32 registers per tensor): the
/// residual, read in the first loop, would take the weight's place in the budget, which
/// measured slower (123.4 -> 139.3 us); those rows keep reading the residual in each loop.
bool shared_residual_reads(std::int64_t hidden) { return hidden <= 4096; }

void bind(registry::KernelArgs args, registry::Binding& b) {
  const rms_quant::Call c = rms_quant::check_args(kName, args);
  const runtime::TensorView &input = *c.input, &weight = *c.weight, &result = *c.result, &scale = *c.scale;
  const runtime::TensorView *ub = c.scale_ub, *residual = c.residual;
  const std::int64_t m = c.m, h = c.h;
  const bool int8 = c.int8;
  expect(scale.size(0) == m && scale.size(1) == 1, kName, "scale", scale, "[num_tokens, 1]");
  b.variant.push_back(static_cast<std::int64_t>(input.dtype()));
  b.variant.push_back(h);  // Helion specializes hidden_size: the 1 / H constant is per size
  b.variant.push_back(int8);
  b.variant.push_back(ub != nullptr);
  b.variant.push_back(residual != nullptr);
  b.pick_shape.push_back(m);
  b.pick_shape.push_back(h);
  b.tensors.push_back(input);
  b.tensors.push_back(weight);
  if (ub) b.tensors.push_back(as_scalar_view(kName, "scale_ub", *ub));
  if (residual && shared_residual_reads(h)) b.tensors.push_back(*residual);  // residual_in (see define)
  b.tensors.push_back(result);
  b.tensors.push_back(scale);
  if (residual) b.tensors.push_back(*residual);
  b.scalars.push_back(registry::float_arg(args, kEpsilon));
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto dt = static_cast<DType>(b.variant[kVDtype]);
  const double hidden = static_cast<double>(b.variant[kVHidden]);
  const bool int8 = b.variant[kVInt8] != 0, has_ub = b.variant[kVUb] != 0, has_res = b.variant[kVResidual] != 0;
  const QuantRange q = quant_range(int8);
  return lang::define(kName, [&](Builder& k) {
    auto x = k.input("input", dt, {"num_tokens", "hidden_size"});
    auto w = k.input("weight", dt, {x.dim(1)});
    std::optional<TensorRef> ub, res_in, res;
    if (has_ub) ub = k.input("scale_ub", DType::f32, {1});
    // The in-place residual (shared_residual_reads) is two parameters over the same memory:
    // an input that all three loops read and the output the last loop writes. As an input its
    // loads are shared by the loops like the input's (read once into registers when the row
    // fits the printer's budget) instead of read from global memory three times. Each row
    // belongs to one program, whose last loop reads each element before it writes it, so no
    // read sees a written value.
    const bool shared = has_res && shared_residual_reads(b.variant[kVHidden]);
    if (shared) res_in = k.input("residual_in", dt, {x.dim(0), x.dim(1)});
    auto h = k.specialize(x.dim(1));
    auto result = k.output("result", int8 ? DType::i8 : DType::f8e4m3fn, {x.dim(0), h});
    auto scale = k.output("scale", DType::f32, {x.dim(0), 1});
    if (has_res) res = k.output("residual", dt, {x.dim(0), h});
    if (has_res && !shared) res_in = res;  // read, then written back, through the output
    auto eps = k.scalar_arg("epsilon", DType::f32);
    k.tile({x.dim(0)}, TileOptions{{"tile_m"}, {1}}, [&](Tile tm) {
      // x = f32(input) (+ f32(residual)), as each of vLLM's three loops recomputes it.
      auto row = [&](Tile tn) {
        Value v = x(tm, tn).to(DType::f32);
        if (res_in) v = v + (*res_in)(tm, tn).to(DType::f32);
        return v;
      };
      auto ss = k.local(zeros({tm}, DType::f32), "rms");
      k.tile({h}, TileOptions{{"tile_n"}, {}}, [&](Tile tn) {
        auto v = row(tn);
        ss = ss + sum(v * v, -1);
      });
      auto rms = rsqrt(ss.value() * (1.0 / hidden) + eps)[{all(), none()}];
      auto s = k.local(zeros({tm}, DType::f32), "s_blk");
      k.tile({h}, TileOptions{{"tile_n2"}, {}}, [&](Tile tn) {
        auto xn = (row(tn) * rms).to(dt) * w(tn);
        s = maximum(s, amax(xn.to(DType::f32), -1));
      });
      Value sv = s;
      if (ub) sv = minimum(sv, ub->scalar(0));
      sv = maximum(sv * (1.0 / q.max), q.min_scale);
      scale(tm, 0) = sv;
      k.tile({h}, TileOptions{{"tile_n3"}, {}}, [&](Tile tn) {
        Value v = row(tn);
        if (res) (*res)(tm, tn) = v.to(dt);
        auto xn = ((v * rms).to(dt) * w(tn)).to(DType::f32);
        if (int8) {
          result(tm, tn) = clamp(round(xn * (1.0 / sv)[{all(), none()}]), q.min, q.max).to(DType::i8);
        } else {
          result(tm, tn) = clamp(xn / sv[{all(), none()}], q.min, q.max).to(DType::f8e4m3fn);
        }
      });
    });
  });
}

/// vLLM's baseline in float64 with the kernel's f32 and input-dtype roundings.
void reference(registry::HostArgs& a) {
  ir::HostTensor& result = registry::host_tensor_arg(a, kResult);
  ir::HostTensor& scale = registry::host_tensor_arg(a, kScale);
  const ir::HostTensor* ub = registry::optional_host_tensor_arg(a, kScaleUb);
  const bool int8 = result.dtype == DType::i8;
  const QuantRange q = quant_range(int8);
  auto f32 = [](double v) { return ir::round_to_dtype(v, DType::f32); };
  const std::int64_t m = result.shape[0], h = result.shape[1];
  const double ub_value = ub ? ub->load(0) : 0;
  for_each_row(m, [&](std::int64_t i) {  // rows are independent (the residual row too)
    std::vector<double> xn;
    rms_quant::normalized_row(a, i, xn);
    double s = 0;
    for (double v : xn) s = std::max(s, std::fabs(v));
    if (ub) s = std::min(s, ub_value);
    s = std::max(f32(s * f32(1.0 / q.max)), f32(q.min_scale));
    scale.store(i * scale.strides[0], s);
    const double inv = f32(1.0 / s);
    for (std::int64_t j = 0; j < h; ++j) {
      const double y = int8 ? std::nearbyint(f32(xn[j] * inv)) : f32(xn[j] / s);
      result.store(result.strides[0] * i + result.strides[1] * j, std::clamp(y, q.min, q.max));
    }
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
  rms_quant::Inputs in = rms_quant::make_inputs(key, m, h, DType::bf16, rng);
  return {poisoned(in.int8 ? DType::i8 : DType::f8e4m3fn, {m, h}),
          std::move(in.x),
          std::move(in.weight),
          poisoned(DType::f32, {m, 1}),
          in.eps,
          std::move(in.scale_ub),
          in.with_residual ? registry::HostArg(std::move(in.residual)) : registry::HostArg(std::monostate{})};
}

}  // namespace

registry::KernelSpec rms_norm_dynamic_per_token_quant_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "RMSNorm (optional fused residual add) then per-token dynamic fp8/int8 quantization (vLLM)";
  s.signature = rms_quant::signature();
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  s.checks = rms_quant::checks();
  s.work = rms_quant::work;
  return s;
}

void rms_norm_dynamic_per_token_quant(const runtime::TensorView& result, const runtime::TensorView& input,
                                      const runtime::TensorView& weight, const runtime::TensorView& scale,
                                      double epsilon, const runtime::TensorView* scale_ub,
                                      const runtime::TensorView* residual, runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  auto opt = [](const runtime::TensorView* v) { return v ? registry::ArgValue(*v) : registry::ArgValue(std::monostate{}); };
  const registry::ArgValue args[] = {result, input, weight, scale, epsilon, opt(scale_ub), opt(residual)};
  k.call(args, stream);
}

}  // namespace tessera::ops
