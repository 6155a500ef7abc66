// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The op library: vLLM's Helion kernels and a few common ones, each in its own folder
/// (definition, picker, input generator, float64 reference) with a typed call API
/// (`tessera::ops::silu_mul_fp8(out, input, scale, stream)`), all registered in the process-wide
/// kernel registry by `register_ops`. The generic call by name is `call(name, args, stream)`.
///
/// Registration is explicit (STYLE B9): `ops_registry()` registers the ops once, on first use.

#include <string>
#include <string_view>
#include <vector>

#include "tessera/registry/registry.h"

namespace tessera::ops {

/// Every op's registry entry, in a fixed order (vLLM's seven first).
std::vector<registry::KernelSpec> op_specs();

/// Registers every op in `registry` (throws `UserError` if one is already there).
void register_ops(registry::KernelRegistry& registry);

/// The process-wide registry with the ops registered (once, thread safe).
registry::KernelRegistry& ops_registry();

/// The op called `name` in `ops_registry()`; `UserError` listing the ops if absent.
const registry::RegisteredKernel& op_kernel(std::string_view name);

/// The generic call: runs op `name` with positional `args` (its signature: `op_kernel(name).spec()`).
void call(std::string_view name, registry::KernelArgs args, runtime::Stream* stream = nullptr);

}  // namespace tessera::ops
