#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run HERE (the build machine) before a device run of the runtime checks. Builds the runtime's
# binaries from a clean export of HEAD (not the shared working tree, where others' work is in
# progress), and lays them out for carrying:
#   build-runtime/device/{bin/, lib/libtbb.so.12*, COMMIT}
# oneTBB travels along because the GPU machines have none; the binaries' RUNPATH is
# $ORIGIN/../lib (cmake/TesseraDependencies.cmake). Then call the device tool with
#   command: scripts/device/runtime-check.sh build-runtime/device
#   carry:   ["build-runtime/device"]
set -euo pipefail
cd "$(dirname "$0")/../.."
commit=$(git rev-parse --short HEAD)
src=$(mktemp -d /tmp/tessera-runtime-XXXXXX)
git archive "$commit" | tar -x -C "$src"
cmake -S "$src" -B "$src/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTS_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$src/build" -j2 --target tessera runtime_test runtime_conformance_cpu runtime_conformance_gpu
out=build-runtime/device
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
cp "$src"/build/bin/{tessera,runtime_test,runtime_conformance_cpu,runtime_conformance_gpu} "$out/bin/"
cp -P /usr/lib/x86_64-linux-gnu/libtbb.so.12* "$out/lib/"
echo "$commit" > "$out/COMMIT"
rm -rf "$src"
echo "prepared $out from $commit ($(du -sh "$out" | cut -f1))"
