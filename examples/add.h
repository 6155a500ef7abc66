// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Example kernel `add`: its tile-language definition and an independent float64 reference
/// (plain loops over host tensors, no IR), which writes with the output dtype's cast rules.

#include "tessera/ir/host_tensor.h"
#include "tessera/ir/kernel.h"

namespace tessera::examples {

/// out[m, n] = x + y (elementwise, 2-D grid).
ir::Kernel add_kernel(DType dtype = DType::f32);
void add_reference(const ir::HostTensor& x, const ir::HostTensor& y, ir::HostTensor& out);

}  // namespace tessera::examples
