#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Run HERE (the build machine) before a device run of the runtime checks: builds the runtime's
# binaries into build-runtime/ and copies oneTBB next to them (the GPU machines have none; the
# binaries' RUNPATH is $ORIGIN/../lib, see cmake/TesseraDependencies.cmake). Then call the
# device tool with:  command: scripts/device/runtime-check.sh   carry: ["build-runtime"]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build-runtime
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target tessera runtime_test runtime_conformance_cpu runtime_conformance_gpu
mkdir -p "$build/lib"
cp -P /usr/lib/x86_64-linux-gnu/libtbb.so.12* "$build/lib/"
# The working tree travels without .git: record which commit (and whether it was dirty).
{ git rev-parse --short HEAD; git status --porcelain -- core backends tools | head -1 | sed 's/^/dirty: /'; } \
  > "$build/COMMIT"
du -sh "$build"
