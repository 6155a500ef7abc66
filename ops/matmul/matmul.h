// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `matmul(out✱, a, b)`: out[m, n] = cast(Σ_k f32(a[m, k]) · f32(b[k, n])) for bf16 or f16 a, b
/// (out in their dtype, as torch.matmul), products exact and f32 accumulation. Tile structure:
/// Helion's matmul example — a 2-D grid tile loop over [m, n] and a device loop over k carrying
/// an f32 accumulator (`block_sizes` = [m, n, k]; `l2_groupings`, `num_stages` for the
/// pipelined k loop); k and n (the weight's shape) are compile-time constants of each program,
/// m (the token count) a run-time value: one compile per (weight shape, picked key) serves every
/// batch. Case key `{"k", "m", "n"}`; picker: closest n, then closest k, then the smallest tuned
/// m >= the call's (else the largest): m is the token-like dimension.

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec matmul_spec();

/// a: bf16|f16 [M, K], b: the same dtype [K, N], out: the same dtype [M, N]; last dimensions
/// contiguous. Throws `UserError` on a mismatch before any launch.
void matmul(const runtime::TensorView& out, const runtime::TensorView& a, const runtime::TensorView& b,
            runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
