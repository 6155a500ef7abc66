// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `add(out✱, x, y)`: out = cast(f32(x) + f32(y)), elementwise over [..., H] tensors of one dtype
/// and shape (a residual add). Tile structure: one 2-D grid tile loop over [tokens, H]
/// (`block_sizes` = [tokens, H] per program); no size is specialized, so one compile serves
/// every shape of a picked key. Case key `{"hidden_size", "num_tokens"}`; picker: closest hidden
/// size, then the smallest tuned token count >= the call's (else the largest).

#include "tessera/registry/kernel_spec.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {

/// The registry entry.
registry::KernelSpec add_spec();

/// out, x, y: bf16|f16|f32 [..., H], one dtype and shape, last dimension contiguous.
void add(const runtime::TensorView& out, const runtime::TensorView& x, const runtime::TensorView& y,
         runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
