// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `Kernel`: one traced, verified tile program with its parameter and identifier tables
/// (semantics in ir.h). Kernels are immutable values; passes build new ones.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tessera/ir/node.h"
#include "tessera/ir/ops.h"

namespace tessera::ir {

struct TileLoop;

/// Whether a tensor is read or written by the kernel.
enum class TensorRole : unsigned char {
  input,   ///< read only
  output,  ///< written (every element, checked at definition); may also be read back
};

/// A tensor parameter: name, dtype, and one i64 size expression per dimension.
struct TensorParam {
  std::string name;
  DType dtype = DType::f32;
  std::vector<Expr> dims;
  TensorRole role = TensorRole::input;
  int rank() const { return static_cast<int>(dims.size()); }
};

/// A scalar argument (`eps`), passed by value at launch.
struct ScalarParam {
  std::string name;
  DType dtype = DType::f32;
};

/// A symbolic dimension. Specialized symbols are compile-time constants of each compiled
/// program (`k.specialize(dim)`); the others are run-time launch arguments.
struct SizeVarInfo {
  std::string name;
  bool specialized = false;
};

/// A tile variable: one dimension of a `TileLoop`.
struct TileVar {
  int id = -1;
  std::string name;        ///< "tm" (front-end order: t0, t1, ... unless named)
  Expr extent;             ///< i64 size expression: the loop runs over [0, extent)
  bool is_grid = false;    ///< a dimension of the grid loop (else of a device loop)
  int loop = -1;           ///< index of its loop in `Kernel::loops()` order (definition order)
  /// A block size fixed by the definition (Helion `hl.tile(n, block_size=1)`); such a
  /// dimension has no `block_sizes` entry.
  std::optional<std::int64_t> fixed_block_size;
  int block_size_slot = -1;  ///< index into config `block_sizes`, -1 when fixed
};

/// A reduction dimension: one distinct extent sliced whole with `all()`.
struct RDim {
  int id = -1;
  std::string name;  ///< "R0", "R1", ...
  Expr extent;       ///< i64 size expression
};

/// A traced and verified kernel.
struct Kernel {
  std::string name;
  std::vector<TensorParam> inputs;   ///< in argument order
  std::vector<TensorParam> outputs;  ///< in argument order, after the inputs
  std::vector<ScalarParam> scalars;  ///< after the outputs
  std::vector<SizeVarInfo> size_vars;
  std::vector<TileVar> tile_vars;    ///< indexed by id, in definition order
  std::vector<RDim> rdims;           ///< indexed by id
  int num_lets = 0;                  ///< Let ids are in [0, num_lets)
  int num_locals = 0;                ///< local ids are in [0, num_locals)
  MathMode math_mode = MathMode::fast;
  Stmt body;                         ///< exactly one grid TileLoop (ir.h)

  /// The tensor parameter called `name` (input or output), or null.
  const TensorParam* find_tensor(const std::string& name) const;
  /// The scalar parameter called `name`, or null.
  const ScalarParam* find_scalar(const std::string& name) const;
  /// The size symbol called `name`, or null.
  const SizeVarInfo* find_size_var(const std::string& name) const;
  /// Every TileLoop in definition (pre-)order: index 0 is the grid loop.
  std::vector<const TileLoop*> loops() const;
  /// Number of `block_sizes` entries (tile dimensions without a fixed block size).
  int num_block_sizes() const;
};

}  // namespace tessera::ir
