// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Example kernel `layer_norm`: its tile-language definition and an independent float64 reference
/// (plain loops over host tensors, no IR), which writes with the output dtype's cast rules.

#include "tessera/ir/host_tensor.h"
#include "tessera/ir/kernel.h"

namespace tessera::examples {

/// out = (x - mean) · rsqrt(var + eps) · w + b per row (biased variance), computed in f32.
ir::Kernel layer_norm_kernel(DType dtype = DType::bf16);
void layer_norm_reference(const ir::HostTensor& x, const ir::HostTensor& w, const ir::HostTensor& b,
                          double eps, ir::HostTensor& out);

}  // namespace tessera::examples
