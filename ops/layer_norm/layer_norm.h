// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `layer_norm(out✱, input, weight, bias, epsilon)`: out[t, :] = cast((x - μ) · rsqrt(σ² + eps)
/// · w + b), x = f32(input[t, :]), μ and σ² the row's mean and (biased) variance, w and b in
/// f32; stored in the input dtype (torch.nn.functional.layer_norm over the last dimension).
/// Tile structure: Helion's layer_norm example — a grid tile loop over rows (`block_sizes` =
/// [rows per program]) and full-row reductions (`reduction_loops` = [null or a chunk size]).
/// The row length is specialized (compile-time), token counts are dynamic. Case key
/// `{"hidden_size", "num_tokens"}`; picker: closest hidden size, then the smallest tuned token
/// count >= the call's (else the largest).

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec layer_norm_spec();

/// out, input: bf16|f16|f32 [..., H] of one dtype and shape (last dimension contiguous);
/// weight, bias: the same dtype [H]. Throws `UserError` on a mismatch before any launch.
void layer_norm(const runtime::TensorView& out, const runtime::TensorView& input, const runtime::TensorView& weight,
                const runtime::TensorView& bias, double epsilon, runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
