#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run ON THE DEVICE MACHINE in one call (after scripts/device/prepare-runtime.sh here, carrying
# build-runtime/device): `tessera devices`, the self test, the gpu-labelled runtime tests, and the same
# device-to-device copy through PyTorch for comparison. Full logs go to $OUT; a summary table
# is printed last. ctest is not used: the build tree's CTest files hold this machine's paths.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-runtime/device}
out=${OUT:-/tmp/runtime-check}
mkdir -p "$out"
export TESSERA_CONFIG_DIR=$PWD/configs  # gpu_aliases.json: the compiled-in path is the build machine's
export PYTHONUNBUFFERED=1
status=0
echo "== commit $(tr '\n' ' ' < "$build/COMMIT")  date $(date -u +%F)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader || true

echo "== tessera devices"
"$build/bin/tessera" devices || status=1
"$build/bin/tessera" devices --json > "$out/devices.json" || status=1

for mb in 256 1024; do
  echo "== tessera devices --selftest --size-mb $mb"
  "$build/bin/tessera" devices --selftest --size-mb "$mb" || status=1
  "$build/bin/tessera" devices --selftest --device cuda:0 --size-mb "$mb" --json \
    > "$out/selftest_${mb}.json" || status=1
done

echo "== gpu-labelled runtime tests, unit tests"
"$build/bin/runtime_conformance_gpu" --gtest_brief=1 2>&1 | tee "$out/conformance_gpu.log" | tail -25
[ "${PIPESTATUS[0]}" = 0 ] || status=1
"$build/bin/runtime_conformance_cpu" --gtest_brief=1 2>&1 | tail -3; [ "${PIPESTATUS[0]}" = 0 ] || status=1
"$build/bin/runtime_test" --gtest_brief=1 2>&1 | tail -3; [ "${PIPESTATUS[0]}" = 0 ] || status=1

echo "== PyTorch device-to-device copy, same sizes, and the comparison"
python3 scripts/device/torch_copy_bandwidth.py "$out" || status=1
echo "== exit status $status"
exit $status
