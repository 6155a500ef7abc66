// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The verifier: checks a whole kernel against the spec of ir.h ([tinygrad] `uop/spec.py`).
/// It runs on every kernel the front end builds and after every pass that rewrites one.
///
/// Checked: parameter tables (unique names, size-expression dims over declared symbols,
/// output dims over input symbols); exactly one grid `TileLoop`, at the top; tile variables
/// and reduction dimensions referenced by id exist and are in scope (a tile axis may only be
/// used inside its loop); `Var`s refer to an earlier `Let` in an enclosing block, `LocalRead`
/// and `LocalAssign` to an earlier `LocalDecl`, with matching types; each node's type agrees
/// with what its `make()` computes from its children; accesses match their tensor (rank,
/// `all()` extents equal to the dimension); every element of every output is stored.

#include <string>

#include "tessera/ir/kernel.h"

namespace tessera::ir {

/// Throws `UserError` ("kernel 'NAME': ...") describing the first violation.
void verify(const Kernel& k);

/// Checks only that every output is fully covered by its stores (part of `verify`): for each
/// output there is a set of stores whose per-dimension index ranges tile [0, dim) in every
/// dimension (ranges of a dimension may be split between stores that agree elsewhere).
/// Throws `UserError` naming the output and the uncovered dimension.
void verify_output_coverage(const Kernel& k);

}  // namespace tessera::ir
