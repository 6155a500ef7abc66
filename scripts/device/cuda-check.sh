#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One device call for the CUDA code generator (issue 5): conformance of every example on cuda:0,
# compute-sanitizer memcheck on the same tests, the CUDA benchmarks, then torch/cuBLAS baselines.
# Run from the repository root with the build carried:
#   carry: build-cuda/bin/cuda_examples_test build-cuda/bin/cuda_examples_bench build-cuda/lib
#   (build-cuda/lib holds libtbb.so.12*; the binaries' RUNPATH is $ORIGIN/../lib)
# Results go to $OUT (conformance.txt, memcheck.txt, bench.json, bench.txt, torch.txt).
set -u
OUT=${OUT:-/tmp/cuda-check}
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$PWD/build-cuda/lib:${LD_LIBRARY_PATH:-}"
export TESSERA_CACHE_DIR=/tmp/tessera-cache
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/device.txt"
echo "== conformance"
build-cuda/bin/cuda_examples_test 2>&1 > "$OUT/conformance.txt"; echo "exit $?"
grep -E "PASSED|FAILED|SKIPPED" "$OUT/conformance.txt" | tail -30
echo "== memcheck"
compute-sanitizer --tool memcheck --error-exitcode 9 build-cuda/bin/cuda_examples_test > "$OUT/memcheck.txt" 2>&1; echo "exit $?"
grep -E "ERROR SUMMARY|PASSED|FAILED" "$OUT/memcheck.txt" | tail -5
echo "== bench"
build-cuda/bin/cuda_examples_bench --benchmark_out="$OUT/bench.json" --benchmark_out_format=json \
  --benchmark_min_time=0.2 > "$OUT/bench.txt" 2>&1; echo "exit $?"
grep -E "median" "$OUT/bench.txt" | sed -E 's/ +/ /g'
echo "== torch"
timeout 300 python3 bench/cuda_torch_baseline.py 2>&1 | grep -v Warning | tee "$OUT/torch.txt" | tail -20
