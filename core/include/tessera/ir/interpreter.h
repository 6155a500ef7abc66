// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The float64 reference interpreter: runs any verified kernel on host tensors, program by
/// program and tile by tile, with the semantics of ir.h. It is the oracle for every code
/// generator's tests.
///
/// Numerics: f64 and f32 values are held as doubles; f32 results are *not* rounded to f32
/// unless `InterpretOptions::round_f32` (so the interpreter gives the exact value the error
/// bounds of ops.h are measured against). f16, bf16, fp8 and integer values are rounded
/// exactly at every operation and cast, because those roundings are part of the kernel's
/// defined result. Approximate operations are evaluated exactly (libm in double).
/// Invalid lanes hold NaN, so a value that leaks from them into an output shows up.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tessera/ir/host_tensor.h"
#include "tessera/ir/kernel.h"

namespace tessera::ir {

/// Options of one interpreter run.
struct InterpretOptions {
  /// One block size per `block_sizes` slot (Kernel::num_block_sizes()); empty = every slot 16.
  std::vector<std::int64_t> block_sizes;
  /// Round f32 results to f32 after every operation (emulates an f32 backend more closely).
  bool round_f32 = false;
};

/// Arguments of one run: tensors by parameter name (inputs and outputs) and scalars by name.
struct InterpretArgs {
  std::map<std::string, HostTensor*> tensors;
  std::map<std::string, double> scalars;
};

/// Runs `k`: binds the size symbols from the tensors' shapes (a mismatch is a `UserError`
/// naming the tensor and dimension), then executes every program in order and writes the
/// outputs. A valid lane that loads or stores out of bounds is a `UserError` naming the
/// access.
void interpret(const Kernel& k, const InterpretArgs& args, const InterpretOptions& opts = {});

}  // namespace tessera::ir
