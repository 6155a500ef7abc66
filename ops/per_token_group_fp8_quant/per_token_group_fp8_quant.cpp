// SPDX-License-Identifier: Apache-2.0
#include "ops/per_token_group_fp8_quant/per_token_group_fp8_quant.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "per_token_group_fp8_quant";
enum Arg : std::size_t {
  kInput, kOutputQ, kOutputS, kGroupSize, kEps, kFp8MinArg, kFp8MaxArg, kScaleUe8m0, kDummyTransposed, kDummyTmaAligned
};
/// Binding::variant entries.
enum Variant : std::size_t { kVInDtype, kVOutDtype, kVGroupSize, kVUe8m0 };

bool is_power_of_two(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView& input = registry::tensor_arg(args, kInput);
  const runtime::TensorView& q = registry::tensor_arg(args, kOutputQ);
  const runtime::TensorView& s = registry::tensor_arg(args, kOutputS);
  const std::int64_t g = registry::int_arg(args, kGroupSize);
  expect_tensor(kName, "input", input, {DType::bf16, DType::f16, DType::f32}, 2);
  const std::int64_t m = input.size(0), h = input.size(1);
  TS_USER_CHECK(is_power_of_two(g) && h % g == 0)
      << "kernel '" << kName << "': group_size must be a power of two that divides hidden_size " << h << ", got "
      << g;
  expect_tensor(kName, "output_q", q, {DType::f8e4m3fn, DType::f8e5m2}, 2);
  expect(q.size(0) == m && q.size(1) == h, kName, "output_q", q, "of the input's shape");
  expect_tensor(kName, "output_s", s, {DType::f32}, 2);
  expect(s.size(0) == m && s.size(1) == h / g, kName, "output_s", s, "[num_tokens, hidden_size / group_size]");
  expect_inner_contiguous(kName, "input", input);
  expect_inner_contiguous(kName, "output_q", q);
  b.variant.push_back(static_cast<std::int64_t>(input.dtype()));
  b.variant.push_back(static_cast<std::int64_t>(q.dtype()));
  b.variant.push_back(g);  // Helion specializes group_size: it is the fixed block of the grid
  b.variant.push_back(registry::bool_arg(args, kScaleUe8m0));
  b.pick_shape.push_back(m);
  b.pick_shape.push_back(h);
  b.pick_shape.push_back(g);
  b.tensors.push_back(split_last_dim(input, g));
  b.tensors.push_back(split_last_dim(q, g));
  b.tensors.push_back(s);
  b.scalars.push_back(registry::float_arg(args, kEps));
  b.scalars.push_back(registry::float_arg(args, kFp8MinArg));
  b.scalars.push_back(registry::float_arg(args, kFp8MaxArg));
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto in = static_cast<DType>(b.variant[kVInDtype]);
  const auto out = static_cast<DType>(b.variant[kVOutDtype]);
  const std::int64_t g = b.variant[kVGroupSize];
  const bool ue8m0 = b.variant[kVUe8m0] != 0;
  return lang::define(kName, [&](Builder& k) {
    auto x = k.input("input", in, {"num_tokens", "groups_per_row", g});
    auto gpr = k.specialize(x.dim(1));
    auto q = k.output("output_q", out, {x.dim(0), gpr, g});
    auto s_out = k.output("output_s", DType::f32, {x.dim(0), gpr});
    auto eps = k.scalar_arg("eps", DType::f32);
    auto fp8_min = k.scalar_arg("fp8_min", DType::f32);
    auto fp8_max = k.scalar_arg("fp8_max", DType::f32);
    // vLLM's kernel computes in the input dtype: each operation in f32, rounded back to it.
    auto rnd = [&](const Value& v) { return v.to(in).to(DType::f32); };
    k.tile({x.dim(0), gpr, g}, TileOptions{{"tile_m", "tile_gn", "tile_n"}, {1, 0, g}},
           [&](Tile tm, Tile tgn, Tile tn) {
             Value xv = x(tm, tgn, tn);
             auto xf = xv.to(DType::f32);
             Value s = rnd(maximum(amax(xf, -1), eps));  // amax is exact in any dtype
             s = rnd(s / fp8_max);
             if (ue8m0) s = rnd(exp2(ceil(rnd(log2(s)))));
             s_out(tm, tgn) = s;
             auto y = rnd(xf / s[{all(), all(), none()}]);
             q(tm, tgn, tn) = rnd(minimum(maximum(y, fp8_min), fp8_max)).to(out);
           });
  });
}

/// vLLM's kernel in float64 with its roundings: f32 operations rounded to the input dtype.
void reference(registry::HostArgs& a) {
  const ir::HostTensor& x = registry::host_tensor_arg(a, kInput);
  ir::HostTensor& q = registry::host_tensor_arg(a, kOutputQ);
  ir::HostTensor& s_out = registry::host_tensor_arg(a, kOutputS);
  const std::int64_t g = registry::host_int_arg(a, kGroupSize);
  auto f32 = [](double v) { return ir::round_to_dtype(v, DType::f32); };
  auto rnd = [&](double v) { return ir::round_to_dtype(f32(v), x.dtype); };
  const double eps = f32(registry::host_float_arg(a, kEps));
  const double lo = f32(registry::host_float_arg(a, kFp8MinArg)), hi = f32(registry::host_float_arg(a, kFp8MaxArg));
  const bool ue8m0 = registry::host_bool_arg(a, kScaleUe8m0);
  for_each_row(x.shape[0], [&](std::int64_t i) {  // rows in parallel, elements by strides
    auto xi = [&](std::int64_t j) { return x.load(i * x.strides[0] + j * x.strides[1]); };
    for (std::int64_t j0 = 0; j0 < x.shape[1]; j0 += g) {
      double amax = 0;
      for (std::int64_t j = j0; j < j0 + g; ++j) amax = std::max(amax, std::fabs(xi(j)));
      double s = rnd(std::max(amax, eps));
      s = rnd(s / hi);
      if (ue8m0) s = rnd(std::exp2(std::ceil(rnd(std::log2(s)))));
      s_out.store(i * s_out.strides[0] + (j0 / g) * s_out.strides[1], s);
      for (std::int64_t j = j0; j < j0 + g; ++j)
        q.store(i * q.strides[0] + j * q.strides[1], rnd(std::min(std::max(rnd(xi(j) / s), lo), hi)));
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
  const bool ue8m0 = key.get_int("scale_ue8m0").value_or(0) != 0;
  const bool column_major = key.get_int("column_major").value_or(0) != 0;
  ir::HostTensor s = poisoned(DType::f32, {m, h / g});
  if (column_major) {
    // vLLM's TMA-aligned column-major scales: [groups, round_up(M, 4)] storage, viewed transposed.
    s = ir::HostTensor::strided(DType::f32, {m, h / g}, {1, (m + 3) / 4 * 4});
    s.fill_bytes(0xFF);
  }
  return {random_normal(key_dtype(key), {m, h}, rng),
          poisoned(DType::f8e4m3fn, {m, h}),
          std::move(s),
          g,
          1e-10,
          -kFp8Max,
          kFp8Max,
          ue8m0,
          column_major,
          false};
}

}  // namespace

registry::KernelSpec per_token_group_fp8_quant_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "per-token-group dynamic fp8 quantization, optional exponent-only (ue8m0) scales (vLLM)";
  s.signature = {{"input", registry::ArgKind::kTensor},
                 {"output_q", registry::ArgKind::kTensor, false, true},
                 {"output_s", registry::ArgKind::kTensor, false, true},
                 {"group_size", registry::ArgKind::kInt},
                 {"eps", registry::ArgKind::kFloat},
                 {"fp8_min", registry::ArgKind::kFloat},
                 {"fp8_max", registry::ArgKind::kFloat},
                 {"scale_ue8m0", registry::ArgKind::kBool},
                 {"dummy_is_scale_transposed", registry::ArgKind::kBool, true},
                 {"dummy_is_tma_aligned", registry::ArgKind::kBool, true}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  s.checks = {{.arg = kOutputQ, .max_ulp = 1}, {.arg = kOutputS, .max_ulp = -1, .max_rel = 1e-6}};
  s.work = [](const registry::HostArgs& a) {
    const auto& x = registry::host_tensor_arg(a, kInput);
    const double n = static_cast<double>(x.numel());
    return registry::Work{n * (dtype_size(x.dtype) + 1) + 4.0 * n / registry::host_int_arg(a, kGroupSize), 4.0 * n};
  };
  return s;
}

void per_token_group_fp8_quant(const runtime::TensorView& input, const runtime::TensorView& output_q,
                               const runtime::TensorView& output_s, std::int64_t group_size, double eps,
                               double fp8_min, double fp8_max, bool scale_ue8m0, bool dummy_is_scale_transposed,
                               bool dummy_is_tma_aligned, runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {input,   output_q, output_s,    group_size,
                                     eps,     fp8_min,  fp8_max,     scale_ue8m0,
                                     dummy_is_scale_transposed, dummy_is_tma_aligned};
  k.call(args, stream);
}

}  // namespace tessera::ops
