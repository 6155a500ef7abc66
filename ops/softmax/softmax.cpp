// SPDX-License-Identifier: Apache-2.0
#include "ops/softmax/softmax.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/error.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "softmax";
enum Arg : std::size_t { kOut, kInput };

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView input = flatten_to_2d(kName, "input", registry::tensor_arg(args, kInput));
  const runtime::TensorView out = flatten_to_2d(kName, "out", registry::tensor_arg(args, kOut));
  expect_tensor(kName, "input", input, {DType::bf16, DType::f16, DType::f32}, 2);
  expect_inner_contiguous(kName, "input", input);
  expect_matrix(kName, "out", out, input.dtype(), input.size(0), input.size(1), "of the input's shape");
  bind_row_shape(b, input);
  b.tensors.push_back(input);
  b.tensors.push_back(out);
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto dtype = static_cast<DType>(b.variant[0]);
  return lang::define(kName, [&](Builder& k) {
    auto x = k.input("input", dtype, {"num_rows", "row_size"});
    auto n = k.specialize(x.dim(1));
    auto out = k.output("out", dtype, {x.dim(0), n});
    k.tile({x.dim(0)}, TileOptions{{"tile_m"}, {}}, [&](Tile tm) {
      auto v = x(tm, all()).to(DType::f32);
      auto e = exp(v - max(v, 1)[{all(), none()}]);  // subtract the row max: no overflow
      out(tm, all()) = (e / sum(e, 1)[{all(), none()}]).to(dtype);
    });
  });
}

void reference(registry::HostArgs& a) {
  const ir::HostTensor& x = registry::host_tensor_arg(a, kInput);
  ir::HostTensor& out = registry::host_tensor_arg(a, kOut);
  const std::int64_t n = x.shape.back(), m = x.numel() / std::max<std::int64_t>(n, 1);
  for_each_row(m, [&](std::int64_t i) {
    double mx = -HUGE_VAL, s = 0;
    for (std::int64_t j = 0; j < n; ++j) mx = std::max(mx, x.load(i * n + j));
    for (std::int64_t j = 0; j < n; ++j) s += std::exp(x.load(i * n + j) - mx);
    for (std::int64_t j = 0; j < n; ++j) out.store(i * n + j, std::exp(x.load(i * n + j) - mx) / s);
  });
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  return pick_rows(keys, registry::tensor_arg(args, kInput), "row_size", "num_rows");
}

std::vector<CaseKey> input_keys() { return row_keys("row_size", "num_rows", {1024, 4096, 8192}); }

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t n = key_int(key, "row_size"), m = key_int(key, "num_rows");
  const DType dtype = key_dtype(key);
  // Logits with spread 3: exp's argument reaches about -25, outputs span ~10 decades.
  return {poisoned(dtype, {m, n}), random_normal(dtype, {m, n}, rng, 0.0, 3.0)};
}

}  // namespace

registry::KernelSpec softmax_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "softmax over the last dimension (max-subtracted), f32 math, output in the input dtype";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true}, {"input", registry::ArgKind::kTensor}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  // exp (fast: 2 + 1.2|x| ulp), the f32 sum and the division keep values within ~1e-5
  // relative: bf16/f16 at most 1 ulp after rounding, f32 1e-4 relative.
  s.checks = {{.arg = kOut, .max_ulp = 1, .max_rel = 1e-4}};
  s.work = [](const registry::HostArgs& a) {
    const auto& x = registry::host_tensor_arg(a, kInput);
    return registry::Work{2.0 * static_cast<double>(x.numel()) * dtype_size(x.dtype), 5.0 * x.numel()};
  };
  return s;
}

void softmax(const runtime::TensorView& out, const runtime::TensorView& input, runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {out, input};
  k.call(args, stream);
}

}  // namespace tessera::ops
