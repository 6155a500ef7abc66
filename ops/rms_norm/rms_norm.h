// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `rms_norm(out✱, input, weight, epsilon)`, vLLM's `torch.ops._C.rms_norm` argument order:
/// out[t, :] = cast(x · rsqrt(mean(x², row) + eps) · w), x = f32(input[t, :]), w = f32(weight),
/// evaluated in f32 and stored in the input dtype. Tile structure: Helion's rms_norm example —
/// a grid tile loop over rows (`block_sizes` = [rows per program]) and a full-row reduction
/// (`reduction_loops` = [null: the whole row in registers, or a chunk size: a looped
/// reduction]). The row length is *specialized* (compile-time): model hidden sizes are few, and
/// a persistent reduction needs its extent at compile time; one compile per (picked key, hidden
/// size), token counts stay dynamic. Case key `{"hidden_size", "num_tokens"}`; picker: closest
/// hidden size, then the smallest tuned token count >= the call's (else the largest).

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec rms_norm_spec();

/// out, input: bf16|f16|f32 [..., H] of one dtype and shape (last dimension contiguous);
/// weight: the same dtype [H]. Throws `UserError` on a mismatch before any launch.
void rms_norm(const runtime::TensorView& out, const runtime::TensorView& input, const runtime::TensorView& weight,
              double epsilon, runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
