// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `silu_mul_fp8`: out[..., d] = fp8e4m3fn(f32(silu(a) * b) * (1 / scale)), a = input[..., :d],
/// b = input[..., d:], as vLLM's Helion kernel (vllm/kernels/helion/ops/silu_mul_fp8.py): silu
/// and the product on input-dtype tiles (rounded to it), no clamp; one grid tile loop over
/// [tokens, d] (`block_sizes` = [tokens, d]); d specialized. Case key
/// `{"intermediate": d, "numtokens": tokens}`; picker: closest intermediate, then the smallest
/// tuned token count >= the call's (else the largest).

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry (signature `(out✱ f8e4m3fn[..., d], input bf16|f16|f32[..., 2d], scale f32[1])`).
registry::KernelSpec silu_mul_fp8_spec();

/// Runs silu_mul_fp8 on the tensors' device, enqueued on `stream` (null: the device's null
/// stream). Throws `UserError` for a shape, dtype or device mismatch before any launch.
void silu_mul_fp8(const runtime::TensorView& out, const runtime::TensorView& input, const runtime::TensorView& scale,
                  runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
