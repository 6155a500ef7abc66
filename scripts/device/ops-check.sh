#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The op library on cuda:0 (issue 7) in ONE device call: every registered op through
# `tessera run OP --device cuda:0 --check --json` on all of its input generator's cases, then the
# same cases timed by Tessera and by torch.compile (bench/ops_torch_baseline.py), with per-case
# speed-ups and the geometric mean.
#
#   scripts/device/ops-check.sh prepare        # HERE: build `tessera` from a clean export of HEAD
#   scripts/device/ops-check.sh run [DIR]      # THERE (device tool): command `scripts/device/ops-check.sh run`,
#                                              # carry ["build-opscheck/device"]
#
# Platform: configs are chosen by platform id, and an H200 reports its own name (nvidia_h200),
# for which only matmul ships configs. The issue asks for the shipped nvidia_h100 configs, so on
# any GPU this script sets TESSERA_PLATFORM=${OPS_PLATFORM:-nvidia_h100}: same target (sm_90a),
# and vLLM's H100 files are what vLLM itself would pick on an H200 only through an explicit
# override. (An alias nvidia_h200 -> nvidia_h100 in configs/gpu_aliases.json would hide that
# the configs were tuned on another memory system; the override states it per run.)
#
# Phases (wall time matters: device time is scarce):
#   1. per op in parallel: `tessera run --check --iters 0` (host-bound: inputs, float64
#      references) then torch.compile warm-up of that op's shapes (fills inductor's disk cache);
#   2. serially, GPU to itself: `tessera run --iters $ITERS --json` per op (no check);
#   3. bench/ops_torch_baseline.py times the same cases with torch.compile, prints the ratios.
# Results under $OUT: check_<op>.json, time_<op>.json, torch.txt, summary.txt.
set -u
mode=${1:-run}
cd "$(dirname "$0")/../.."
D=build-opscheck/device

if [ "$mode" = prepare ]; then
  set -euo pipefail
  commit=$(git rev-parse --short HEAD)
  # A persistent export (OPSCHECK_SRC) that only changed files are copied into (by content), so
  # a later commit rebuilds what it changed, not the whole tool.
  src=${OPSCHECK_SRC:-/tmp/commonops-src}
  fresh=$(mktemp -d /tmp/tessera-opscheck-XXXXXX)
  git archive "$commit" | tar -x -C "$fresh"
  mkdir -p "$src"
  (cd "$fresh" && find . -type f) | while read -r f; do
    cmp -s "$fresh/$f" "$src/$f" || { mkdir -p "$(dirname "$src/$f")" && cp "$fresh/$f" "$src/$f"; }
  done
  rm -rf "$fresh"
  [ -f "$src/build/build.ninja" ] || cmake -S "$src" -B "$src/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DTS_ENABLE_HIP=OFF -DTS_BUILD_BENCHMARKS=OFF -DTS_BUILD_TESTS=OFF >/dev/null
  cmake --build "$src/build" -j2 --target tessera
  rm -rf "$D" && mkdir -p "$D/bin" "$D/lib"
  cp "$src/build/bin/tessera" "$D/bin/"
  cp -P /usr/lib/x86_64-linux-gnu/libtbb.so.12* "$D/lib/"
  echo "$commit" > "$D/COMMIT"
  # The registered ops of that commit, in registration order (ops/ops.cpp is the list).
  sed -n 's/^ *specs.push_back(\([a-z0-9_]*\)_spec());/\1/p' "$src/ops/ops.cpp" > "$D/OPS"
  echo "prepared $D from $commit ($(du -sh "$D" | cut -f1))"
  exit 0
fi

[ "$mode" = run ] || { echo "usage: $0 prepare | run [DIR]"; exit 2; }
D=${2:-$D}
OUT=${OUT:-/tmp/ops-check}
ITERS=${ITERS:-20}
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$PWD/$D/lib:${LD_LIBRARY_PATH:-}"
export TESSERA_CACHE_DIR=/tmp/tessera-cache TESSERA_PLATFORM=${OPS_PLATFORM:-nvidia_h100}
export TESSERA_CONFIG_DIR="$PWD/configs" OPS_CASES_DIR="$OUT" PYTHONUNBUFFERED=1
T=$D/bin/tessera
ops=$(cat "$D/OPS")
{
  echo "commit $(cat "$D/COMMIT" 2>/dev/null) platform $TESSERA_PLATFORM iters $ITERS"
  nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.mem --format=csv,noheader
  echo "ops: $(echo $ops)"
} | tee "$OUT/summary.txt"
start=$(date +%s)

echo "== 1. checks (all ops in parallel) + torch.compile warm-up"
for op in $ops; do
  ( $T run "$op" --device cuda:0 --check --iters 0 --json > "$OUT/check_$op.json" 2> "$OUT/check_$op.err"
    echo "check $op exit $?" >> "$OUT/check_status.txt"
    timeout 400 python3 bench/ops_torch_baseline.py warm "$op" > "$OUT/warm_$op.txt" 2>&1 ) &
done
wait
sort "$OUT/check_status.txt"
python3 - "$OUT" $ops <<'EOF' | tee -a "$OUT/summary.txt"
import json, sys, os
out, ops = sys.argv[1], sys.argv[2:]
for op in ops:
    try:
        rs = json.load(open(os.path.join(out, f"check_{op}.json")))
    except Exception as e:
        err = open(os.path.join(out, f"check_{op}.err")).read().strip().splitlines()
        print(f"check {op:36s} NO RESULTS: {err[-1] if err else e}")
        continue
    fails = [r for r in rs if not r.get("pass", False)]
    worst = {}
    for r in rs:
        for e in r.get("errors", []):
            v = e["max_ulp"] if e["max_ulp"] != "inf" else float("inf")
            worst[e["arg"]] = max(worst.get(e["arg"], 0), v)
    keys = sorted({json.dumps(r["picked_key"], sort_keys=True) for r in rs})
    print(f"check {op:36s} {len(rs) - len(fails)}/{len(rs)} pass  max ulp {worst}  "
          f"{len(keys)} picked keys ({sum(r['default_fallback'] for r in rs)} default fallbacks)")
    for r in fails[:3]:
        print(f"   FAIL {json.dumps(r['case'])}: {r.get('errors')}")
EOF
echo "phase 1: $(( $(date +%s) - start )) s"; tail -n 3 "$OUT"/warm_*.txt | grep -v "^$" | grep -iv warning | tail -n 30

echo "== 2. tessera timing (serial, --iters $ITERS)"
for op in $ops; do
  $T run "$op" --device cuda:0 --iters "$ITERS" --json > "$OUT/time_$op.json" 2> "$OUT/time_$op.err" ||
    echo "time $op exit $?: $(tail -n 1 "$OUT/time_$op.err")"
done
echo "phase 2: $(( $(date +%s) - start )) s"

echo "== 3. torch.compile at the same cases"
timeout 300 python3 bench/ops_torch_baseline.py time "$OUT" --iters "$ITERS" 2>&1 | grep -v -i warning > "$OUT/torch.txt"
grep -A100 "^per op" "$OUT/torch.txt" | tee -a "$OUT/summary.txt"
grep "torch failed" "$OUT/torch.txt" | head -5
echo "total: $(( $(date +%s) - start )) s"
# Few files come back from a device call: fold the per-op JSON into one archive.
tar -czf "$OUT/results.tgz" -C "$OUT" $(cd "$OUT" && ls *.json *.err *.txt 2>/dev/null) && \
  rm -f "$OUT"/check_*.json "$OUT"/time_*.json "$OUT"/*.err "$OUT"/warm_*.txt "$OUT/check_status.txt"
