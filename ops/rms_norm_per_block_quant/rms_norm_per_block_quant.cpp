// SPDX-License-Identifier: Apache-2.0
#include "ops/rms_norm_per_block_quant/rms_norm_per_block_quant.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/common/rms_quant.h"
#include "ops/ops.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "rms_norm_per_block_quant";
using rms_quant::kEpsilon, rms_quant::kInput, rms_quant::kResidual, rms_quant::kResult, rms_quant::kScale,
    rms_quant::kScaleUb, rms_quant::kWeight;
/// The arguments after rms_quant's seven.
enum Arg : std::size_t { kGroupSize = rms_quant::kResidual + 1, kIsScaleTransposed };
/// Binding::variant entries.
enum Variant : std::size_t { kVDtype, kVHidden, kVGroupSize, kVInt8, kVUb, kVResidual };

void bind(registry::KernelArgs args, registry::Binding& b) {
  const rms_quant::Call c = rms_quant::check_args(kName, args);
  const runtime::TensorView &input = *c.input, &weight = *c.weight, &result = *c.result, &scale = *c.scale;
  const runtime::TensorView *ub = c.scale_ub, *residual = c.residual;
  const std::int64_t m = c.m, h = c.h;
  const bool int8 = c.int8;
  const std::int64_t g = registry::int_arg(args, kGroupSize);
  TS_USER_CHECK((g == 64 || g == 128) && h % g == 0)
      << "kernel '" << kName << "': group_size must be 64 or 128 (as vLLM asserts) and divide hidden_size " << h
      << ", got " << g;
  expect(scale.size(0) == m && scale.size(1) == h / g, kName, "scale", scale, "[num_tokens, hidden_size / group_size]");
  expect(scale.stride(1) <= 1 || registry::bool_arg(args, kIsScaleTransposed), kName, "scale",
         scale, "row-major, or passed with is_scale_transposed=True (vLLM asserts it when scale.stride(1) > 1)");
  b.variant.push_back(static_cast<std::int64_t>(input.dtype()));
  b.variant.push_back(h);  // Helion specializes hidden_size: the 1 / H constant is per size
  b.variant.push_back(g);  // and group_size: the fixed block of the group loop
  b.variant.push_back(int8);
  b.variant.push_back(ub != nullptr);
  b.variant.push_back(residual != nullptr);
  b.pick_shape.push_back(m);
  b.pick_shape.push_back(h);
  b.pick_shape.push_back(g);
  // The row loop reads [M, H] views, the group loop [M, H / g, g] views of the same memory.
  b.tensors.push_back(input);
  b.tensors.push_back(split_last_dim(input, g));
  b.tensors.push_back(reshape_view(weight, {h / g, g}, {g, 1}));
  if (ub) b.tensors.push_back(as_scalar_view(kName, "scale_ub", *ub));
  if (residual) b.tensors.push_back(*residual);
  b.tensors.push_back(split_last_dim(result, g));
  b.tensors.push_back(scale);
  if (residual) b.tensors.push_back(split_last_dim(*residual, g));
  b.scalars.push_back(registry::float_arg(args, kEpsilon));
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto dt = static_cast<DType>(b.variant[kVDtype]);
  const double hidden = static_cast<double>(b.variant[kVHidden]);
  const std::int64_t g = b.variant[kVGroupSize];
  const bool int8 = b.variant[kVInt8] != 0, has_ub = b.variant[kVUb] != 0, has_res = b.variant[kVResidual] != 0;
  const DType out = int8 ? DType::i8 : DType::f8e4m3fn;
  const QuantRange q = quant_range(int8);
  return lang::define(kName, [&](Builder& k) {
    auto x = k.input("input", dt, {"num_tokens", "hidden_size"});
    auto xg = k.input("input_g", dt, {x.dim(0), "groups_per_row", g});
    auto wg = k.input("weight", dt, {xg.dim(1), g});
    std::optional<TensorRef> ub, res_row, res;
    if (has_ub) ub = k.input("scale_ub", DType::f32, {1});
    // The residual is read by the row loop ([M, H]) and read, then written back, by the group
    // loop ([M, H / g, g]); each row belongs to one program, which finishes reading it first.
    if (has_res) res_row = k.input("residual_in", dt, {x.dim(0), x.dim(1)});
    auto h = k.specialize(x.dim(1));
    auto gpr = k.specialize(xg.dim(1));
    auto result = k.output("result", out, {x.dim(0), gpr, g});
    auto scale = k.output("scale", DType::f32, {x.dim(0), gpr});
    if (has_res) res = k.output("residual", dt, {x.dim(0), gpr, g});
    auto eps = k.scalar_arg("epsilon", DType::f32);
    k.tile({x.dim(0)}, TileOptions{{"tile_m"}, {1}}, [&](Tile tm) {
      auto ss = k.local(zeros({tm}, DType::f32), "rms");
      k.tile({h}, TileOptions{{"tile_n"}, {}}, [&](Tile tn) {
        Value v = x(tm, tn).to(DType::f32);
        if (res_row) v = v + (*res_row)(tm, tn).to(DType::f32);
        ss = ss + sum(v * v, -1);
      });
      auto rms = rsqrt(ss.value() * (1.0 / hidden) + eps)[{all(), none(), none()}];
      k.tile({gpr, g}, TileOptions{{"tile_gn", "tile_n2"}, {0, g}}, [&](Tile tgn, Tile tn) {
        Value v = xg(tm, tgn, tn).to(DType::f32);
        if (res) v = v + (*res)(tm, tgn, tn).to(DType::f32);
        Value w = wg(tgn, tn);
        auto xn = (v * rms).to(dt) * w[{none(), all(), all()}];
        auto xf = xn.to(DType::f32);
        Value s = amax(xf, -1);
        if (ub) s = minimum(s, ub->scalar(0));
        s = maximum(s * (1.0 / q.max), q.min_scale);
        scale(tm, tgn) = s;
        auto sb = s[{all(), all(), none()}];
        auto y = int8 ? round(xf * (1.0 / sb)) : xf / sb;
        result(tm, tgn, tn) = clamp(y, q.min, q.max).to(out);
        if (res) (*res)(tm, tgn, tn) = v.to(dt);  // after every use of the old value
      });
    });
  });
}

/// vLLM's kernel in float64 with its f32 and input-dtype roundings.
void reference(registry::HostArgs& a) {
  ir::HostTensor& result = registry::host_tensor_arg(a, kResult);
  ir::HostTensor& scale = registry::host_tensor_arg(a, kScale);
  const ir::HostTensor* ub = registry::optional_host_tensor_arg(a, kScaleUb);
  const std::int64_t g = registry::host_int_arg(a, kGroupSize);
  const bool int8 = result.dtype == DType::i8;
  const QuantRange q = quant_range(int8);
  auto f32 = [](double v) { return ir::round_to_dtype(v, DType::f32); };
  const std::int64_t m = result.shape[0], h = result.shape[1];
  const double ub_value = ub ? ub->load(0) : 0;
  auto at = [](const ir::HostTensor& t, std::int64_t i, std::int64_t j) { return t.strides[0] * i + t.strides[1] * j; };
  for_each_row(m, [&](std::int64_t i) {  // rows are independent (the residual row too)
    std::vector<double> xn;
    rms_quant::normalized_row(a, i, xn);
    for (std::int64_t j0 = 0; j0 < h; j0 += g) {
      double s = 0;
      for (std::int64_t j = j0; j < j0 + g; ++j) s = std::max(s, std::fabs(xn[j]));
      if (ub) s = std::min(s, ub_value);
      s = std::max(f32(s * f32(1.0 / q.max)), f32(q.min_scale));
      scale.store(at(scale, i, j0 / g), s);
      const double inv = f32(1.0 / s);
      for (std::int64_t j = j0; j < j0 + g; ++j) {
        const double y = int8 ? std::nearbyint(f32(xn[j] * inv)) : f32(xn[j] / s);
        result.store(at(result, i, j), std::clamp(y, q.min, q.max));
      }
    }
  });
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  const runtime::TensorView& input = registry::tensor_arg(args, kInput);
  return registry::pick_by_fields(keys, {{"hidden_size", registry::PickRule::kClosest, input.size(1)},
                                         {"group_size", registry::PickRule::kClosest, registry::int_arg(args, kGroupSize)},
                                         {"num_tokens", registry::PickRule::kAtLeast, input.size(0)}});
}

std::vector<CaseKey> input_keys() {
  std::vector<CaseKey> keys;
  for (std::int64_t h : {2048, 4096, 5120})
    for (std::int64_t m : token_counts_t14())
      keys.push_back(CaseKey({{"hidden_size", h}, {"group_size", 128}, {"num_tokens", m}}));
  return keys;
}

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t h = key_int(key, "hidden_size"), g = key_int(key, "group_size"), m = key_int(key, "num_tokens");
  const bool transposed = key.get_int("transposed").value_or(0) != 0;
  rms_quant::Inputs in = rms_quant::make_inputs(key, m, h, key_dtype(key), rng);
  ir::HostTensor scale = poisoned(DType::f32, {m, h / g});
  if (transposed) {  // [groups, M] storage viewed as [M, groups]
    scale = ir::HostTensor::strided(DType::f32, {m, h / g}, {1, m});
    scale.fill_bytes(0xFF);
  }
  return {poisoned(in.int8 ? DType::i8 : DType::f8e4m3fn, {m, h}),
          std::move(in.x),
          std::move(in.weight),
          std::move(scale),
          in.eps,
          std::move(in.scale_ub),
          in.with_residual ? registry::HostArg(std::move(in.residual)) : registry::HostArg(std::monostate{}),
          g,
          transposed};
}

}  // namespace

registry::KernelSpec rms_norm_per_block_quant_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "RMSNorm (optional fused residual add) then per-group dynamic fp8/int8 quantization (vLLM)";
  s.signature = rms_quant::signature();
  s.signature.push_back({"group_size", registry::ArgKind::kInt});
  s.signature.push_back({"is_scale_transposed", registry::ArgKind::kBool});
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  s.checks = rms_quant::checks();
  s.work = [](const registry::HostArgs& a) {  // and the scales
    registry::Work w = rms_quant::work(a);
    w.bytes += 4.0 * static_cast<double>(registry::host_tensor_arg(a, kInput).numel()) /
               static_cast<double>(registry::host_int_arg(a, kGroupSize));
    return w;
  };
  return s;
}

void rms_norm_per_block_quant(const runtime::TensorView& result, const runtime::TensorView& input,
                              const runtime::TensorView& weight, const runtime::TensorView& scale, double epsilon,
                              const runtime::TensorView* scale_ub, const runtime::TensorView* residual,
                              std::int64_t group_size, bool is_scale_transposed, runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  auto opt = [](const runtime::TensorView* v) { return v ? registry::ArgValue(*v) : registry::ArgValue(std::monostate{}); };
  const registry::ArgValue args[] = {result,        input,          weight,     scale,
                                     epsilon,       opt(scale_ub),  opt(residual), group_size,
                                     is_scale_transposed};
  k.call(args, stream);
}

}  // namespace tessera::ops
