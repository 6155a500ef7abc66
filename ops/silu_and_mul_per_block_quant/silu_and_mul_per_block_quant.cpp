// SPDX-License-Identifier: Apache-2.0
#include "ops/silu_and_mul_per_block_quant/silu_and_mul_per_block_quant.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "silu_and_mul_per_block_quant";
enum Arg : std::size_t { kOut, kInput, kScales, kGroupSize, kScaleUb, kIsScaleTransposed };
/// Binding::variant entries.
enum Variant : std::size_t { kVDtype, kVGroupSize, kVInt8, kVUb };

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView& out = registry::tensor_arg(args, kOut);
  const runtime::TensorView& input = registry::tensor_arg(args, kInput);
  const runtime::TensorView& scales = registry::tensor_arg(args, kScales);
  const runtime::TensorView* ub = registry::optional_tensor_arg(args, kScaleUb);
  const std::int64_t g = registry::int_arg(args, kGroupSize);
  expect_tensor(kName, "input", input, {DType::bf16, DType::f16, DType::f32}, 2);
  expect(input.size(1) % 2 == 0, kName, "input", input, "of even size in its last dimension");
  const std::int64_t m = input.size(0), inter = input.size(1) / 2;
  expect_tensor(kName, "out", out, {DType::f8e4m3fn, DType::i8}, 2);
  expect(out.size(0) == m && out.size(1) == inter, kName, "out", out, "[num_tokens, input.size(-1) / 2]");
  TS_USER_CHECK((g == 64 || g == 128) && inter % g == 0)
      << "kernel '" << kName << "': group_size must be 64 or 128 (as vLLM asserts) and divide intermediate_size "
      << inter << ", got " << g;
  expect_tensor(kName, "scales", scales, {DType::f32}, 2);
  expect(scales.size(0) == m && scales.size(1) == inter / g, kName, "scales", scales,
         "[num_tokens, intermediate_size / group_size]");
  const bool int8 = out.dtype() == DType::i8;
  if (ub) expect(!int8, kName, "scale_ub", *ub, "None with an int8 output (vLLM: scale_ub needs an fp8 output)");
  expect_inner_contiguous(kName, "input", input);
  expect_inner_contiguous(kName, "out", out);
  b.variant.push_back(static_cast<std::int64_t>(input.dtype()));
  b.variant.push_back(g);  // Helion specializes group_size: the fixed block of the grid
  b.variant.push_back(int8);
  b.variant.push_back(ub != nullptr);
  b.pick_shape.push_back(m);
  b.pick_shape.push_back(inter);
  b.pick_shape.push_back(g);
  b.tensors.push_back(split_last_dim(input, g));
  if (ub) b.tensors.push_back(as_scalar_view(kName, "scale_ub", *ub));
  b.tensors.push_back(split_last_dim(out, g));
  b.tensors.push_back(scales);
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto dt = static_cast<DType>(b.variant[kVDtype]);
  const std::int64_t g = b.variant[kVGroupSize];
  const bool int8 = b.variant[kVInt8] != 0, has_ub = b.variant[kVUb] != 0;
  const DType out_dt = int8 ? DType::i8 : DType::f8e4m3fn;
  const QuantRange q = quant_range(int8);
  return lang::define(kName, [&](Builder& k) {
    auto x = k.input("input", dt, {"num_tokens", "two_groups_per_row", g});
    std::optional<TensorRef> ub;
    if (has_ub) ub = k.input("scale_ub", DType::f32, {1});
    auto gpr = k.specialize(x.dim(1)) / 2;
    auto out = k.output("out", out_dt, {x.dim(0), gpr, g});
    auto scales = k.output("scales", DType::f32, {x.dim(0), gpr});
    k.tile({x.dim(0), gpr, g}, TileOptions{{"tile_m", "tile_gn", "tile_n"}, {1, 0, g}},
           [&](Tile tm, Tile tgn, Tile tn) {
             auto a = x(tm, tgn, tn).to(DType::f32);
             auto bv = x(tm, tgn + gpr, tn).to(DType::f32);
             auto v = a * sigmoid(a) * bv;
             Value s = amax(v, -1);
             if (ub) s = minimum(s, ub->scalar(0));
             s = maximum(s * (1.0 / q.max), q.min_scale);
             scales(tm, tgn) = s;
             auto sb = s[{all(), all(), none()}];
             auto y = int8 ? round(v * (1.0 / sb)) : v / sb;
             out(tm, tgn, tn) = clamp(y, q.min, q.max).to(out_dt);
           });
  });
}

/// vLLM's kernel in float64 with its f32 roundings.
void reference(registry::HostArgs& a) {
  const ir::HostTensor& x = registry::host_tensor_arg(a, kInput);
  ir::HostTensor& out = registry::host_tensor_arg(a, kOut);
  ir::HostTensor& scales = registry::host_tensor_arg(a, kScales);
  const ir::HostTensor* ub = registry::optional_host_tensor_arg(a, kScaleUb);
  const std::int64_t g = registry::host_int_arg(a, kGroupSize);
  const bool int8 = out.dtype == DType::i8;
  const QuantRange q = quant_range(int8);
  auto f32 = [](double v) { return ir::round_to_dtype(v, DType::f32); };
  const std::int64_t m = out.shape[0], inter = out.shape[1];
  const double ub_value = ub ? ub->load(0) : 0;
  // Rows in parallel, elements by strides (no index vectors): 8192 x 25600 cases check in seconds.
  for_each_row(m, [&](std::int64_t i) {
    std::vector<double> act(static_cast<std::size_t>(g));
    const std::int64_t xr = i * x.strides[0], orow = i * out.strides[0];
    for (std::int64_t j0 = 0; j0 < inter; j0 += g) {
      double s = 0;
      for (std::int64_t j = 0; j < g; ++j) {
        const double av = x.load(xr + (j0 + j) * x.strides[1]), bv = x.load(xr + (inter + j0 + j) * x.strides[1]);
        act[j] = f32(f32(av * f32(1.0 / (1.0 + std::exp(-av)))) * bv);
        s = std::max(s, std::fabs(act[j]));
      }
      if (ub) s = std::min(s, ub_value);
      s = std::max(f32(s * f32(1.0 / q.max)), f32(q.min_scale));
      scales.store(i * scales.strides[0] + (j0 / g) * scales.strides[1], s);
      const double inv = f32(1.0 / s);
      for (std::int64_t j = 0; j < g; ++j) {
        const double y = int8 ? std::nearbyint(f32(act[j] * inv)) : f32(act[j] / s);
        out.store(orow + (j0 + j) * out.strides[1], std::clamp(y, q.min, q.max));
      }
    }
  });
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  const runtime::TensorView& out = registry::tensor_arg(args, kOut);  // vLLM reads out.shape
  return registry::pick_by_fields(keys,
                                  {{"intermediate_size", registry::PickRule::kClosest, out.size(1)},
                                   {"group_size", registry::PickRule::kClosest, registry::int_arg(args, kGroupSize)},
                                   {"num_tokens", registry::PickRule::kAtLeast, out.size(0)}});
}

std::vector<CaseKey> input_keys() {
  std::vector<CaseKey> keys;
  for (std::int64_t i : {6144, 12288, 25600})
    for (std::int64_t m : token_counts_t14())
      keys.push_back(CaseKey({{"intermediate_size", i}, {"group_size", 128}, {"num_tokens", m}}));
  return keys;
}

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t inter = key_int(key, "intermediate_size"), g = key_int(key, "group_size");
  const std::int64_t m = key_int(key, "num_tokens");
  const bool int8 = key.get_int("int8").value_or(0) != 0;
  const bool with_ub = !int8 && key.get_int("scale_ub").value_or(1) != 0;
  const bool transposed = key.get_int("transposed").value_or(0) != 0;
  ir::HostTensor x = random_normal(DType::bf16, {m, 2 * inter}, rng);
  registry::HostArg ub;
  if (with_ub) {
    // vLLM: scale_ub = 0.5 * (mean + max) of |silu(a) * b| in f32, so clamping is partly active.
    // Per-row sums in parallel, added in row order (the same value on any number of threads).
    std::vector<double> row_sum(static_cast<std::size_t>(m)), row_max(static_cast<std::size_t>(m));
    for_each_row(m, [&](std::int64_t i) {
      double rs = 0, rm = 0;
      for (std::int64_t j = 0; j < inter; ++j) {
        const double av = x.load(i * 2 * inter + j);
        const double v = std::fabs(av / (1.0 + std::exp(-av)) * x.load(i * 2 * inter + inter + j));
        rs += v, rm = std::max(rm, v);
      }
      row_sum[static_cast<std::size_t>(i)] = rs, row_max[static_cast<std::size_t>(i)] = rm;
    });
    double sum = 0, mx = 0;
    for (std::size_t i = 0; i < row_sum.size(); ++i) sum += row_sum[i], mx = std::max(mx, row_max[i]);
    ub = scalar_tensor(0.5 * (sum / static_cast<double>(std::max<std::int64_t>(m * inter, 1)) + mx));
  }
  ir::HostTensor scales = poisoned(DType::f32, {m, inter / g});
  if (transposed) {  // [groups, M] storage viewed as [M, groups]
    scales = ir::HostTensor::strided(DType::f32, {m, inter / g}, {1, m});
    scales.fill_bytes(0xFF);
  }
  return {poisoned(int8 ? DType::i8 : DType::f8e4m3fn, {m, inter}),
          std::move(x),
          std::move(scales),
          g,
          std::move(ub),
          transposed};
}

}  // namespace

registry::KernelSpec silu_and_mul_per_block_quant_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "SiLU-and-mul then per-group dynamic fp8/int8 quantization (vLLM)";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true},
                 {"input", registry::ArgKind::kTensor},
                 {"scales", registry::ArgKind::kTensor, false, true},
                 {"group_size", registry::ArgKind::kInt},
                 {"scale_ub", registry::ArgKind::kTensor, true},
                 {"is_scale_transposed", registry::ArgKind::kBool, true}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  s.checks = {{.arg = kOut, .max_ulp = 1}, {.arg = kScales, .max_ulp = -1, .max_rel = 1e-6}};
  s.work = [](const registry::HostArgs& a) {
    const auto& x = registry::host_tensor_arg(a, kInput);
    const double n = static_cast<double>(x.numel()) / 2;
    return registry::Work{n * (2 * dtype_size(x.dtype) + 1) + 4.0 * n / registry::host_int_arg(a, kGroupSize),
                          8.0 * n};
  };
  return s;
}

void silu_and_mul_per_block_quant(const runtime::TensorView& out, const runtime::TensorView& input,
                                  const runtime::TensorView& scales, std::int64_t group_size,
                                  const runtime::TensorView* scale_ub, bool is_scale_transposed,
                                  runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {out, input, scales, group_size,
                                     scale_ub ? registry::ArgValue(*scale_ub) : registry::ArgValue(std::monostate{}),
                                     is_scale_transposed};
  k.call(args, stream);
}

}  // namespace tessera::ops
