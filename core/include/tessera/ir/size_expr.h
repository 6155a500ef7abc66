// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Size expressions: i64 rank-0 expressions over `IntImm`, `SizeVar` and `Binary`
/// add/sub/mul/div (floor division by a positive constant or symbol). Used for tensor dims,
/// tile extents and access offsets. Two size expressions are equal when their canonical forms
/// agree: a sum of integer-weighted monomials over symbols, where a quotient that does not
/// simplify (`two_d / 2`) is an opaque atom with a canonical spelling.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "tessera/ir/expr.h"

namespace tessera::ir {

/// True when `e` is a valid size expression (i64, rank 0, only the node kinds above).
bool is_size_expr(const Expr& e);

/// The canonical text of a size expression ("two_d/2", "2*m + 1"): equal strings mean equal
/// values for every assignment of the symbols.
std::string canonical_size(const Expr& e);

/// True when `a` and `b` are provably equal (canonical forms agree).
bool size_equal(const Expr& a, const Expr& b);

/// The constant value of `e` when it has no symbols.
std::optional<std::int64_t> size_constant(const Expr& e);

/// Values of the size symbols, by name.
using SizeBindings = std::map<std::string, std::int64_t>;

/// Evaluates a size expression. Throws `UserError` naming the symbol when one is unbound,
/// and on division by zero.
std::int64_t eval_size(const Expr& e, const SizeBindings& bindings);

}  // namespace tessera::ir
