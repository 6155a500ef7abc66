// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// What the CPU example benchmarks share (cpu_examples_bench.cpp, cpu_kokkos_baseline.cpp): the
/// problem sizes, the bytes each kernel moves, the GB/s and GFLOP/s counters, and configs
/// written as JSON. One definition, so both suites report the same work the same way.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "tessera/config/config.h"
#include "tessera/support/python_json.h"

namespace tessera::bench {

/// 16 Mi elements (32-64 MiB per tensor: beyond the caches); matmul 1024^3.
constexpr std::int64_t kRows = 4096, kCols = 4096;
constexpr std::int64_t kMatmul = 1024;

/// Bytes read + written per call: silu_mul_fp8 (bf16 [m, 2d] in, e4m3 [m, d] out, the scale) and
/// the dynamic per-token quant (bf16 in, e4m3 out, one f32 scale per row).
constexpr double kSiluBytes = double(kRows) * kCols * 2 + double(kRows) * (kCols / 2) + 4;
constexpr double kQuantBytes = double(kRows) * kCols * 3 + kRows * 4.0;

inline void set_bytes(benchmark::State& state, double bytes) {
  state.counters["GB/s"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
inline void set_flops(benchmark::State& state) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * kMatmul * kMatmul * kMatmul / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
inline Config cfg(const char* json) { return Config::from_json(json::Json::parse(json), "bench"); }

}  // namespace tessera::bench
