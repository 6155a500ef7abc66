// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `softmax(out✱, input)` over the last dimension: out[r, :] = cast(e / Σe), e = exp(x - max(x)),
/// x = f32(input[r, :]); stored in the input dtype (torch.softmax(x, -1) for bf16/f16/f32).
/// Tile structure: Helion's softmax example — a grid tile loop over rows (`block_sizes` = [rows
/// per program]) and full-row max and sum reductions (`reduction_loops` = [null or a chunk
/// size]). The row length is specialized (compile-time), the row count is dynamic. Case key
/// `{"num_rows", "row_size"}`; picker: closest row size, then the smallest tuned row count >=
/// the call's (else the largest).

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec softmax_spec();

/// out, input: bf16|f16|f32 [..., N] of one dtype and shape (last dimension contiguous).
void softmax(const runtime::TensorView& out, const runtime::TensorView& input, runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
