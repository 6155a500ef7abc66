// SPDX-License-Identifier: Apache-2.0
#include "ops/common/rms_quant.h"

#include <cmath>

#include "ops/common/op_util.h"

namespace tessera::ops::rms_quant {

std::vector<registry::ArgSpec> signature() {
  return {{"result", registry::ArgKind::kTensor, false, true},
          {"input", registry::ArgKind::kTensor},
          {"weight", registry::ArgKind::kTensor},
          {"scale", registry::ArgKind::kTensor, false, true},
          {"epsilon", registry::ArgKind::kFloat},
          {"scale_ub", registry::ArgKind::kTensor, true},
          {"residual", registry::ArgKind::kTensor, true, true}};
}

Call check_args(std::string_view kernel, registry::KernelArgs args) {
  Call c;
  c.result = &registry::tensor_arg(args, kResult);
  c.input = &registry::tensor_arg(args, kInput);
  c.weight = &registry::tensor_arg(args, kWeight);
  c.scale = &registry::tensor_arg(args, kScale);
  c.scale_ub = registry::optional_tensor_arg(args, kScaleUb);
  c.residual = registry::optional_tensor_arg(args, kResidual);
  const runtime::TensorView &input = *c.input, &result = *c.result, &weight = *c.weight;
  expect_tensor(kernel, "input", input, {DType::bf16, DType::f16, DType::f32}, 2);
  c.m = input.size(0), c.h = input.size(1);
  expect_tensor(kernel, "result", result, {DType::f8e4m3fn, DType::i8}, 2);
  expect(result.size(0) == c.m && result.size(1) == c.h, kernel, "result", result, "of the input's shape");
  expect(weight.dtype() == input.dtype() && weight.rank() == 1 && weight.size(0) == c.h, kernel, "weight", weight,
         "a 1-d tensor of the input's dtype and hidden size");
  expect_tensor(kernel, "scale", *c.scale, {DType::f32}, 2);
  c.int8 = result.dtype() == DType::i8;
  if (c.scale_ub)
    expect(!c.int8, kernel, "scale_ub", *c.scale_ub, "None with an int8 result (vLLM: scale_ub needs an fp8 result)");
  if (c.residual) {
    const runtime::TensorView& r = *c.residual;
    expect(r.dtype() == input.dtype() && r.rank() == 2 && r.size(0) == c.m && r.size(1) == c.h, kernel, "residual", r,
           "None or a tensor of the input's dtype and shape");
    expect_inner_contiguous(kernel, "residual", r);
  }
  expect_inner_contiguous(kernel, "input", input);
  expect_inner_contiguous(kernel, "result", result);
  expect(weight.size(0) <= 1 || weight.stride(0) == 1, kernel, "weight", weight, "contiguous");
  return c;
}

std::vector<registry::OutputCheck> checks() {
  // scale = max |bf16(bf16(x * r) * w)| / 448: the kernel's r differs from the reference's by a
  // few f32 ULPs (the f32 sum of squares in another order; rsqrt within its 2-ULP bound, ir/ops.h),
  // which may round x * r to the neighbouring input-dtype value. That step (<= eps relative)
  // moves the product with w by < 2 steps of its own rounding, so the scale may differ by up to
  // 2 eps of the input dtype (rel_ulps); f32 inputs have no such rounding (1e-6).
  return {{.arg = kResult, .max_ulp = 1},
          {.arg = kScale, .max_ulp = -1, .max_rel = 1e-6, .rel_ulps = 2, .precision_of = kInput},
          {.arg = kResidual, .max_ulp = 0}};
}

registry::Work work(const registry::HostArgs& a) {
  const auto& x = registry::host_tensor_arg(a, kInput);
  const double n = static_cast<double>(x.numel()), in = dtype_size(x.dtype);
  const bool res = std::holds_alternative<ir::HostTensor>(a[kResidual]);
  return registry::Work{n * (in + 1 + (res ? 2 * in : 0)), 8.0 * n};
}

Inputs make_inputs(const CaseKey& key, std::int64_t m, std::int64_t h, DType dtype, std::mt19937_64& rng) {
  Inputs in;
  in.int8 = key.get_int("int8").value_or(0) != 0;
  in.with_residual = key.get_int("residual").value_or(1) != 0;
  const bool with_ub = !in.int8 && key.get_int("scale_ub").value_or(1) != 0;
  in.x = random_normal(dtype, {m, h}, rng);
  in.residual = random_normal(dtype, {m, h}, rng);
  in.weight = random_normal(dtype, {h}, rng, 1.0, 1.0);
  if (with_ub)
    in.scale_ub = scalar_tensor(rms_quant_scale_ub(in.x, in.with_residual ? &in.residual : nullptr, in.weight, in.eps));
  return in;
}

void normalized_row(registry::HostArgs& a, std::int64_t i, std::vector<double>& xn) {
  const ir::HostTensor& x = registry::host_tensor_arg(a, kInput);
  const ir::HostTensor& w = registry::host_tensor_arg(a, kWeight);
  ir::HostTensor* res = std::holds_alternative<ir::HostTensor>(a[kResidual]) ? &std::get<ir::HostTensor>(a[kResidual])
                                                                            : nullptr;
  const double eps = registry::host_float_arg(a, kEpsilon);
  auto f32 = [](double v) { return ir::round_to_dtype(v, DType::f32); };
  auto in_dt = [&](double v) { return ir::round_to_dtype(f32(v), x.dtype); };
  auto at = [](const ir::HostTensor& t, std::int64_t r, std::int64_t j) { return t.strides[0] * r + t.strides[1] * j; };
  const std::int64_t h = x.shape[1];
  xn.resize(static_cast<std::size_t>(h));
  double ss = 0;
  for (std::int64_t j = 0; j < h; ++j) {
    double v = x.load(at(x, i, j));
    if (res) {
      v = f32(v + res->load(at(*res, i, j)));
      res->store(at(*res, i, j), v);  // rounded to the residual's dtype by the store
    }
    xn[j] = v;
    ss += v * v;
  }
  const double ms = f32(f32(ss) * f32(1.0 / static_cast<double>(h)));
  const double r = f32(1.0 / std::sqrt(f32(ms + f32(eps))));
  for (std::int64_t j = 0; j < h; ++j) xn[j] = in_dt(in_dt(xn[j] * r) * w.load(j * w.strides[0]));
}

}  // namespace tessera::ops::rms_quant
