// SPDX-License-Identifier: Apache-2.0
#include "ops/add/add.h"

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/error.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "add";
enum Arg : std::size_t { kOut, kX, kY };

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView x = flatten_to_2d(kName, "x", registry::tensor_arg(args, kX));
  const runtime::TensorView y = flatten_to_2d(kName, "y", registry::tensor_arg(args, kY));
  const runtime::TensorView out = flatten_to_2d(kName, "out", registry::tensor_arg(args, kOut));
  expect_tensor(kName, "x", x, {DType::bf16, DType::f16, DType::f32}, 2);
  expect_inner_contiguous(kName, "x", x);
  expect_matrix(kName, "y", y, x.dtype(), x.size(0), x.size(1), "of x's shape");
  expect_matrix(kName, "out", out, x.dtype(), x.size(0), x.size(1), "of x's shape");
  bind_row_shape(b, x);
  b.tensors.push_back(x);
  b.tensors.push_back(y);
  b.tensors.push_back(out);
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto dtype = static_cast<DType>(b.variant[0]);
  return lang::define(kName, [&](Builder& k) {
    auto x = k.input("x", dtype, {"num_tokens", "hidden_size"});
    auto y = k.input("y", dtype, {x.dim(0), x.dim(1)});
    auto out = k.output("out", dtype, {x.dim(0), x.dim(1)});
    k.tile({x.dim(0), x.dim(1)}, TileOptions{{"tile_m", "tile_n"}, {}}, [&](Tile tm, Tile tn) {
      out(tm, tn) = (x(tm, tn).to(DType::f32) + y(tm, tn).to(DType::f32)).to(dtype);
    });
  });
}

/// The sum rounded to f32 (the kernel's one rounding), then to the output dtype: bit-exact.
void reference(registry::HostArgs& a) {
  const ir::HostTensor& x = registry::host_tensor_arg(a, kX);
  const ir::HostTensor& y = registry::host_tensor_arg(a, kY);
  ir::HostTensor& out = registry::host_tensor_arg(a, kOut);
  for (std::int64_t i = 0; i < x.numel(); ++i) out.store(i, ir::round_to_dtype(x.load(i) + y.load(i), DType::f32));
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  return pick_rows(keys, registry::tensor_arg(args, kX), "hidden_size", "num_tokens");
}

std::vector<CaseKey> input_keys() { return row_keys("hidden_size", "num_tokens", {2048, 4096, 8192}); }

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t h = key_int(key, "hidden_size"), m = key_int(key, "num_tokens");
  const DType dtype = key_dtype(key);
  ir::HostTensor x = random_normal(dtype, {m, h}, rng);
  ir::HostTensor y = random_normal(dtype, {m, h}, rng);
  return {poisoned(dtype, {m, h}), std::move(x), std::move(y)};
}

}  // namespace

registry::KernelSpec add_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "elementwise x + y (f32 math, output in the inputs' dtype)";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true},
                 {"x", registry::ArgKind::kTensor},
                 {"y", registry::ArgKind::kTensor}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  s.checks = {{.arg = kOut, .max_ulp = 0}};  // bit-exact
  s.work = [](const registry::HostArgs& a) {
    const auto& x = registry::host_tensor_arg(a, kX);
    return registry::Work{3.0 * static_cast<double>(x.numel()) * dtype_size(x.dtype), 1.0 * x.numel()};
  };
  return s;
}

void add(const runtime::TensorView& out, const runtime::TensorView& x, const runtime::TensorView& y,
         runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {out, x, y};
  k.call(args, stream);
}

}  // namespace tessera::ops
