// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Example kernel `silu_mul_fp8`: its tile-language definition and an independent float64 reference
/// (plain loops over host tensors, no IR), which writes with the output dtype's cast rules.

#include "tessera/ir/host_tensor.h"
#include "tessera/ir/kernel.h"

namespace tessera::examples {

/// vLLM silu_mul_fp8: a = x[:, :d], b = x[:, d:]; out = e4m3fn(f32(silu(a)·b) · (1/scale)),
/// silu(a)·b evaluated on input-dtype tiles (OPS.md); 2-D grid over (m, d), d specialized.
ir::Kernel silu_mul_fp8_kernel(DType in_dtype = DType::bf16);
void silu_mul_fp8_reference(const ir::HostTensor& x, const ir::HostTensor& scale, ir::HostTensor& out);

}  // namespace tessera::examples
