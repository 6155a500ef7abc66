// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The IR printer: readable text for `tessera ir`, test expectations and cache keys. The
/// output is deterministic (same kernel, same text) and lists, in order: the signature,
/// the size symbols, the tile variables and reduction dimensions, then the body, e.g.
/// \code
///   kernel add(x: f32[n], y: f32[n]) -> (out: f32[n])  math=fast
///     sizes n
///     tile t0 over n: block_sizes[0]
///     grid tile (t0) {
///       %0: f32[t0] = load x[t0]
///       %1: f32[t0] = load y[t0]
///       %2: f32[t0] = add(%0, %1)
///       store out[t0] = %2
///     }
/// \endcode

#include <iosfwd>
#include <string>

#include "tessera/ir/expr.h"
#include "tessera/ir/kernel.h"

namespace tessera::ir {

/// Prints a whole kernel.
void print(std::ostream& os, const Kernel& k);
std::string to_string(const Kernel& k);
/// Prints one expression inline ("add(%0, mul(%1, 2.0))").
std::string to_string(const Expr& e);
/// Prints one statement (and its body) at indentation `indent`.
std::string to_string(const Stmt& s, int indent = 0);
/// Prints an access: "x[t0, t1 + two_d/2, :R0, 0, none]".
std::string to_string(const std::string& tensor, const std::vector<Index>& indices);

}  // namespace tessera::ir
