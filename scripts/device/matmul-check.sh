#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One device call for the tensor-core matmul (issue 5): CUDA conformance (every example, the
# matmul cases on wgmma/mma.sync with ragged shapes), the same cases through lang::Kernel,
# compute-sanitizer memcheck on the matmul cases, the SASS of the compiled matmul kernels
# (HGMMA/HMMA counts, local memory), the matmul benchmarks and cuBLAS (torch.matmul) in the
# same call. Run from the repository root with the build carried:
#   carry: $B/bin/{cuda_examples_test,cuda_kernel_test,cuda_examples_bench} $B/devlib
# BENCH_FILTER (default: matmul). Results under $OUT.
set -u
OUT=${OUT:-/tmp/matmul-check}
B=${TS_BUILD:-build-wgmma}
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$PWD/$B/devlib:${LD_LIBRARY_PATH:-}"
export TESSERA_CACHE_DIR=/tmp/tessera-cache
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/device.txt"
echo "== conformance"
$B/bin/cuda_examples_test > "$OUT/conformance.txt" 2>&1; echo "exit $?"
grep -E "^\[  (PASSED|FAILED) |^\[  FAILED|tests ran" "$OUT/conformance.txt" | tail -12
grep -B2 -A12 "Failure" "$OUT/conformance.txt" | head -60
echo "== lang::Kernel"
[ -x $B/bin/cuda_kernel_test ] && { $B/bin/cuda_kernel_test > "$OUT/kernel.txt" 2>&1; echo "exit $?"; \
  grep -E "^\[  (PASSED|FAILED) |^\[  FAILED" "$OUT/kernel.txt" | tail -8; }
echo "== memcheck"
compute-sanitizer --tool memcheck --error-exitcode 9 $B/bin/cuda_examples_test --gtest_filter='*matmul*' \
  > "$OUT/memcheck.txt" 2>&1; echo "exit $?"
grep -E "ERROR SUMMARY|^\[  (PASSED|FAILED)" "$OUT/memcheck.txt" | tail -4
echo "== sass"
for src in $(grep -l "wgmma.mma_async\|mma_16816_bf16(" -r "$TESSERA_CACHE_DIR" --include=kernel.cu 2>/dev/null | head -12); do
  d=$(dirname "$src")
  cfg=$(grep -m1 -oE "block [0-9x ,\[\]]+|tile sizes[^;]*|block_sizes[^;]*" "$src" | head -1)
  sass=$(cuobjdump --dump-sass "$d/kernel.cubin" 2>/dev/null)
  echo "$(grep -m1 -oE 'threads [0-9]+' "$src") $(grep -m1 -oE 'm64n[0-9]+k16' "$src") HGMMA=$(grep -c HGMMA <<<"$sass") HMMA=$(grep -c HMMA <<<"$sass") LDL/STL=$(grep -cE 'LDL|STL' <<<"$sass") LDGSTS=$(grep -c LDGSTS <<<"$sass") UTMALDG=$(grep -c UTMALDG <<<"$sass") WARPSYNC=$(grep -c WARPGROUP <<<"$sass") ${cfg}"
done | sort | uniq | tee "$OUT/sass.txt"
echo "== bench"
$B/bin/cuda_examples_bench --benchmark_out="$OUT/bench.json" --benchmark_out_format=json \
  --benchmark_min_time=0.2 --benchmark_filter="${BENCH_FILTER:-matmul}" > "$OUT/bench.txt" 2>&1; echo "exit $?"
grep -E "median" "$OUT/bench.txt" | sed -E 's/ +/ /g' | awk '{print $1, $2, $4, $NF}'
echo "== sass of the benchmarked kernels (4096^3): instruction mix of the main loop"
mkdir -p /tmp/sass
for src in $(grep -l "wgmma.mma_async" -r "$TESSERA_CACHE_DIR" --include=kernel.cu 2>/dev/null); do
  grep -q "s_k = 4096ll" "$src" || continue
  d=$(dirname "$src"); n=$(basename "$d")
  cuobjdump --dump-sass "$d/kernel.cubin" > /tmp/sass/$n.sass 2>/dev/null
  cp "$src" /tmp/sass/$n.cu
  echo "$n $(grep -m1 -oE 'block_sizes[^;]*|tile tm: block [0-9]+' "$src") $(grep -m1 -oE 'm64n[0-9]+k16' "$src") $(grep -oE 'cp.async pipeline, [0-9]+ stages|TMA copy' "$src" | head -1) HGMMA=$(grep -c HGMMA /tmp/sass/$n.sass) LDGSTS=$(grep -c LDGSTS /tmp/sass/$n.sass) UTMALDG=$(grep -c UTMALDG /tmp/sass/$n.sass) BAR=$(grep -c 'BAR.SYNC' /tmp/sass/$n.sass) insts=$(grep -cE '^ +/\*[0-9a-f]{4}\*/' /tmp/sass/$n.sass)"
done | tee "$OUT/sass_bench.txt"
tar czf "$OUT/sass.tgz" -C /tmp sass 2>/dev/null
echo "== cuBLAS"
# cuBLAS through torch.matmul: bf16, random inputs, CUDA-event median of 30 after 5 warm-ups.
timeout 200 python3 - <<'PY' 2>&1 | grep -v Warning | tee "$OUT/torch.txt"
import statistics, torch
for size in (4096, 8192):
    a = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    for _ in range(5): a @ b
    torch.cuda.synchronize(); ts = []
    for _ in range(30):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record(); a @ b; e.record(); e.synchronize(); ts.append(s.elapsed_time(e))
    ms = statistics.median(ts)
    print(f"cublas matmul bf16 {size}^3: {ms*1e3:.1f} us  {2*size**3/ms/1e9:.1f} TFLOP/s")
PY
