// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `dynamic_per_token_scaled_fp8_quant(result✱, input, scale✱, scale_ub=None)`, as vLLM's Helion
/// kernel: per row s = max|x| (f32), s = min(s, scale_ub), s = max(s / 448, 1 / 229376);
/// scale[row] = s; result = fp8e4m3fn(clamp(x * (1 / s), ±448)). Tile structure: grid over
/// rows with block 1, two device loops over hidden_size (`block_sizes` = [amax loop, quant
/// loop]); hidden_size specialized. Case key `{"hidden_size", "num_tokens"}`; picker: closest
/// hidden size, then the smallest tuned token count >= the call's (else the largest).

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec dynamic_per_token_scaled_fp8_quant_spec();

/// result: f8e4m3fn [M, H]; input: bf16|f16|f32 [M, H] (last dim contiguous); scale: f32 [M, 1];
/// scale_ub: null or a one-element f32 tensor.
void dynamic_per_token_scaled_fp8_quant(const runtime::TensorView& result, const runtime::TensorView& input,
                                        const runtime::TensorView& scale, const runtime::TensorView* scale_ub = nullptr,
                                        runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
