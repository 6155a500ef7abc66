// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Example kernel `dynamic_per_token_fp8_quant`: its tile-language definition and an independent float64 reference
/// (plain loops over host tensors, no IR), which writes with the output dtype's cast rules.

#include "tessera/ir/host_tensor.h"
#include "tessera/ir/kernel.h"

namespace tessera::examples {

/// vLLM dynamic_per_token_scaled_fp8_quant (OPS.md) with vLLM's loop structure: a grid over
/// rows with block size 1, one device loop for the row absmax (carried in a local), one for
/// the quantized row. s = max(amax|x| / 448, 1/(448·512)); result = e4m3fn(clamp(x·(1/s))).
ir::Kernel dynamic_per_token_fp8_quant_kernel(DType in_dtype = DType::bf16);
void dynamic_per_token_fp8_quant_reference(const ir::HostTensor& x, ir::HostTensor& result,
                                           ir::HostTensor& scale);

}  // namespace tessera::examples
