#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what Tessera's build needs on Debian 12, from Debian's packages only. Idempotent:
# packages already present are skipped, so a warm machine does not touch the network.
# Run as root (or with sudo available). CUDA is not a Debian package: the toolkit is optional
# and detected in /usr/local/cuda; without it the CUDA backend builds and reports itself
# unavailable at run time.
set -euo pipefail

pkgs=(
  build-essential cmake ninja-build git pkg-config   # toolchain
  nlohmann-json3-dev libtbb-dev libdlpack-dev libssl-dev  # libraries
  libgtest-dev libgmock-dev libbenchmark-dev         # tests and benchmarks
  libamdhip64-dev libamd-comgr-dev libhsa-runtime-dev # HIP headers + hiprtc (dlopen'ed)
  llvm-14                                            # llvm-objdump-14: MFMA in gfx90a code objects (48 MB)
  hipcc                                              # offline gfx940/gfx1100 checks: clang-15, llvm-15,
                                                     # lld-15, rocm-device-libs (45 MB download, 257 MB)
  libtrilinos-kokkos-dev                             # Kokkos::View adapter test, Kokkos baselines (4 MB)
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi
