// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `rms_norm_per_block_quant(result✱, input, weight, scale✱, epsilon, scale_ub, residual✱,
/// group_size, is_scale_transposed)` (positional, no defaults; scale_ub and residual may be None),
/// as vLLM's Helion kernel (vllm/kernels/helion/ops/rms_norm_per_block_quant.py). Per row, in f32:
/// x = input (+ residual; residual <- x in the input dtype), r = rsqrt(sum(x²) · (1 / H) + eps),
/// xn = (x · r rounded to the input dtype) · weight (input-dtype product); then per group of
/// `group_size` columns: s = max|xn|, s = min(s, scale_ub), s = max(s · (1 / qmax), min_scale),
/// scale[row, group] = s; fp8 (e4m3fn): result = fp8(clamp(xn / s, ±448)); int8: result =
/// clamp(round(xn · (1 / s)), -128, 127) with min_scale = f32 eps. As vLLM asserts:
/// group_size is 64 or 128, scale_ub only with fp8 results, and a scale with stride(1) > 1 needs
/// is_scale_transposed (the scale tensor may have any strides).
///
/// Tile structure (so vLLM's tuned configs keep their meaning): a grid over rows with block 1,
/// a device loop over hidden_size (sum of squares, `block_sizes[0]`), then a 2-d device loop
/// over [groups_per_row, group_size] with fixed block group_size (`block_sizes[1]` = groups per
/// iteration; its group dimension may be a static range). hidden_size, group_size and
/// groups_per_row are specialized. Case key `{"hidden_size", "group_size", "num_tokens"}`;
/// picker: closest hidden size, closest group size, then the smallest tuned token count >= the
/// call's (else the largest).
///
/// The input generator's cases are vLLM's (T14 x hidden {2048, 4096, 5120} x group 128, bf16, fp8
/// result, residual and scale_ub given); a key may add the test-only integer fields `"int8"` (1:
/// int8 result, no scale_ub), `"residual"` (0: none), `"scale_ub"` (0: none), `"transposed"`
/// (1: column-major scale, is_scale_transposed = True) and the string `"dtype"` ("f16" or "f32"
/// input, weight and residual), e.g.
/// `tessera run rms_norm_per_block_quant --key hidden_size=192,group_size=64,num_tokens=5,int8=1`.

#include <cstdint>

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec rms_norm_per_block_quant_spec();

/// result: f8e4m3fn or i8 [M, H]; input: bf16|f16|f32 [M, H]; weight: input dtype [H];
/// scale: f32 [M, H / group_size], any strides; scale_ub: null or a one-element f32 tensor (fp8
/// results only); residual: null or input dtype [M, H], updated in place to input + residual.
/// Last dimensions of result, input and residual contiguous. Throws `UserError` for a shape,
/// dtype or device mismatch before any launch.
void rms_norm_per_block_quant(const runtime::TensorView& result, const runtime::TensorView& input,
                              const runtime::TensorView& weight, const runtime::TensorView& scale, double epsilon,
                              const runtime::TensorView* scale_ub, const runtime::TensorView* residual,
                              std::int64_t group_size, bool is_scale_transposed, runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
