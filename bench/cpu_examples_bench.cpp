// SPDX-License-Identifier: Apache-2.0
// CPU benchmarks of the example kernels (issue 4): each example through lang::Kernel on the
// `cpu` device (generated C++, oneTBB grid) at a size that exceeds the caches, beside a
// hand-written oneTBB loop doing the same work with the same conversions and the same fast-mode
// exp/silu (cpu/codegen_prelude.h), and a plain parallel memory copy moving the same number of
// bytes. Each kernel lists the CPU default config (`Config()`: ConfigSpace's CPU defaults, large
// tiles with the grid's last dimension fastest) first, then GPU-style tiles and one full-row
// config: on the CPU consecutive programs should walk memory linearly, as the oneTBB loop's rows
// do. The light autotune keeps the fastest. Counters: GB/s (bytes read + written per second)
// or GFLOP/s for matmul. bench/RESULTS_CPU.md records runs.
//
//   build-*/bin/cpu_examples_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "cpu_bench_util.h"
#include "cpu/codegen_prelude.h"
#include "examples/examples.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/registry.h"

namespace tessera::bench {
namespace {

using namespace tessera::numeric;
namespace pre = ts_cpu;

runtime::Device& cpu() {
  static runtime::Device d = [] {
    tessera::init();
    return tessera::open_device("cpu");
  }();
  return d;
}

/// A host buffer on the cpu device filled with random values of `dtype` in [lo, hi).
struct Buf {
  runtime::Buffer mem;
  runtime::TensorView view;
  template <typename T> T* as() const { return static_cast<T*>(mem.data()); }
};

Buf make(DType dtype, std::vector<std::int64_t> shape, double lo = -2, double hi = 2, unsigned seed = 1) {
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  Buf b{cpu().allocate(std::size_t(n) * dtype_size(dtype)), {}};
  b.view = runtime::TensorView(b.mem.data(), dtype, shape, runtime::DeviceId::cpu());
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(static_cast<float>(lo), static_cast<float>(hi));
  auto* bytes = static_cast<unsigned char*>(b.mem.data());
  for (std::int64_t i = 0; i < n; ++i) {
    const float v = dist(rng);
    switch (dtype) {
      case DType::f32: std::memcpy(bytes + 4 * i, &v, 4); break;
      case DType::bf16: { const std::uint16_t h = bf16_from_float(v); std::memcpy(bytes + 2 * i, &h, 2); break; }
      case DType::f16: { const std::uint16_t h = pre::f16_from_float_fast(v); std::memcpy(bytes + 2 * i, &h, 2); break; }
      default: std::memset(bytes + dtype_size(dtype) * i, 0, dtype_size(dtype)); break;
    }
  }
  return b;
}

template <typename Body>
void rows_parallel(std::int64_t rows, Body&& body) {
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, rows, 8), [&](const tbb::blocked_range<std::int64_t>& r) {
    for (std::int64_t i = r.begin(); i < r.end(); ++i) body(i);
  });
}

/// Reductions of f(j) over j in [0, n), n a multiple of 16, in 16 partials: the blocked form
/// g++ vectorizes (`acc[j % 16] += ...` and std::max stayed scalar), so the oneTBB loops are a
/// fair hand-written baseline.
template <typename F>
float sum16(std::int64_t n, F&& f) {
  float acc[16] = {};
  for (std::int64_t j = 0; j < n; j += 16)
    for (int l = 0; l < 16; ++l) acc[l] += f(j + l);
  float s = 0;
  for (float a : acc) s += a;
  return s;
}
template <typename F>
float max16(std::int64_t n, float init, F&& f) {
  float acc[16];
  for (float& a : acc) a = init;
  for (std::int64_t j = 0; j < n; j += 16)
    for (int l = 0; l < 16; ++l) {
      const float v = f(j + l);
      acc[l] = v > acc[l] ? v : acc[l];
    }
  float m = init;
  for (float a : acc) m = a > m ? a : m;
  return m;
}

/// The example's kernel with the given configs (several: the light autotune picks on the first
/// call, which the benchmark's warm-up absorbs).
std::unique_ptr<lang::Kernel> kernel(ir::Kernel def, std::vector<Config> configs) {
  return std::make_unique<lang::Kernel>(std::move(def), std::move(configs));
}
/// Times calls of `k`; the first call (compile, light autotune) happens before the timed loop.
/// The label names the config the light autotune kept ("{}" = the CPU default).
void time_calls(benchmark::State& state, const lang::Kernel& k, std::initializer_list<lang::Arg> args) {
  k(args);
  for (auto _ : state) k(args);
  if (auto c = k.bind(args)->config()) state.SetLabel(c->to_json().dump());
}

// ---- copy: the bandwidth ceiling ------------------------------------------------------------

void BM_copy(benchmark::State& state) {
  const std::size_t bytes = std::size_t(state.range(0)) / 2;  // read + write = range(0)
  Buf src = make(DType::u8, {std::int64_t(bytes)}), dst = make(DType::u8, {std::int64_t(bytes)});
  std::memset(src.mem.data(), 1, bytes);
  for (auto _ : state) {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, bytes, std::size_t(1) << 20),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        std::memcpy(dst.as<char>() + r.begin(), src.as<char>() + r.begin(), r.size());
                      });
    benchmark::DoNotOptimize(dst.mem.data());
  }
  set_bytes(state, double(state.range(0)));
}
BENCHMARK(BM_copy)->Arg(3 * kRows * kCols * 4)->Arg(2 * kRows * kCols * 4)->Arg(2 * kRows * kCols * 2)
    ->Arg(kRows * kCols * 3)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- add: out = x + y (f32) -----------------------------------------------------------------

void BM_add_tessera(benchmark::State& state) {
  Buf x = make(DType::f32, {kRows, kCols}), y = make(DType::f32, {kRows, kCols}, -2, 2, 2),
      out = make(DType::f32, {kRows, kCols});
  auto k = kernel(examples::add_kernel(DType::f32),
                  {Config(), cfg(R"({"block_sizes":[8,1024]})"), cfg(R"({"block_sizes":[32,256]})"), cfg(R"({"block_sizes":[64,64]})"),
                   cfg(R"({"block_sizes":[2,4096]})")});  // full rows: the oneTBB loop's shape
  time_calls(state, *k, {x.view, y.view, out.view});
  set_bytes(state, 3.0 * kRows * kCols * 4);
}
void BM_add_tbb(benchmark::State& state) {
  Buf x = make(DType::f32, {kRows, kCols}), y = make(DType::f32, {kRows, kCols}, -2, 2, 2),
      out = make(DType::f32, {kRows, kCols});
  const float *px = x.as<float>(), *py = y.as<float>();
  float* po = out.as<float>();
  for (auto _ : state)
    rows_parallel(kRows, [&](std::int64_t i) {
      for (std::int64_t j = 0; j < kCols; ++j) po[i * kCols + j] = px[i * kCols + j] + py[i * kCols + j];
    });
  set_bytes(state, 3.0 * kRows * kCols * 4);
}
BENCHMARK(BM_add_tessera)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_add_tbb)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- silu_mul_fp8: out[m, d] = e4m3(bf16(silu(a)·b) / scale), x bf16 [m, 2d] ------------------

void BM_silu_mul_fp8_tessera(benchmark::State& state) {
  Buf x = make(DType::bf16, {kRows, kCols}), scale = make(DType::f32, {1}, 0.5, 1.5),
      out = make(DType::f8e4m3fn, {kRows, kCols / 2});
  auto k = kernel(examples::silu_mul_fp8_kernel(DType::bf16),
                  {Config(), cfg(R"({"block_sizes":[4,1024]})"), cfg(R"({"block_sizes":[16,256]})"), cfg(R"({"block_sizes":[64,64]})"),
                   cfg(R"({"block_sizes":[2,2048]})")});  // full rows: the oneTBB loop's shape
  time_calls(state, *k, {x.view, scale.view, out.view});
  set_bytes(state, kSiluBytes);
}
void BM_silu_mul_fp8_tbb(benchmark::State& state) {
  Buf x = make(DType::bf16, {kRows, kCols}), scale = make(DType::f32, {1}, 0.5, 1.5),
      out = make(DType::f8e4m3fn, {kRows, kCols / 2});
  const std::uint16_t* px = x.as<std::uint16_t>();
  std::uint8_t* po = out.as<std::uint8_t>();
  const std::int64_t d = kCols / 2;
  for (auto _ : state) {
    const float inv = 1.0f / *scale.as<float>();
    rows_parallel(kRows, [&](std::int64_t i) {
      // Locals: a store through std::uint8_t* may alias what the lambda reads by reference.
      const std::uint16_t* row = px + i * kCols;
      std::uint8_t* o = po + i * d;
      const float s = inv;
      for (std::int64_t j = 0; j < d; ++j) {
        const float a = bf16_to_float(row[j]), b = bf16_to_float(row[j + d]);
        const float prod = pre::round_bf16(pre::round_bf16(pre::silu_fast(a)) * b);  // Tessera's fast math
        o[j] = pre::f8e4m3fn_from_float_fast(prod * s);
      }
    });
  }
  set_bytes(state, kSiluBytes);
}
BENCHMARK(BM_silu_mul_fp8_tessera)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_silu_mul_fp8_tbb)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- row kernels (bf16 rms_norm / layer_norm, f32 softmax) ----------------------------------

const std::vector<Config>& row_configs() {
  static const std::vector<Config> c = {Config(), cfg(R"({"block_sizes":[1]})"), cfg(R"({"block_sizes":[2]})"),
                                        cfg(R"({"block_sizes":[4],"reduction_loops":[1024]})")};
  return c;
}

void BM_rms_norm_tessera(benchmark::State& state) {
  Buf x = make(DType::bf16, {kRows, kCols}), w = make(DType::bf16, {kCols}), out = make(DType::bf16, {kRows, kCols});
  auto k = kernel(examples::rms_norm_kernel(DType::bf16), row_configs());
  time_calls(state, *k, {x.view, w.view, out.view, 1e-6});
  set_bytes(state, 2.0 * kRows * kCols * 2);
}
void BM_rms_norm_tbb(benchmark::State& state) {
  Buf x = make(DType::bf16, {kRows, kCols}), w = make(DType::bf16, {kCols}), out = make(DType::bf16, {kRows, kCols});
  const std::uint16_t *px = x.as<std::uint16_t>(), *pw = w.as<std::uint16_t>();
  std::uint16_t* po = out.as<std::uint16_t>();
  for (auto _ : state)
    rows_parallel(kRows, [&](std::int64_t i) {
      const std::uint16_t* row = px + i * kCols;
      const float ss = sum16(kCols, [&](std::int64_t j) {
        const float v = bf16_to_float(row[j]);
        return v * v;
      });
      const float inv = 1.0f / std::sqrt(ss / float(kCols) + 1e-6f);
      for (std::int64_t j = 0; j < kCols; ++j)
        po[i * kCols + j] = bf16_from_float(bf16_to_float(row[j]) * inv * bf16_to_float(pw[j]));
    });
  set_bytes(state, 2.0 * kRows * kCols * 2);
}
BENCHMARK(BM_rms_norm_tessera)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_rms_norm_tbb)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_softmax_tessera(benchmark::State& state) {
  Buf x = make(DType::f32, {kRows, kCols}), out = make(DType::f32, {kRows, kCols});
  auto k = kernel(examples::softmax_kernel(DType::f32), row_configs());
  time_calls(state, *k, {x.view, out.view});
  set_bytes(state, 2.0 * kRows * kCols * 4);
}
void BM_softmax_tbb(benchmark::State& state) {
  Buf x = make(DType::f32, {kRows, kCols}), out = make(DType::f32, {kRows, kCols});
  const float* px = x.as<float>();
  float* po = out.as<float>();
  for (auto _ : state)
    rows_parallel(kRows, [&](std::int64_t i) {
      const float* row = px + i * kCols;
      float* o = po + i * kCols;
      const float mx = max16(kCols, -INFINITY, [&](std::int64_t j) { return row[j]; });
      for (std::int64_t j = 0; j < kCols; ++j) o[j] = pre::exp_fast(row[j] - mx);  // Tessera's fast exp
      const float s = sum16(kCols, [&](std::int64_t j) { return o[j]; });
      const float inv = 1.0f / s;
      for (std::int64_t j = 0; j < kCols; ++j) o[j] *= inv;
    });
  set_bytes(state, 2.0 * kRows * kCols * 4);
}
BENCHMARK(BM_softmax_tessera)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_softmax_tbb)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_layer_norm_tessera(benchmark::State& state) {
  Buf x = make(DType::bf16, {kRows, kCols}), w = make(DType::bf16, {kCols}), b = make(DType::bf16, {kCols}),
      out = make(DType::bf16, {kRows, kCols});
  auto k = kernel(examples::layer_norm_kernel(DType::bf16), row_configs());
  time_calls(state, *k, {x.view, w.view, b.view, out.view, 1e-5});
  set_bytes(state, 2.0 * kRows * kCols * 2);
}
void BM_layer_norm_tbb(benchmark::State& state) {
  Buf x = make(DType::bf16, {kRows, kCols}), w = make(DType::bf16, {kCols}), b = make(DType::bf16, {kCols}),
      out = make(DType::bf16, {kRows, kCols});
  const std::uint16_t *px = x.as<std::uint16_t>(), *pw = w.as<std::uint16_t>(), *pb = b.as<std::uint16_t>();
  std::uint16_t* po = out.as<std::uint16_t>();
  for (auto _ : state)
    rows_parallel(kRows, [&](std::int64_t i) {
      const std::uint16_t* row = px + i * kCols;
      const float mean = sum16(kCols, [&](std::int64_t j) { return bf16_to_float(row[j]); }) / float(kCols);
      const float v = sum16(kCols, [&](std::int64_t j) {
        const float c = bf16_to_float(row[j]) - mean;
        return c * c;
      });
      const float inv = 1.0f / std::sqrt(v / float(kCols) + 1e-5f);
      for (std::int64_t j = 0; j < kCols; ++j)
        po[i * kCols + j] =
            bf16_from_float((bf16_to_float(row[j]) - mean) * inv * bf16_to_float(pw[j]) + bf16_to_float(pb[j]));
    });
  set_bytes(state, 2.0 * kRows * kCols * 2);
}
BENCHMARK(BM_layer_norm_tessera)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_layer_norm_tbb)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- dynamic per-token fp8 quant: bf16 [m, n] -> e4m3 [m, n] + f32 scale [m, 1] -----------------

void BM_quant_tessera(benchmark::State& state) {
  Buf x = make(DType::bf16, {kRows, kCols}), result = make(DType::f8e4m3fn, {kRows, kCols}),
      scale = make(DType::f32, {kRows, 1});
  auto k = kernel(examples::dynamic_per_token_fp8_quant_kernel(DType::bf16),
                  {Config(), cfg(R"({"block_sizes":[1024,1024]})"), cfg(R"({"block_sizes":[256,256]})"),
                   cfg(R"({"block_sizes":[4096,4096]})")});
  time_calls(state, *k, {x.view, result.view, scale.view});
  set_bytes(state, kQuantBytes);
}
void BM_quant_tbb(benchmark::State& state) {
  Buf x = make(DType::bf16, {kRows, kCols}), result = make(DType::f8e4m3fn, {kRows, kCols}),
      scale = make(DType::f32, {kRows, 1});
  const std::uint16_t* px = x.as<std::uint16_t>();
  std::uint8_t* pr = result.as<std::uint8_t>();
  float* ps = scale.as<float>();
  for (auto _ : state)
    rows_parallel(kRows, [&](std::int64_t i) {
      const std::uint16_t* row = px + i * kCols;
      std::uint8_t* o = pr + i * kCols;  // a local: a uint8_t store may alias the lambda's references
      const float amax = max16(kCols, 0.0f, [&](std::int64_t j) { return std::fabs(bf16_to_float(row[j])); });
      const float s = std::max(amax * (1.0f / 448.0f), 1.0f / (448.0f * 512.0f));
      ps[i] = s;
      const float inv = 1.0f / s;
      for (std::int64_t j = 0; j < kCols; ++j)
        o[j] = pre::f8e4m3fn_from_float_fast(std::clamp(bf16_to_float(row[j]) * inv, -448.0f, 448.0f));
    });
  set_bytes(state, kQuantBytes);
}
BENCHMARK(BM_quant_tessera)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_quant_tbb)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- matmul: bf16 [M, K] x [K, N] -> bf16, f32 accumulation ----------------------------------

void BM_matmul_tessera(benchmark::State& state) {
  Buf a = make(DType::bf16, {kMatmul, kMatmul}), b = make(DType::bf16, {kMatmul, kMatmul}, -2, 2, 2),
      out = make(DType::bf16, {kMatmul, kMatmul});
  auto k = kernel(examples::matmul_kernel(DType::bf16),
                  {Config(), cfg(R"({"block_sizes":[32,64,32]})"), cfg(R"({"block_sizes":[16,128,64]})"),
                   cfg(R"({"block_sizes":[64,64,64]})")});
  time_calls(state, *k, {a.view, b.view, out.view});
  set_flops(state);
}
void BM_matmul_tbb(benchmark::State& state) {
  Buf a = make(DType::bf16, {kMatmul, kMatmul}), b = make(DType::bf16, {kMatmul, kMatmul}, -2, 2, 2),
      out = make(DType::bf16, {kMatmul, kMatmul});
  // b converted to f32 once per call (part of the work), then i-k-j rows in parallel.
  std::vector<float> bf(std::size_t(kMatmul * kMatmul));
  const std::uint16_t *pa = a.as<std::uint16_t>(), *pb = b.as<std::uint16_t>();
  std::uint16_t* po = out.as<std::uint16_t>();
  const std::int64_t n = kMatmul;
  for (auto _ : state) {
    rows_parallel(n, [&](std::int64_t i) {
      for (std::int64_t j = 0; j < n; ++j) bf[i * n + j] = bf16_to_float(pb[i * n + j]);
    });
    rows_parallel(n, [&](std::int64_t i) {
      float acc[kMatmul] = {};
      for (std::int64_t kk = 0; kk < n; ++kk) {
        const float av = bf16_to_float(pa[i * n + kk]);
        const float* brow = bf.data() + kk * n;
        for (std::int64_t j = 0; j < n; ++j) acc[j] += av * brow[j];
      }
      for (std::int64_t j = 0; j < n; ++j) po[i * n + j] = bf16_from_float(acc[j]);
    });
  }
  set_flops(state);
}
BENCHMARK(BM_matmul_tessera)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_matmul_tbb)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera::bench

BENCHMARK_MAIN();
