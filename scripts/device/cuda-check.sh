#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One device call for the CUDA code generator (issue 5): conformance of every example on cuda:0,
# compute-sanitizer memcheck on the same tests, the CUDA benchmarks, then torch/cuBLAS baselines.
# Run from the repository root with the build carried:
#   carry: $B/bin/{cuda_examples_test,cuda_kernel_test,runtime_conformance_gpu} (the gpu-labelled tests),
#   $B/bin/cuda_examples_bench, $B/bin/cuda_overhead_bench, $B/devlib
#   ($B = TS_BUILD, default build-gpumem; $B/devlib: copies of libtbb.so.12 and libbenchmark.so.1*)
# BENCH_FILTER selects benchmarks (default: all); MEMCHECK_FILTER the memcheck tests (default
# all, "-" for none); TORCH_ARGS go to cuda_torch_baseline.py (e.g. --no-matmul; "skip": not run).
# Results go to $OUT (conformance.txt, memcheck.txt, bench.json, bench.txt, torch.txt).
set -u
OUT=${OUT:-/tmp/cuda-check}
B=${TS_BUILD:-build-gpumem}
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$PWD/$B/devlib:${LD_LIBRARY_PATH:-}"
export TESSERA_CACHE_DIR=/tmp/tessera-cache
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/device.txt"
echo "== conformance (the gpu-labelled tests: ctest -L gpu; run directly, the build paths differ here)"
for t in cuda_examples_test cuda_kernel_test runtime_conformance_gpu; do
  [ -x $B/bin/$t ] || { echo "$t: not carried"; continue; }
  $B/bin/$t > "$OUT/conformance_$t.txt" 2>&1; echo "$t exit $?"
  grep -E "^\[  (PASSED|FAILED|SKIPPED) " "$OUT/conformance_$t.txt" | tail -12
done
echo "== memcheck"
[ "${MEMCHECK_FILTER:-}" != - ] && compute-sanitizer --tool memcheck --error-exitcode 9 $B/bin/cuda_examples_test --gtest_filter="${MEMCHECK_FILTER:-*}" \
  > "$OUT/memcheck.txt" 2>&1; echo "exit $?"
grep -E "ERROR SUMMARY|PASSED|FAILED" "$OUT/memcheck.txt" | tail -5
echo "== bench"
$B/bin/cuda_examples_bench --benchmark_out="$OUT/bench.json" --benchmark_out_format=json \
  --benchmark_min_time=0.2 --benchmark_filter="${BENCH_FILTER:-.}" > "$OUT/bench.txt" 2>&1; echo "exit $?"
grep -E "median" "$OUT/bench.txt" | sed -E 's/ +/ /g'
if [ -x $B/bin/cuda_overhead_bench ]; then
  echo "== host overhead"
  $B/bin/cuda_overhead_bench --benchmark_enable_random_interleaving=true --benchmark_out="$OUT/overhead.json" \
    --benchmark_out_format=json > "$OUT/overhead.txt" 2>&1; echo "exit $?"
  sed -n '/^host overhead/,$p' "$OUT/overhead.txt"
fi
[ "${TORCH_ARGS:-}" = skip ] && exit 0
echo "== torch"
timeout 300 python3 bench/cuda_torch_baseline.py ${TORCH_ARGS:-} 2>&1 | grep -v Warning | tee "$OUT/torch.txt" | tail -20
