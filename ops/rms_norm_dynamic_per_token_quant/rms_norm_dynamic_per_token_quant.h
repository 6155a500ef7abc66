// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `rms_norm_dynamic_per_token_quant(result✱, input, weight, scale✱, epsilon, scale_ub=None,
/// residual✱=None)`, as vLLM's Helion kernel
/// (vllm/kernels/helion/ops/rms_norm_dynamic_per_token_quant.py). Per row, in f32:
/// x = input (+ residual; residual <- x in the input dtype), r = rsqrt(sum(x²) · (1 / H) + eps),
/// xn = (x · r rounded to the input dtype) · weight (input-dtype product),
/// s = max|xn|, s = min(s, scale_ub), s = max(s · (1 / qmax), min_scale), scale[row] = s;
/// fp8 (e4m3fn): result = fp8(clamp(xn / s, ±448)); int8: result = clamp(round(xn · (1 / s)),
/// -128, 127) with min_scale = f32 eps. `scale_ub` only with fp8 results (vLLM asserts it).
///
/// Tile structure (so vLLM's tuned configs keep their meaning): a grid over rows with block 1
/// and three device loops over hidden_size (sum of squares, absmax, quantize + residual
/// update): `block_sizes` = [loop 1, loop 2, loop 3]; hidden_size specialized.
/// Case key `{"hidden_size", "num_tokens"}`; picker: closest hidden size, then the smallest
/// tuned token count >= the call's (else the largest).
///
/// The input generator's cases are vLLM's (T14 x {2048, 4096, 5120}, bf16, fp8 result, residual
/// and scale_ub given); a key may add the test-only integer fields `"int8"` (1: int8 result,
/// no scale_ub), `"residual"` (0: none) and `"scale_ub"` (0: none), e.g.
/// `tessera run rms_norm_dynamic_per_token_quant --key hidden_size=200,num_tokens=5,int8=1`.

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec rms_norm_dynamic_per_token_quant_spec();

/// result: f8e4m3fn or i8 [M, H]; input: bf16|f16|f32 [M, H]; weight: input dtype [H];
/// scale: f32 [M, 1]; scale_ub: null or a one-element f32 tensor (fp8 results only);
/// residual: null or input dtype [M, H], updated in place to input + residual. Last dimensions
/// contiguous. Throws `UserError` for a shape, dtype or device mismatch before any launch.
void rms_norm_dynamic_per_token_quant(const runtime::TensorView& result, const runtime::TensorView& input,
                                      const runtime::TensorView& weight, const runtime::TensorView& scale,
                                      double epsilon, const runtime::TensorView* scale_ub = nullptr,
                                      const runtime::TensorView* residual = nullptr,
                                      runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
