// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Private to the CPU code generator: which `Let`s are evaluated at their uses instead of into
/// a tile array.
///
/// Why: the front end binds every load and every intermediate to a `Let`. Giving each its own
/// fixed-size array costs a store and a reload of every element per Let (`add` made three
/// extra passes through L1 per tile and ran at a third of a hand-written loop). A Let whose
/// value is spliced into the expression of its consumer becomes part of one fused loop that
/// reads the tensors and writes the result directly.
///
/// When it is done (all conditions):
/// * the Let is a tile (rank > 0) and its value contains no `Reduce` or `Dot` (those are
///   materialized anyway; the code generator refers to their arrays directly);
/// * every use is in a later statement of the same block, not inside a nested tile loop (which
///   would evaluate it once per iteration) and not an operand of a `Dot` (reused across a whole
///   tile dimension: converting it once into an array is cheaper);
/// * one use, unless the value is trivial (a load with a free conversion, a cast of one, a
///   broadcast of a Var), which is cheaper to re-read from the cache at each use than to copy;
///   a single use that broadcasts the value over more lanes than it has is inlined only when
///   the value is cheap (no division or transcendental function recomputed per lane);
/// * evaluating it later reads the same memory: no statement between the Let and the place
///   where the value is finally evaluated stores to a tensor it loads or assigns a local it
///   reads (ir.h: a Let evaluates its value where it stands). A store at that place to a
///   tensor the value loads is refused too (the fused loop would interleave reads and writes).

#include <set>

#include "tessera/lower/program.h"

namespace tessera::backend::cpu {

/// The evaluation plan of the Lets of one program.
struct LetPlan {
  std::set<int> inlined;  ///< ids of the Lets evaluated at their uses
};

/// Decides which Lets of `program.kernel` are inlined (rules above).
LetPlan plan_lets(const lower::Program& program);

}  // namespace tessera::backend::cpu
