// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `silu_and_mul_per_block_quant(out✱, input, scales✱, group_size, scale_ub=None,
/// is_scale_transposed=False)`, as vLLM's Helion kernel
/// (vllm/kernels/helion/ops/silu_and_mul_per_block_quant.py). In f32, with a = input[:, :I] and
/// b = input[:, I:]: x = a · sigmoid(a) · b; per (row, group of `group_size` columns):
/// s = max|x|, s = min(s, scale_ub), s = max(s · (1 / qmax), min_scale), scales[row, group] = s;
/// fp8 (e4m3fn): out = fp8(clamp(x / s, ±448)); int8: out = clamp(round(x · (1 / s)), -128,
/// 127) with min_scale = f32 eps. As vLLM asserts: group_size is 64 or 128 and scale_ub only
/// with fp8 results; `scales` may have any strides (is_scale_transposed is vLLM's dummy flag).
///
/// Tile structure (so vLLM's tuned configs keep their meaning): input viewed as
/// [num_tokens, 2 · groups_per_row, group_size], out as [num_tokens, groups_per_row,
/// group_size], one 3-d grid with fixed blocks 1 (rows) and group_size: `block_sizes` = [groups
/// per program]; `loop_orders` permutes the three grid dimensions. The input width, group_size
/// and groups_per_row are specialized. Case key `{"intermediate_size", "group_size",
/// "num_tokens"}` taken from `out`'s shape; picker: closest intermediate size, closest group
/// size, then the smallest tuned token count >= the call's (else the largest).
///
/// The input generator's cases are vLLM's (T14 x intermediate {6144, 12288, 25600} x group 128,
/// bf16, fp8 out, scale_ub given); a key may add the test-only integer fields `"int8"` (1: int8
/// out, no scale_ub), `"scale_ub"` (0: none) and `"transposed"` (1: column-major scales), e.g.
/// `tessera run silu_and_mul_per_block_quant --key intermediate_size=320,group_size=64,num_tokens=5,int8=1`.

#include <cstdint>

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec silu_and_mul_per_block_quant_spec();

/// out: f8e4m3fn or i8 [M, I]; input: bf16|f16|f32 [M, 2 I]; scales: f32 [M, I / group_size],
/// any strides; scale_ub: null or a one-element f32 tensor (fp8 outputs only). Last dimensions of
/// out and input contiguous. Throws `UserError` for a shape, dtype or device mismatch before
/// any launch.
void silu_and_mul_per_block_quant(const runtime::TensorView& out, const runtime::TensorView& input,
                                  const runtime::TensorView& scales, std::int64_t group_size,
                                  const runtime::TensorView* scale_ub = nullptr, bool is_scale_transposed = false,
                                  runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
