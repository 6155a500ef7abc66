// SPDX-License-Identifier: Apache-2.0
#include "ops/matmul/matmul.h"

#include <algorithm>
#include <thread>

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/error.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "matmul";
enum Arg : std::size_t { kOut, kA, kB };

void bind(registry::KernelArgs args, registry::Binding& bd) {
  const runtime::TensorView& a = registry::tensor_arg(args, kA);
  const runtime::TensorView& b = registry::tensor_arg(args, kB);
  const runtime::TensorView& out = registry::tensor_arg(args, kOut);
  expect_tensor(kName, "a", a, {DType::bf16, DType::f16}, 2);
  expect_inner_contiguous(kName, "a", a);
  expect_tensor(kName, "b", b, {a.dtype()}, 2);
  expect_dim(kName, "b", b, 0, a.size(1));
  expect_inner_contiguous(kName, "b", b);
  expect_matrix(kName, "out", out, a.dtype(), a.size(0), b.size(1), "[a.size(0), b.size(1)]");
  bd.variant.push_back(static_cast<std::int64_t>(a.dtype()));
  bd.pick_shape.push_back(a.size(0));
  bd.pick_shape.push_back(b.size(1));
  bd.pick_shape.push_back(a.size(1));
  bd.tensors.push_back(a);
  bd.tensors.push_back(b);
  bd.tensors.push_back(out);
}

ir::Kernel define(const registry::Binding& bd) {
  using namespace lang;
  const auto dtype = static_cast<DType>(bd.variant[0]);
  return lang::define(kName, [&](Builder& k) {
    auto a = k.input("a", dtype, {"m", "k"});
    auto b = k.input("b", dtype, {a.dim(1), "n"});
    auto out = k.output("out", dtype, {a.dim(0), b.dim(1)});
    // k and n are the weight's dimensions (a model has a few): compile-time constants, so every
    // tensor's strides are too, which the tensor-core path needs (16-byte aligned rows for the
    // cp.async pipeline; with run-time strides the printer falls back to one stage of masked
    // 2-byte copies, 10x slower on an H100) and whole K and N tiles copy without bounds checks.
    // m is the token count: it stays a run-time value (one compile for every batch size).
    auto kd = k.specialize(a.dim(1));
    auto nd = k.specialize(b.dim(1));
    k.tile({a.dim(0), nd}, TileOptions{{"tile_m", "tile_n"}, {}}, [&](Tile tm, Tile tn) {
      auto acc = k.local(zeros({tm, tn}, DType::f32), "acc");
      k.tile({kd}, TileOptions{{"tile_k"}, {}}, [&](Tile tk) {
        // Loads named in order (C++ leaves the order of a call's arguments open): the config's
        // per-access lists (indexing, load_eviction_policies) then mean a, b, out everywhere.
        Value a_tile = a(tm, tk);
        Value b_tile = b(tk, tn);
        acc = dot(a_tile, b_tile, acc);
      });
      out(tm, tn) = acc.to(dtype);
    });
  });
}

/// float64 dot products (rows split over the host's threads: the device check runs vLLM-size
/// cases), each rounded once to the output dtype.
void reference(registry::HostArgs& args) {
  const ir::HostTensor& a = registry::host_tensor_arg(args, kA);
  const ir::HostTensor& b = registry::host_tensor_arg(args, kB);
  ir::HostTensor& out = registry::host_tensor_arg(args, kOut);
  const std::int64_t m = a.shape[0], kd = a.shape[1], n = b.shape[1];
  std::vector<double> bd(static_cast<std::size_t>(kd * n));
  for (std::int64_t p = 0; p < kd; ++p)
    for (std::int64_t j = 0; j < n; ++j) bd[p * n + j] = b.at({p, j});
  auto rows = [&](std::int64_t begin, std::int64_t end) {
    std::vector<double> arow(kd), acc(n);
    for (std::int64_t i = begin; i < end; ++i) {
      for (std::int64_t p = 0; p < kd; ++p) arow[p] = a.at({i, p});
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::int64_t p = 0; p < kd; ++p)
        for (std::int64_t j = 0; j < n; ++j) acc[j] += arow[p] * bd[p * n + j];
      for (std::int64_t j = 0; j < n; ++j) out.store(out.offset({i, j}), acc[j]);
    }
  };
  const std::int64_t threads = std::clamp<std::int64_t>(std::thread::hardware_concurrency(), 1, std::max<std::int64_t>(m, 1));
  std::vector<std::thread> pool;
  for (std::int64_t t = 0; t < threads; ++t) pool.emplace_back(rows, m * t / threads, m * (t + 1) / threads);
  for (std::thread& t : pool) t.join();
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  const runtime::TensorView& a = registry::tensor_arg(args, kA);
  const runtime::TensorView& b = registry::tensor_arg(args, kB);
  return registry::pick_by_fields(keys, {{"n", registry::PickRule::kClosest, b.size(1)},
                                         {"k", registry::PickRule::kClosest, a.size(1)},
                                         {"m", registry::PickRule::kAtLeast, a.size(0)}});
}

std::vector<CaseKey> input_keys() {
  std::vector<CaseKey> keys;
  for (std::int64_t m : {1, 16, 128, 1024}) keys.push_back(CaseKey({{"k", 4096}, {"m", m}, {"n", 4096}}));
  return keys;
}

/// Multiples of 1/8 in [-2, 2]: exact in bf16 and f16, and every partial sum of products is a
/// multiple of 1/64 below 4·K in magnitude, exact in f32 for K <= 65536 — so the result does
/// not depend on the accumulation order and the check is bit-exact after the output rounding.
ir::HostTensor eighths(DType dtype, std::vector<std::int64_t> shape, std::mt19937_64& rng) {
  ir::HostTensor t = poisoned(dtype, std::move(shape));
  std::uniform_int_distribution<int> q(-16, 16);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.store(i, q(rng) / 8.0);
  return t;
}

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t m = key_int(key, "m"), n = key_int(key, "n"), kd = key_int(key, "k");
  const KeyScalar* dt = key.find("dtype");
  const std::string* name = dt ? std::get_if<std::string>(dt) : nullptr;
  const std::optional<DType> dtype = name ? parse_dtype(*name) : std::optional<DType>(DType::bf16);
  TS_USER_CHECK(dtype == DType::bf16 || dtype == DType::f16)
      << "case key " << key.canonical() << ": 'dtype' must be bf16 or f16";
  ir::HostTensor a = eighths(*dtype, {m, kd}, rng);
  ir::HostTensor b = eighths(*dtype, {kd, n}, rng);
  return {poisoned(*dtype, {m, n}), std::move(a), std::move(b)};
}

}  // namespace

registry::KernelSpec matmul_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "out = a @ b for bf16/f16 (f32 accumulation, output in the inputs' dtype)";
  s.signature = {{"out", registry::ArgKind::kTensor, false, true},
                 {"a", registry::ArgKind::kTensor},
                 {"b", registry::ArgKind::kTensor}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  s.checks = {{.arg = kOut, .max_ulp = 0}};  // bit-exact on the generator's inputs (see eighths)
  s.work = [](const registry::HostArgs& args) {
    const auto& a = registry::host_tensor_arg(args, kA);
    const auto& b = registry::host_tensor_arg(args, kB);
    const double m = a.shape[0], kd = a.shape[1], n = b.shape[1];
    return registry::Work{(m * kd + kd * n + m * n) * dtype_size(a.dtype), 2.0 * m * n * kd};
  };
  return s;
}

void matmul(const runtime::TensorView& out, const runtime::TensorView& a, const runtime::TensorView& b,
            runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {out, a, b};
  k.call(args, stream);
}

}  // namespace tessera::ops
