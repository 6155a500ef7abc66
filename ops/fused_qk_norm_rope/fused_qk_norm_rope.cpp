// SPDX-License-Identifier: Apache-2.0
#include "ops/fused_qk_norm_rope/fused_qk_norm_rope.h"

#include <algorithm>
#include <cmath>

#include "ops/common/op_util.h"
#include "ops/ops.h"
#include "tessera/lang/lang.h"
#include "tessera/registry/picker.h"

namespace tessera::ops {
namespace {

constexpr const char* kName = "fused_qk_norm_rope";
enum Arg : std::size_t {
  kQkv, kHeadsQ, kHeadsK, kHeadsV, kHeadDim, kEps, kQWeight, kKWeight, kCache, kIsNeox, kPositions, kForced
};
/// Binding::variant entries (Helion specializes every head count and dimension).
enum Variant : std::size_t { kVDtype, kVCacheDtype, kVNeox, kVHeadsQ, kVHeadsK, kVHeadDim, kVRotaryDim };

/// A view of `v`'s memory starting `offset` elements in, with `shape` and `strides`.
runtime::TensorView sub_view(const runtime::TensorView& v, std::int64_t offset, std::vector<std::int64_t> shape,
                             std::vector<std::int64_t> strides) {
  return runtime::TensorView(static_cast<char*>(v.data()) + offset * dtype_size(v.dtype()), v.dtype(), shape,
                             strides, v.device());
}

/// The rotary pairs of a head (or weight) laid out as [.., 2, rd/2] (neox: halves) or
/// [.., rd/2, 2] (gptj: interleaved), the shape/strides suffix for a head that starts at 0.
std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>> pair_dims(bool neox, std::int64_t rd) {
  if (neox) return {{2, rd / 2}, {rd / 2, 1}};
  return {{rd / 2, 2}, {2, 1}};
}

void bind(registry::KernelArgs args, registry::Binding& b) {
  const runtime::TensorView& qkv = registry::tensor_arg(args, kQkv);
  const std::int64_t hq = registry::int_arg(args, kHeadsQ), hk = registry::int_arg(args, kHeadsK);
  const std::int64_t hv = registry::int_arg(args, kHeadsV), d = registry::int_arg(args, kHeadDim);
  const runtime::TensorView& qw = registry::tensor_arg(args, kQWeight);
  const runtime::TensorView& kw = registry::tensor_arg(args, kKWeight);
  const runtime::TensorView& cache = registry::tensor_arg(args, kCache);
  const runtime::TensorView& pos = registry::tensor_arg(args, kPositions);
  const bool neox = registry::bool_arg(args, kIsNeox);
  TS_USER_CHECK(hq >= 1 && hk >= 0 && hv >= 0 && d >= 2)
      << "kernel '" << kName << "': num_heads_q (" << hq << ") must be >= 1, num_heads_k (" << hk
      << ") and num_heads_v (" << hv << ") >= 0, head_dim (" << d << ") >= 2";
  expect_tensor(kName, "qkv", qkv, {DType::bf16, DType::f16, DType::f32}, 2);
  expect(qkv.size(1) == (hq + hk + hv) * d, kName, "qkv", qkv,
         "[num_tokens, (num_heads_q + num_heads_k + num_heads_v) * head_dim] = [M, " +
             std::to_string((hq + hk + hv) * d) + "]");
  expect_inner_contiguous(kName, "qkv", qkv);
  const std::int64_t m = qkv.size(0);
  for (auto [name, w] : {std::pair{"q_weight", &qw}, std::pair{"k_weight", &kw}}) {
    expect(w->dtype() == qkv.dtype() && w->rank() == 1 && w->size(0) == d && (d <= 1 || w->stride(0) == 1), kName,
           name, *w, "a contiguous [head_dim] tensor of qkv's dtype");
  }
  expect(cache.rank() == 2 && (cache.dtype() == qkv.dtype() || cache.dtype() == DType::f32), kName, "cos_sin_cache",
         cache, "[max_position, rotary_dim] of qkv's dtype or f32");
  const std::int64_t rd = cache.size(1);
  expect(rd >= 2 && rd % 2 == 0 && rd <= d, kName, "cos_sin_cache", cache,
         "[max_position, rotary_dim] with rotary_dim even, >= 2 and <= head_dim (" + std::to_string(d) + ")");
  expect_inner_contiguous(kName, "cos_sin_cache", cache);
  expect_tensor(kName, "position_ids", pos, {DType::i64}, 1);
  expect_dim(kName, "position_ids", pos, 0, m);
  b.variant.push_back(static_cast<std::int64_t>(qkv.dtype()));
  b.variant.push_back(static_cast<std::int64_t>(cache.dtype()));
  b.variant.push_back(neox);
  b.variant.push_back(hq);
  b.variant.push_back(hk);
  b.variant.push_back(d);
  b.variant.push_back(rd);
  b.pick_shape.push_back(m);
  b.pick_shape.push_back(hq);
  b.pick_shape.push_back(hk);
  // Inputs: position_ids, q/k weight pairs, cos/sin halves, [q/k weight tails]; outputs: qkv's
  // rotary pairs of the q and k heads, [their tails]. V is never touched.
  const auto [ps, pst] = pair_dims(neox, rd);
  b.tensors.push_back(pos);
  b.tensors.push_back(sub_view(qw, 0, ps, pst));
  b.tensors.push_back(sub_view(kw, 0, ps, pst));
  b.tensors.push_back(sub_view(cache, 0, {cache.size(0), 2, rd / 2}, {cache.stride(0), rd / 2, 1}));
  if (rd < d) {
    b.tensors.push_back(sub_view(qw, rd, {d - rd}, {1}));
    b.tensors.push_back(sub_view(kw, rd, {d - rd}, {1}));
  }
  b.tensors.push_back(sub_view(qkv, 0, {m, hq + hk, ps[0], ps[1]}, {qkv.stride(0), d, pst[0], pst[1]}));
  if (rd < d) b.tensors.push_back(sub_view(qkv, rd, {m, hq + hk, d - rd}, {qkv.stride(0), d, 1}));
  b.scalars.push_back(registry::float_arg(args, kEps));
}

ir::Kernel define(const registry::Binding& b) {
  using namespace lang;
  const auto dt = static_cast<DType>(b.variant[kVDtype]), cdt = static_cast<DType>(b.variant[kVCacheDtype]);
  const bool neox = b.variant[kVNeox] != 0;
  const std::int64_t hq = b.variant[kVHeadsQ], hqk = hq + b.variant[kVHeadsK];
  const std::int64_t d = b.variant[kVHeadDim], rd = b.variant[kVRotaryDim];
  const bool partial = rd < d;
  // RoPE arithmetic: qkv's dtype when the cache has it, else f32 (torch's promotion).
  const DType ct = cdt == dt ? dt : DType::f32;
  const std::vector<std::int64_t> ps = pair_dims(neox, rd).first;
  return lang::define(kName, [&](Builder& k) {
    auto pos_ids = k.input("position_ids", DType::i64, {"num_tokens"});
    auto qw = k.input("q_weight", dt, {ps[0], ps[1]});
    auto kw = k.input("k_weight", dt, {ps[0], ps[1]});
    auto cache = k.input("cos_sin_cache", cdt, {"max_position", 2, rd / 2});
    std::optional<TensorRef> qwt, kwt, tail;
    if (partial) qwt = k.input("q_weight_tail", dt, {d - rd}), kwt = k.input("k_weight_tail", dt, {d - rd});
    auto m = pos_ids.dim(0);
    auto rot = k.output("qkv", dt, {m, hqk, ps[0], ps[1]});  // read, then written back in place
    if (partial) tail = k.output("qkv_tail", dt, {m, hqk, d - rd});
    auto eps = k.scalar_arg("eps", DType::f32);
    k.tile({m, hqk, d}, TileOptions{{"tile_m", "tile_gn", "tile_n"}, {1, 0, d}}, [&](Tile tm, Tile tgn, Tile) {
      // The two members of each rotary pair: neox halves (i, i + rd/2), gptj neighbours (2i, 2i + 1).
      auto half = [&](const TensorRef& t, int which) { return neox ? t(tm, tgn, which, all()) : t(tm, tgn, all(), which); };
      auto whalf = [&](const TensorRef& w, int which) { return neox ? w(which, all()) : w(all(), which); };
      Value x1 = half(rot, 0).to(DType::f32), x2 = half(rot, 1).to(DType::f32);
      Value ss = sum(x1 * x1, -1) + sum(x2 * x2, -1);
      std::optional<Value> xt;
      if (partial) {
        xt = (*tail)(tm, tgn, all()).to(DType::f32);
        ss = ss + sum(*xt * *xt, -1);
      }
      auto r = rsqrt(ss * (1.0 / static_cast<double>(d)) + eps)[{all(), all(), none()}];
      auto is_q = (tgn.index() < static_cast<double>(hq))[{all(), none()}];  // q_weight for q heads
      Value w1 = where(is_q, whalf(qw, 0), whalf(kw, 0)), w2 = where(is_q, whalf(qw, 1), whalf(kw, 1));
      Value x1n = ((x1 * r).to(dt) * w1).to(ct), x2n = ((x2 * r).to(dt) * w2).to(ct);
      Value pos = pos_ids(tm);
      auto cos_b = cache(gather(pos), 0, all()).to(ct)[{all(), none(), all()}];  // cache[pos, :rd/2]
      auto sin_b = cache(gather(pos), 1, all()).to(ct)[{all(), none(), all()}];  // cache[pos, rd/2:]
      half(rot, 0) = (x1n * cos_b - x2n * sin_b).to(dt);
      half(rot, 1) = (x2n * cos_b + x1n * sin_b).to(dt);
      if (partial) (*tail)(tm, tgn, all()) = (*xt * r).to(dt) * where(is_q, (*qwt)(all()), (*kwt)(all()));
    });
  });
}

/// vLLM's baseline in float64 with the kernel's f32 and qkv-dtype roundings.
void reference(registry::HostArgs& a) {
  ir::HostTensor& qkv = registry::host_tensor_arg(a, kQkv);
  const std::int64_t hq = registry::host_int_arg(a, kHeadsQ), hk = registry::host_int_arg(a, kHeadsK);
  const std::int64_t d = registry::host_int_arg(a, kHeadDim);
  const double eps = registry::host_float_arg(a, kEps);
  const ir::HostTensor& qw = registry::host_tensor_arg(a, kQWeight);
  const ir::HostTensor& kw = registry::host_tensor_arg(a, kKWeight);
  const ir::HostTensor& cache = registry::host_tensor_arg(a, kCache);
  const ir::HostTensor& pos = registry::host_tensor_arg(a, kPositions);
  const bool neox = registry::host_bool_arg(a, kIsNeox);
  const DType dt = qkv.dtype, ct = cache.dtype == dt ? dt : DType::f32;
  const std::int64_t rd = cache.shape[1], half = rd / 2;
  auto f32 = [](double v) { return ir::round_to_dtype(v, DType::f32); };
  auto to_dt = [&](double v) { return ir::round_to_dtype(f32(v), dt); };
  auto to_ct = [&](double v) { return ir::round_to_dtype(f32(v), ct); };
  auto q_at = [&](std::int64_t i, std::int64_t j) { return i * qkv.strides[0] + j * qkv.strides[1]; };
  for_each_row(qkv.shape[0], [&](std::int64_t i) {  // tokens are independent
    std::vector<double> xn(static_cast<std::size_t>(d));
    const auto p = static_cast<std::int64_t>(pos.load(i * pos.strides[0]));
    auto cache_at = [&](std::int64_t j) { return cache.load(p * cache.strides[0] + j * cache.strides[1]); };
    for (std::int64_t g = 0; g < hq + hk; ++g) {
      const ir::HostTensor& w = g < hq ? qw : kw;
      double ss = 0;
      for (std::int64_t j = 0; j < d; ++j) ss += std::pow(qkv.load(q_at(i, g * d + j)), 2);
      const double r = f32(1.0 / std::sqrt(f32(f32(f32(ss) * f32(1.0 / static_cast<double>(d))) + f32(eps))));
      for (std::int64_t j = 0; j < d; ++j) xn[j] = to_dt(to_dt(qkv.load(q_at(i, g * d + j)) * r) * w.load(j * w.strides[0]));
      for (std::int64_t j = 0; j < half; ++j) {
        const std::int64_t i1 = neox ? j : 2 * j, i2 = neox ? j + half : 2 * j + 1;
        const double c = cache_at(j), s = cache_at(half + j), x1 = xn[i1], x2 = xn[i2];
        xn[i1] = to_ct(to_ct(x1 * c) - to_ct(x2 * s));
        xn[i2] = to_ct(to_ct(x2 * c) + to_ct(x1 * s));
      }
      for (std::int64_t j = 0; j < d; ++j) qkv.store(q_at(i, g * d + j), xn[j]);  // rounded to dt
    }
  });
}

std::optional<CaseKey> pick(registry::KernelArgs args, std::span<const CaseKey> keys) {
  return registry::pick_by_fields(keys, {{"q_heads", registry::PickRule::kClosest, registry::int_arg(args, kHeadsQ)},
                                         {"kv_heads", registry::PickRule::kClosest, registry::int_arg(args, kHeadsK)},
                                         {"num_tokens", registry::PickRule::kAtLeast,
                                          registry::tensor_arg(args, kQkv).size(0)}});
}

std::vector<CaseKey> input_keys() {
  std::vector<CaseKey> keys;
  for (std::int64_t m : token_counts_t14())
    for (auto [q, kv] : {std::pair<std::int64_t, std::int64_t>{16, 8}, {32, 8}, {64, 8}})
      keys.push_back(CaseKey({{"q_heads", q}, {"kv_heads", kv}, {"num_tokens", m}}));
  return keys;
}

/// vLLM's `_compute_cos_sin_cache` (f32: inv_freq = 1 / 10000^(2i / rd), freqs = t · inv_freq,
/// [cos | sin]) rounded to `dtype`.
ir::HostTensor cos_sin_cache(std::int64_t max_position, std::int64_t rd, DType dtype) {
  ir::HostTensor c = ir::HostTensor::zeros(dtype, {max_position, rd});
  auto f32 = [](double v) { return ir::round_to_dtype(v, DType::f32); };
  for (std::int64_t j = 0; j < rd / 2; ++j) {
    const double inv_freq = f32(1.0 / f32(std::pow(10000.0, f32(f32(2.0 * j) / f32(rd)))));
    for (std::int64_t t = 0; t < max_position; ++t) {
      const double f = f32(static_cast<double>(t) * inv_freq);
      c.store(c.offset({t, j}), f32(std::cos(f)));
      c.store(c.offset({t, rd / 2 + j}), f32(std::sin(f)));
    }
  }
  return c;
}

registry::HostArgs make_inputs(const CaseKey& key, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t hq = key_int(key, "q_heads"), hkv = key_int(key, "kv_heads"), m = key_int(key, "num_tokens");
  const std::int64_t d = key.get_int("head_dim").value_or(128), rd = key.get_int("rotary_dim").value_or(d);
  const bool neox = key.get_int("is_neox").value_or(1) != 0;
  const std::int64_t max_position = 40960;
  ir::HostTensor qkv = random_uniform(DType::bf16, {m, (hq + 2 * hkv) * d}, rng, -0.1, 0.1);
  ir::HostTensor pos = ir::HostTensor::zeros(DType::i64, {m});
  std::uniform_int_distribution<std::int64_t> any_position(0, max_position - 1);
  const bool random_positions = key.get_int("random_positions").value_or(0) != 0;
  for (std::int64_t i = 0; i < m; ++i) pos.store(i, static_cast<double>(random_positions ? any_position(rng) : i));
  ir::HostTensor qw = random_uniform(DType::bf16, {d}, rng, 0.8, 1.2);
  ir::HostTensor kw = random_uniform(DType::bf16, {d}, rng, 0.8, 1.2);
  return {std::move(qkv), hq, hkv, hkv, d, 1e-6, std::move(qw), std::move(kw),
          cos_sin_cache(max_position, rd, DType::bf16), neox, std::move(pos), std::monostate{}};
}

}  // namespace

registry::KernelSpec fused_qk_norm_rope_spec() {
  registry::KernelSpec s;
  s.name = kName;
  s.summary = "per-head RMSNorm of q and k, then rotary embedding (neox or gptj) in place on qkv (vLLM)";
  s.signature = {{"qkv", registry::ArgKind::kTensor, false, true},
                 {"num_heads_q", registry::ArgKind::kInt},
                 {"num_heads_k", registry::ArgKind::kInt},
                 {"num_heads_v", registry::ArgKind::kInt},
                 {"head_dim", registry::ArgKind::kInt},
                 {"eps", registry::ArgKind::kFloat},
                 {"q_weight", registry::ArgKind::kTensor},
                 {"k_weight", registry::ArgKind::kTensor},
                 {"cos_sin_cache", registry::ArgKind::kTensor},
                 {"is_neox", registry::ArgKind::kBool},
                 {"position_ids", registry::ArgKind::kTensor},
                 {"forced_token_heads_per_warp", registry::ArgKind::kInt, true}};
  s.bind = bind;
  s.define = define;
  s.picker = pick;
  s.inputs = {input_keys, make_inputs};
  s.reference = reference;
  // The kernel rounds where vLLM's baseline does (x·r and ·w to qkv's dtype, then each RoPE
  // product and sum in the cache's dtype). Its r differs from the reference's by a few f32 ULPs
  // (sum of squares in another order; rsqrt within 2 ULP), which may round x·r to the
  // neighbouring value: x1n = bf16(bf16(x1·r)·w) moves by <= 2 eps |x1n|, t = bf16(x1n·cos) by
  // <= 3 eps |x1n|, o = bf16(t1 - t2) by that plus one step of o. With |x1n| <= sqrt(2) times the
  // head's largest output (RoPE keeps each pair's norm) that is <= (3 sqrt(2) + 1) eps ~ 5.3 eps
  // of the head's largest |qkv|: a floor of 6 eps of the qkv dtype per head (groups of head_dim,
  // one token row holds q, k and v heads of unrelated sizes, and v must come back
  // untouched), which also covers results that cancel to near 0. Elsewhere 2 ULP.
  s.checks = {{.arg = kQkv, .max_ulp = 2, .floor_ulps = 6, .precision_of = kQkv, .floor_group_of = kHeadDim}};
  s.work = [](const registry::HostArgs& a) {
    const auto& qkv = registry::host_tensor_arg(a, kQkv);
    const double qk = static_cast<double>(qkv.shape[0]) *
                      static_cast<double>(registry::host_int_arg(a, kHeadsQ) + registry::host_int_arg(a, kHeadsK)) *
                      static_cast<double>(registry::host_int_arg(a, kHeadDim));
    return registry::Work{qk * 2 * dtype_size(qkv.dtype), 12.0 * qk};
  };
  return s;
}

void fused_qk_norm_rope(const runtime::TensorView& qkv, std::int64_t num_heads_q, std::int64_t num_heads_k,
                        std::int64_t num_heads_v, std::int64_t head_dim, double eps, const runtime::TensorView& q_weight,
                        const runtime::TensorView& k_weight, const runtime::TensorView& cos_sin_cache, bool is_neox,
                        const runtime::TensorView& position_ids, std::int64_t forced_token_heads_per_warp,
                        runtime::Stream* stream) {
  static const registry::RegisteredKernel& k = op_kernel(kName);
  const registry::ArgValue args[] = {qkv,      num_heads_q,   num_heads_k, num_heads_v,  head_dim,
                                     eps,      q_weight,      k_weight,    cos_sin_cache, is_neox,
                                     position_ids, forced_token_heads_per_warp};
  k.call(args, stream);
}

}  // namespace tessera::ops
