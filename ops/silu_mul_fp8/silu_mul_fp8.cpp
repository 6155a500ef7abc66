// SPDX-License-Identifier: Apache-2.0
#include "ops/silu_mul_fp8/silu_mul_fp8.h"

#include "examples/silu_mul_fp8.h"
#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "silu_mul_fp8";
enum Arg : std::size_t { kOut, kInput, kScale };

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView input = flatten_to_2d(kName, "input", registry::tensor_arg(args, kInput));
  const runtime::TensorView out = flatten_to_2d(kName, "out", registry::tensor_arg(args, kOut));
  expect_tensor(kName, "input", input, {DType::bf16, DType::f16, DType::f32}, 2);
  expect(input.size(1) % 2 == 0, kName, "input", input, "of even size in its last dimension");
  expect_tensor(kName, "out", out, {DType::f8e4m3fn}, 2);
  expect(out.size(0) == input.size(0) && out.size(1) == input.size(1) / 2, kName, "out", out,
         "[tokens, input.size(-1) / 2]");
  expect_inner_contiguous(kName, "input", input);
  expect_inner_contiguous(kName, "out", out);
  b.variant.push_back(static_cast<std::int64_t>(input.dtype()));
  b.pick_shape.push_back(input.size(0));
  b.pick_shape.push_back(input.size(1) / 2);
  b.tensors.push_back(input);
  b.tensors.push_back(as_scalar_view(kName, "scale", registry::tensor_arg(args, kScale)));
  b.tensors.push_back(out);
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  const runtime::TensorView& input = registry::tensor_arg(args, kInput);
  const std::int64_t two_d = input.size(input.rank() - 1);
  return registry::pick_by_fields(keys, {{"intermediate", registry::PickRule::kClosest, two_d / 2},
                                         {"numtokens", registry::PickRule::kAtLeast, input.numel() / two_d}});
}

std::vector<CaseKey> input_keys() {
  std::vector<std::int64_t> tokens{1, 2, 4};
  for (std::int64_t m = 8; m < 256; m += 8) tokens.push_back(m);
  for (std::int64_t m = 256; m < 513; m += 16) tokens.push_back(m);
  std::vector<CaseKey> keys;
  for (std::int64_t m : tokens)
    for (std::int64_t d : {2048, 2880, 4096, 8192, 11008, 14336})
      keys.push_back(CaseKey({{"intermediate", d}, {"numtokens", m}}));
  return keys;
}

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t d = key_int(key, "intermediate"), m = key_int(key, "numtokens");
  return {poisoned(DType::f8e4m3fn, {m, d}), random_normal(DType::bf16, {m, 2 * d}, rng), scalar_tensor(1.0)};
}

}  // namespace

registry::KernelSpec silu_mul_fp8_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "fp8(silu(x[:, :d]) * x[:, d:] / scale), vLLM's SiLU-and-mul with static fp8 quantization";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true},
                 {"input", registry::ArgKind::kTensor},
                 {"scale", registry::ArgKind::kTensor}};
  s.bind = bind;
  s.define = [](const registry::Binding& b) { return examples::silu_mul_fp8_kernel(static_cast<DType>(b.variant[0])); };
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = [](registry::HostArgs& a) {
    examples::silu_mul_fp8_reference(registry::host_tensor_arg(a, kInput), registry::host_tensor_arg(a, kScale),
                                     registry::host_tensor_arg(a, kOut));
  };
  s.checks = {{.arg = kOut, .max_ulp = 1}};
  s.work = [](const registry::HostArgs& a) {
    const auto& x = registry::host_tensor_arg(a, kInput);
    return registry::Work{static_cast<double>(x.numel()) * (dtype_size(x.dtype) + 0.5), 5.0 * x.numel() / 2};
  };
  return s;
}

void silu_mul_fp8(const runtime::TensorView& out, const runtime::TensorView& input, const runtime::TensorView& scale,
                  runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {out, input, scale};
  k.call(args, stream);
}

}  // namespace tessera::ops
