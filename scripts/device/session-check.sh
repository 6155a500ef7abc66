#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The end-of-session device call, in ONE call (device time is scarce): the gpu-labelled tests,
# `tessera tune` of the ops whose nvidia_h100 files are Tessera's own (not vLLM's) on this GPU,
# the op-library check + torch.compile comparison of the tuned ops with the files just written,
# and the matmul benchmark beside cuBLAS.
#
#   scripts/device/session-check.sh prepare    # HERE: build from a clean export of HEAD into
#                                              # build-final/device (bin/, lib/ with libtbb and
#                                              # libbenchmark, OPS, COMMIT)
#   scripts/device/session-check.sh run        # THERE: carry ["build-final/device"]
#
# TUNE_OPS (default: matmul add rms_norm layer_norm softmax) are tuned into configs/<op>/nvidia_h100.json of the device's copy
# of the tree, which comes back as $OUT/tuned_configs.tgz. OPS_BUDGET_S bounds the op check
# (scripts/device/ops-check.sh); SKIP_OPS=1 leaves it out (a second call checks the committed files).
set -u
mode=${1:-run}
cd "$(dirname "$0")/../.."
D=build-final/device

if [ "$mode" = prepare ]; then
  set -euo pipefail
  commit=$(git rev-parse --short HEAD)
  src=${FINAL_SRC:-/tmp/final-src}  # persistent export: only changed files are copied in
  fresh=$(mktemp -d /tmp/tessera-final-XXXXXX)
  git archive "$commit" | tar -x -C "$fresh"
  mkdir -p "$src"
  (cd "$fresh" && find . -type f) | while read -r f; do
    cmp -s "$fresh/$f" "$src/$f" || { mkdir -p "$(dirname "$src/$f")" && cp "$fresh/$f" "$src/$f"; }
  done
  rm -rf "$fresh"
  [ -f "$src/build/build.ninja" ] || cmake -S "$src" -B "$src/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DTS_ENABLE_HIP=OFF >/dev/null
  bins=(tessera cuda_examples_test cuda_kernel_test runtime_conformance_gpu cuda_examples_bench cuda_overhead_bench)
  cmake --build "$src/build" -j2 --target "${bins[@]}"
  rm -rf "$D" && mkdir -p "$D/bin" "$D/lib"
  for b in "${bins[@]}"; do cp "$src/build/bin/$b" "$D/bin/"; done
  cp -P /usr/lib/x86_64-linux-gnu/libtbb.so.12* /usr/lib/x86_64-linux-gnu/libbenchmark.so.1* \
    /usr/lib/x86_64-linux-gnu/libcrypto.so.3 "$D/lib/"
  ln -s lib "$D/devlib"  # cuda-check.sh's name for the same folder
  echo "$commit" > "$D/COMMIT"
  echo "prepared $D from $commit ($(du -sh "$D" | cut -f1))"
  exit 0
fi

[ "$mode" = run ] || { echo "usage: $0 prepare | run"; exit 2; }
OUT=${OUT:-/tmp/session-check}
mkdir -p "$OUT"
failed=()  # every failing step, reported and turned into the exit status at the end
export LD_LIBRARY_PATH="$PWD/$D/lib:${LD_LIBRARY_PATH:-}"
export TESSERA_CACHE_DIR=/tmp/tessera-cache TESSERA_PLATFORM=nvidia_h100 TESSERA_CONFIG_DIR="$PWD/configs"
T=$D/bin/tessera
echo "commit $(cat $D/COMMIT)"

echo "== 1. gpu-labelled tests, host overhead (cuda-check.sh: no memcheck, no benchmarks, no torch)"
OUT="$OUT/cuda" TS_BUILD=$D MEMCHECK_FILTER=- BENCH_FILTER=NONE TORCH_ARGS=skip \
  timeout 240 bash scripts/device/cuda-check.sh 2>&1 | grep -vE "^$" | tail -n 40
for f in "$OUT"/cuda/conformance_*.txt; do
  grep -q "^\[  PASSED  \]" "$f" && ! grep -q "^\[  FAILED  \]" "$f" || failed+=("$(basename "$f" .txt)")
done

echo "== 2. tune (${TUNE_OPS:-matmul add rms_norm layer_norm softmax}) on this GPU into configs/"
# matmul: its generator's 4 keys (m = 1, 16, 128, 1024 at n = k = 4096); the row ops: 6 token
# counts x the generator's 3 row lengths. --budget-s is checked before each case.
for op in ${TUNE_OPS:-matmul add rms_norm layer_norm softmax}; do
  case $op in
    matmul) where=(); budget=60 ;;
    softmax) where=(--where num_rows=1,16,128,1024,4096,8192); budget=35 ;;
    *) where=(--where num_tokens=1,16,128,1024,4096,8192); budget=35 ;;
  esac
  timeout $((budget + 60)) $T tune "$op" --device cuda:0 --config-dir configs "${where[@]}" --rounds 3 \
    --budget-s $budget > "$OUT/tune_$op.txt" 2>&1
  rc=$?; echo "tune $op exit $rc"; [ $rc = 0 ] || failed+=("tune_$op"); head -n 2 "$OUT/tune_$op.txt"; tail -n 8 "$OUT/tune_$op.txt"
done
tar -czf "$OUT/tuned_configs.tgz" configs/*/nvidia_h100.json
[ "${SKIP_OPS:-0}" = 1 ] || {
echo "== 3. the tuned ops checked and timed against torch.compile (ops-check.sh)"
echo "${TUNE_OPS:-matmul add rms_norm layer_norm softmax}" | tr ' ' '\n' > "$D/OPS"
OUT="$OUT/ops" OPS_BUDGET_S=${OPS_BUDGET_S:-200} timeout 260 bash scripts/device/ops-check.sh run "$D" 2>&1 | tail -n 40
# "check OP  a/b pass (of n cases)": a wrong result, or a case not checked, fails the step.
awk '$1 == "check" && $4 == "pass" { split($3, f, "/"); if (f[1] != f[2] || f[2] != substr($6, 1)) bad = 1 }
     END { exit bad }' "$OUT/ops/summary.txt" 2>/dev/null || failed+=("ops-check")
}

echo "== 4. matmul beside cuBLAS"
$D/bin/cuda_examples_bench --benchmark_filter=matmul --benchmark_min_time=0.2 > "$OUT/matmul_bench.txt" 2>&1
grep -E "median" "$OUT/matmul_bench.txt" | sed -E 's/ +/ /g'
timeout 120 python3 bench/cuda_torch_baseline.py 2>&1 | grep -v Warning | tee "$OUT/torch.txt" | tail -n 12
tar -czf "$OUT/all.tgz" -C "$OUT" --exclude all.tgz . 2>/dev/null
[ ${#failed[@]} = 0 ] || { echo "FAILED: ${failed[*]}"; exit 1; }
echo "all steps passed"
