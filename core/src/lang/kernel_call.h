// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Checking a call's arguments against a definition, and reducing them to a specialization key
/// and a `lower::Specialization` (kernel.h explains the rules). Private to core/src/lang.

#ifndef TS_IMPL_LANG_KERNEL
#error "kernel_call.h is private to core/src/lang"
#endif

#include <cstdint>
#include <span>
#include <vector>

#include "tessera/ir/kernel.h"
#include "tessera/lang/kernel.h"

namespace tessera::lang::detail {

/// What checking a call established.
struct CheckedCall {
  runtime::DeviceId device;
  std::vector<std::int64_t> sizes;  ///< every size symbol, `size_vars` order
  bool needs_index64 = false;       ///< some tensor is too large for 32-bit offsets
};

/// Checks `args` against `k` (kernel.h: `Kernel::specialization_key`). Throws `UserError`.
CheckedCall check_call(const ir::Kernel& k, std::span<const Arg> args);

/// What the key records of a tensor's alignment, the facts `make_specialization` passes to the
/// printers: bit 0 `data_aligned16` (static shapes: constant strides need it), bit 1
/// `rows_aligned16`.
std::int64_t alignment_code(const runtime::TensorView& t, bool static_shapes);

/// The key of a checked call.
SpecializationKey make_key(const ir::Kernel& k, const ResolvedSettings& s,
                           std::span<const Arg> args, const CheckedCall& call);

/// What the generated code may assume about calls of a key: the constant sizes and strides
/// and the index width.
lower::Specialization make_specialization(const ir::Kernel& k, const ResolvedSettings& s,
                                          std::span<const Arg> args, const CheckedCall& call);

/// The tensor views of a checked call (inputs then outputs) and its scalars.
void split_args(const ir::Kernel& k, std::span<const Arg> args,
                std::vector<runtime::TensorView>& tensors, std::vector<double>& scalars);

/// Readable key text (SpecializationKey::str()).
std::string key_text(const ir::Kernel& k, const std::vector<std::int64_t>& codes,
                     const std::string& extra);

}  // namespace tessera::lang::detail
