// SPDX-License-Identifier: Apache-2.0
// The CPU example kernels written with Kokkos (issue 4's Kokkos column), beside the same Tessera
// kernels called on the same Kokkos-owned memory through runtime/kokkos_view.h. Debian's Kokkos
// 3.4 has the Serial backend only (no OpenMP/Threads), so the Kokkos loops run on one thread;
// each Tessera kernel is timed twice: on one thread (oneTBB capped by tbb::global_control, the
// like-for-like ratio) and on every core. The `x_kokkos` counter of a Tessera row is the Kokkos
// time of the same kernel measured earlier in the same run divided by the Tessera time (> 1:
// Tessera faster). The Kokkos bodies are cpu_examples_bench.cpp's oneTBB loop bodies, with the
// same conversions and fast-mode exp/silu (cpu/codegen_prelude.h), on row pointers taken from the
// Views (View::operator() inside the inner loops kept g++ from vectorizing softmax: 4x slower).
// Sizes as there: 4096 x 4096 (32-64 MiB per tensor), matmul 1024^3.
//
//   build-*/bin/cpu_kokkos_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <oneapi/tbb/global_control.h>

#include <Kokkos_Core.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cpu_bench_util.h"
#include "cpu/codegen_prelude.h"
#include "examples/examples.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/kokkos_view.h"
#include "tessera/runtime/registry.h"

namespace tessera::bench {
namespace {

using namespace tessera::numeric;
namespace pre = ts_cpu;
using Exec = Kokkos::DefaultHostExecutionSpace;  // Kokkos::Serial with Debian's build
using F32 = Kokkos::View<float**, Kokkos::LayoutRight, Kokkos::HostSpace>;
using U16 = Kokkos::View<std::uint16_t**, Kokkos::LayoutRight, Kokkos::HostSpace>;  // bf16 bits
using U8 = Kokkos::View<std::uint8_t**, Kokkos::LayoutRight, Kokkos::HostSpace>;    // e4m3 bits
using Vec16 = Kokkos::View<std::uint16_t*, Kokkos::HostSpace>;

Kokkos::RangePolicy<Exec> rows(std::int64_t n) { return Kokkos::RangePolicy<Exec>(0, n); }

/// Random f32 / bf16 contents in [lo, hi).
void fill(const F32& v, unsigned seed, float lo = -2, float hi = 2) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (std::size_t i = 0; i < v.extent(0); ++i)
    for (std::size_t j = 0; j < v.extent(1); ++j) v(i, j) = d(rng);
}
template <typename V>
void fill_bf16(const V& v, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2, 2);
  std::uint16_t* p = v.data();
  for (std::size_t i = 0; i < v.span(); ++i) p[i] = bf16_from_float(d(rng));
}

/// Seconds per call of each kernel's Kokkos loop, recorded by its Kokkos row (registered, and
/// so run, before the Tessera rows of the same kernel).
std::map<std::string, double>& kokkos_seconds() {
  static std::map<std::string, double> m;
  return m;
}

/// Times `body` per iteration and records the mean as `name`'s Kokkos time.
template <typename Body>
void time_kokkos(benchmark::State& state, const std::string& name, Body&& body) {
  body();  // warm-up: first touch of the outputs
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    body();
    Kokkos::fence();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  kokkos_seconds()[name] = s / double(state.iterations());
}

/// Times a Tessera kernel on the views in `args` on one thread (range(0) == 1) or every core,
/// and reports x_kokkos against `name`'s Kokkos time.
void time_tessera(benchmark::State& state, const std::string& name, ir::Kernel def, std::vector<const char*> configs,
                  std::initializer_list<lang::Arg> args) {
  std::unique_ptr<tbb::global_control> cap;
  if (state.range(0) == 1) cap = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, 1);
  tessera::init();
  std::vector<Config> cs;
  for (const char* c : configs) cs.push_back(cfg(c));
  lang::Kernel k(std::move(def), std::move(cs));
  runtime::Device cpu = tessera::open_device("cpu");
  k(args);  // compile + light autotune
  cpu.synchronize();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    k(args);
    cpu.synchronize();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (const auto it = kokkos_seconds().find(name); it != kokkos_seconds().end())
    state.counters["x_kokkos"] = it->second / (s / double(state.iterations()));
}

// Tessera rows: Arg(1) = one thread (the like-for-like ratio), Arg(0) = every core.
#define TS_TESSERA_ROWS(fn) BENCHMARK(fn)->Arg(1)->Arg(0)->UseRealTime()->Unit(benchmark::kMillisecond)
#define TS_KOKKOS_ROW(fn) BENCHMARK(fn)->UseRealTime()->Unit(benchmark::kMillisecond)

// ---- add: out = x + y (f32) -----------------------------------------------------------------

struct AddData {
  F32 x{"x", kRows, kCols}, y{"y", kRows, kCols}, out{"out", kRows, kCols};
  AddData() { fill(x, 1), fill(y, 2); }
};
void BM_add_kokkos(benchmark::State& state) {
  AddData d;
  time_kokkos(state, "add", [&] {
    Kokkos::parallel_for("add", rows(kRows), [=](std::int64_t i) {
      const float *x = &d.x(i, 0), *y = &d.y(i, 0);
      float* o = &d.out(i, 0);
      for (std::int64_t j = 0; j < kCols; ++j) o[j] = x[j] + y[j];
    });
  });
  set_bytes(state, 3.0 * kRows * kCols * 4);
}
void BM_add_tessera(benchmark::State& state) {
  AddData d;
  time_tessera(state, "add", examples::add_kernel(DType::f32),
               {R"({"block_sizes":[8,1024]})", R"({"block_sizes":[32,256]})", R"({"block_sizes":[2,4096]})"},
               {runtime::from_kokkos(d.x), runtime::from_kokkos(d.y), runtime::from_kokkos(d.out)});
  set_bytes(state, 3.0 * kRows * kCols * 4);
}
TS_KOKKOS_ROW(BM_add_kokkos);
TS_TESSERA_ROWS(BM_add_tessera);

// ---- silu_mul_fp8: out[m, d] = e4m3(bf16(silu(a)·b) / scale), x bf16 [m, 2d] ------------------

struct SiluData {
  U16 x{"x", kRows, kCols};
  Kokkos::View<float*, Kokkos::HostSpace> scale{"scale", 1};
  U8 out{"out", kRows, kCols / 2};
  SiluData() { fill_bf16(x, 1), scale(0) = 0.75f; }
};
void BM_silu_mul_fp8_kokkos(benchmark::State& state) {
  SiluData s;
  time_kokkos(state, "silu_mul_fp8", [&] {
    const float inv = 1.0f / s.scale(0);
    const std::int64_t d = kCols / 2;
    Kokkos::parallel_for("silu_mul_fp8", rows(kRows), [=](std::int64_t i) {
      const std::uint16_t* row = &s.x(i, 0);
      std::uint8_t* o = &s.out(i, 0);
      for (std::int64_t j = 0; j < d; ++j) {
        const float a = bf16_to_float(row[j]), b = bf16_to_float(row[j + d]);
        o[j] = pre::f8e4m3fn_from_float_fast(pre::round_bf16(pre::round_bf16(pre::silu_fast(a)) * b) * inv);
      }
    });
  });
  set_bytes(state, kSiluBytes);
}
void BM_silu_mul_fp8_tessera(benchmark::State& state) {
  SiluData s;
  time_tessera(state, "silu_mul_fp8", examples::silu_mul_fp8_kernel(DType::bf16),
               {R"({"block_sizes":[4,1024]})", R"({"block_sizes":[16,256]})", R"({"block_sizes":[2,2048]})"},
               {runtime::from_kokkos(s.x, DType::bf16), runtime::from_kokkos(s.scale),
                runtime::from_kokkos(s.out, DType::f8e4m3fn)});
  set_bytes(state, kSiluBytes);
}
TS_KOKKOS_ROW(BM_silu_mul_fp8_kokkos);
TS_TESSERA_ROWS(BM_silu_mul_fp8_tessera);

// ---- row kernels: bf16 rms_norm / layer_norm, f32 softmax ------------------------------------

const std::vector<const char*> kRowConfigs = {R"({"block_sizes":[1]})", R"({"block_sizes":[2]})",
                                              R"({"block_sizes":[4],"reduction_loops":[1024]})"};
struct NormData {
  U16 x{"x", kRows, kCols}, out{"out", kRows, kCols};
  Vec16 w{"w", kCols}, b{"b", kCols};
  NormData() { fill_bf16(x, 1), fill_bf16(w, 2), fill_bf16(b, 3); }
};
void BM_rms_norm_kokkos(benchmark::State& state) {
  NormData n;
  time_kokkos(state, "rms_norm", [&] {
    Kokkos::parallel_for("rms_norm", rows(kRows), [=](std::int64_t i) {
      const std::uint16_t *row = &n.x(i, 0), *w = n.w.data();
      std::uint16_t* o = &n.out(i, 0);
      float acc[16] = {};
      for (std::int64_t j = 0; j < kCols; ++j) {
        const float v = bf16_to_float(row[j]);
        acc[j % 16] += v * v;
      }
      float ss = 0;
      for (float a : acc) ss += a;
      const float inv = 1.0f / std::sqrt(ss / float(kCols) + 1e-6f);
      for (std::int64_t j = 0; j < kCols; ++j) o[j] = bf16_from_float(bf16_to_float(row[j]) * inv * bf16_to_float(w[j]));
    });
  });
  set_bytes(state, 2.0 * kRows * kCols * 2);
}
void BM_rms_norm_tessera(benchmark::State& state) {
  NormData n;
  time_tessera(state, "rms_norm", examples::rms_norm_kernel(DType::bf16), kRowConfigs,
               {runtime::from_kokkos(n.x, DType::bf16), runtime::from_kokkos(n.w, DType::bf16),
                runtime::from_kokkos(n.out, DType::bf16), 1e-6});
  set_bytes(state, 2.0 * kRows * kCols * 2);
}
TS_KOKKOS_ROW(BM_rms_norm_kokkos);
TS_TESSERA_ROWS(BM_rms_norm_tessera);

void BM_layer_norm_kokkos(benchmark::State& state) {
  NormData n;
  time_kokkos(state, "layer_norm", [&] {
    Kokkos::parallel_for("layer_norm", rows(kRows), [=](std::int64_t i) {
      const std::uint16_t *row = &n.x(i, 0), *w = n.w.data(), *b = n.b.data();
      std::uint16_t* o = &n.out(i, 0);
      float acc[16] = {};
      for (std::int64_t j = 0; j < kCols; ++j) acc[j % 16] += bf16_to_float(row[j]);
      float s = 0;
      for (float a : acc) s += a;
      const float mean = s / float(kCols);
      float vacc[16] = {};
      for (std::int64_t j = 0; j < kCols; ++j) {
        const float c = bf16_to_float(row[j]) - mean;
        vacc[j % 16] += c * c;
      }
      float v = 0;
      for (float a : vacc) v += a;
      const float inv = 1.0f / std::sqrt(v / float(kCols) + 1e-5f);
      for (std::int64_t j = 0; j < kCols; ++j)
        o[j] = bf16_from_float((bf16_to_float(row[j]) - mean) * inv * bf16_to_float(w[j]) + bf16_to_float(b[j]));
    });
  });
  set_bytes(state, 2.0 * kRows * kCols * 2);
}
void BM_layer_norm_tessera(benchmark::State& state) {
  NormData n;
  time_tessera(state, "layer_norm", examples::layer_norm_kernel(DType::bf16), kRowConfigs,
               {runtime::from_kokkos(n.x, DType::bf16), runtime::from_kokkos(n.w, DType::bf16),
                runtime::from_kokkos(n.b, DType::bf16), runtime::from_kokkos(n.out, DType::bf16), 1e-5});
  set_bytes(state, 2.0 * kRows * kCols * 2);
}
TS_KOKKOS_ROW(BM_layer_norm_kokkos);
TS_TESSERA_ROWS(BM_layer_norm_tessera);

struct SoftmaxData {
  F32 x{"x", kRows, kCols}, out{"out", kRows, kCols};
  SoftmaxData() { fill(x, 1); }
};
void BM_softmax_kokkos(benchmark::State& state) {
  SoftmaxData d;
  time_kokkos(state, "softmax", [&] {
    Kokkos::parallel_for("softmax", rows(kRows), [=](std::int64_t i) {
      const float* row = &d.x(i, 0);
      float* o = &d.out(i, 0);
      float mx = -INFINITY;
      for (std::int64_t j = 0; j < kCols; ++j) mx = std::max(mx, row[j]);
      float acc[16] = {};
      for (std::int64_t j = 0; j < kCols; ++j) {
        o[j] = pre::exp_fast(row[j] - mx);  // the fast exp Tessera uses (MathMode::fast)
        acc[j % 16] += o[j];
      }
      float s = 0;
      for (float a : acc) s += a;
      const float inv = 1.0f / s;
      for (std::int64_t j = 0; j < kCols; ++j) o[j] *= inv;
    });
  });
  set_bytes(state, 2.0 * kRows * kCols * 4);
}
void BM_softmax_tessera(benchmark::State& state) {
  SoftmaxData d;
  time_tessera(state, "softmax", examples::softmax_kernel(DType::f32), kRowConfigs,
               {runtime::from_kokkos(d.x), runtime::from_kokkos(d.out)});
  set_bytes(state, 2.0 * kRows * kCols * 4);
}
TS_KOKKOS_ROW(BM_softmax_kokkos);
TS_TESSERA_ROWS(BM_softmax_tessera);

// ---- dynamic per-token fp8 quant: bf16 [m, n] -> e4m3 [m, n] + f32 scale [m, 1] -----------------

struct QuantData {
  U16 x{"x", kRows, kCols};
  U8 result{"result", kRows, kCols};
  F32 scale{"scale", kRows, 1};
  QuantData() { fill_bf16(x, 1); }
};
void BM_quant_kokkos(benchmark::State& state) {
  QuantData q;
  time_kokkos(state, "quant", [&] {
    Kokkos::parallel_for("quant", rows(kRows), [=](std::int64_t i) {
      const std::uint16_t* row = &q.x(i, 0);
      std::uint8_t* r = &q.result(i, 0);
      float acc[16] = {};
      for (std::int64_t j = 0; j < kCols; ++j) acc[j % 16] = std::max(acc[j % 16], std::fabs(bf16_to_float(row[j])));
      float amax = 0;
      for (float a : acc) amax = std::max(amax, a);
      const float s = std::max(amax * (1.0f / 448.0f), 1.0f / (448.0f * 512.0f));
      q.scale(i, 0) = s;
      const float inv = 1.0f / s;
      for (std::int64_t j = 0; j < kCols; ++j)
        r[j] = pre::f8e4m3fn_from_float_fast(std::clamp(bf16_to_float(row[j]) * inv, -448.0f, 448.0f));
    });
  });
  set_bytes(state, kQuantBytes);
}
void BM_quant_tessera(benchmark::State& state) {
  QuantData q;
  time_tessera(state, "quant", examples::dynamic_per_token_fp8_quant_kernel(DType::bf16),
               {R"({"block_sizes":[1024,1024]})", R"({"block_sizes":[256,256]})", R"({"block_sizes":[4096,4096]})"},
               {runtime::from_kokkos(q.x, DType::bf16), runtime::from_kokkos(q.result, DType::f8e4m3fn),
                runtime::from_kokkos(q.scale)});
  set_bytes(state, kQuantBytes);
}
TS_KOKKOS_ROW(BM_quant_kokkos);
TS_TESSERA_ROWS(BM_quant_tessera);

// ---- matmul: bf16 [M, K] x [K, N] -> bf16, f32 accumulation ----------------------------------

struct MatmulData {
  U16 a{"a", kMatmul, kMatmul}, b{"b", kMatmul, kMatmul}, out{"out", kMatmul, kMatmul};
  F32 bf{"bf", kMatmul, kMatmul};  // b converted once per call, as the oneTBB loop does
  MatmulData() { fill_bf16(a, 1), fill_bf16(b, 2); }
};
void BM_matmul_kokkos(benchmark::State& state) {
  MatmulData m;
  time_kokkos(state, "matmul", [&] {
    Kokkos::parallel_for("matmul_b", rows(kMatmul), [=](std::int64_t i) {
      const std::uint16_t* b = &m.b(i, 0);
      float* bf = &m.bf(i, 0);
      for (std::int64_t j = 0; j < kMatmul; ++j) bf[j] = bf16_to_float(b[j]);
    });
    Kokkos::parallel_for("matmul", rows(kMatmul), [=](std::int64_t i) {
      const std::uint16_t* a = &m.a(i, 0);
      std::uint16_t* o = &m.out(i, 0);
      float acc[kMatmul] = {};
      for (std::int64_t k = 0; k < kMatmul; ++k) {
        const float av = bf16_to_float(a[k]);
        const float* brow = &m.bf(k, 0);
        for (std::int64_t j = 0; j < kMatmul; ++j) acc[j] += av * brow[j];
      }
      for (std::int64_t j = 0; j < kMatmul; ++j) o[j] = bf16_from_float(acc[j]);
    });
  });
  set_flops(state);
}
void BM_matmul_tessera(benchmark::State& state) {
  MatmulData m;
  time_tessera(state, "matmul", examples::matmul_kernel(DType::bf16),
               {R"({"block_sizes":[32,64,32]})", R"({"block_sizes":[16,128,64]})", R"({"block_sizes":[64,64,64]})"},
               {runtime::from_kokkos(m.a, DType::bf16), runtime::from_kokkos(m.b, DType::bf16),
                runtime::from_kokkos(m.out, DType::bf16)});
  set_flops(state);
}
TS_KOKKOS_ROW(BM_matmul_kokkos);
TS_TESSERA_ROWS(BM_matmul_tessera);

}  // namespace
}  // namespace tessera::bench

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
