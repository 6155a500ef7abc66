// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Example kernel `matmul`: its tile-language definition and an independent float64 reference
/// (plain loops over host tensors, no IR), which writes with the output dtype's cast rules.

#include "tessera/ir/host_tensor.h"
#include "tessera/ir/kernel.h"

namespace tessera::examples {

/// out[m, n] = bf16(Σ_k a[m, k]·b[k, n]) with f32 accumulation in a local across a device
/// loop over k (a, b: bf16 or f16).
ir::Kernel matmul_kernel(DType in_dtype = DType::bf16);
void matmul_reference(const ir::HostTensor& a, const ir::HostTensor& b, ir::HostTensor& out);

}  // namespace tessera::examples
