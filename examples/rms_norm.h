// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Example kernel `rms_norm`: its tile-language definition and an independent float64 reference
/// (plain loops over host tensors, no IR), which writes with the output dtype's cast rules.

#include "tessera/ir/host_tensor.h"
#include "tessera/ir/kernel.h"

namespace tessera::examples {

/// out = x · rsqrt(mean(x², row) + eps) · w, computed in f32, stored in x's dtype; one
/// reduction dimension (the row).
ir::Kernel rms_norm_kernel(DType dtype = DType::bf16);
void rms_norm_reference(const ir::HostTensor& x, const ir::HostTensor& w, double eps, ir::HostTensor& out);

}  // namespace tessera::examples
