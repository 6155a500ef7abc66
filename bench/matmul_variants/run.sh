#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Hand-edited variants of one generated matmul kernel, timed in one device call (issue 5).
# Here (no GPU needed):  bash bench/matmul_variants/run.sh build BUILD_DIR [CONFIG_JSON]
#   writes build-matmul-variants/{v0.cu,v0.cubin,harness}: v0.cu is `tessera codegen` of the
#   4096^3 kernel; copy it to v1.cu, v2.cu, ... and edit, then run `build` again to compile them.
# On the device:         bash bench/matmul_variants/run.sh run   (carry build-matmul-variants)
#   times every v*.cubin twice, interleaved, each checked bitwise against v0's output.
set -eu
D=build-matmul-variants
if [ "${1:-}" = build ]; then
  B=${2:?build folder with bin/tessera}
  CFG=${3:-'{"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"l2_groupings":[8]}'}
  mkdir -p $D
  [ -f $D/v0.cu ] || "$B/bin/tessera" codegen matmul --target sm_90a --config "$CFG" --size m=4096 --size n=4096 --size k=4096 > $D/v0.cu
  # --fmad=false as Tessera's NVRTC options (the 2026-11-22 numbers in RESULTS.md were compiled without it)
  for f in $D/v*.cu; do nvcc -cubin -gencode=arch=compute_90a,code=sm_90a --fmad=false -o "${f%.cu}.cubin" "$f"; done
  nvcc -O3 -std=c++17 -o $D/harness bench/matmul_variants/harness.cu -lcuda
  exit 0
fi
cd $D
SMEM=${SMEM:-196608}  # [128,256,64] x 4 stages of bf16 operands
rm -f ref.bin
for round in 1 2; do for c in v*.cubin; do ./harness "$c" "$SMEM" ref.bin; done; done
