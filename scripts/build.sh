#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds Tessera into ./build (Release, Ninja).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
