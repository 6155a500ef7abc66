#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install dependencies, build, and run every test that this machine can run. Tests labelled
# `gpu` need an NVIDIA GPU and are excluded unless TS_TEST_GPU=1 (the device run sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
bash scripts/check-sources.sh
args=(--test-dir build --output-on-failure -j "$(nproc)")
if [ "${TS_TEST_GPU:-0}" != 1 ]; then args+=(-LE gpu); fi
exec ctest "${args[@]}"
