// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Example kernel `softmax`: its tile-language definition and an independent float64 reference
/// (plain loops over host tensors, no IR), which writes with the output dtype's cast rules.

#include "tessera/ir/host_tensor.h"
#include "tessera/ir/kernel.h"

namespace tessera::examples {

/// Row-wise stable softmax: exp(x - max) / sum(exp(x - max)), computed in f32.
ir::Kernel softmax_kernel(DType dtype = DType::f32);
void softmax_reference(const ir::HostTensor& x, ir::HostTensor& out);

}  // namespace tessera::examples
