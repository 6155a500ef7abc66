// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// One lowered program compiled and loaded for one device, and the launch of it: the step of
/// DESIGN.md's data flow that every caller shares (`lang::Kernel`, the op registry, tools).
///
/// `compile_program(device, program)` goes through the runtime's backend registry: the
/// device's backend supplies the `Codegen` (program -> source) and `Compiler` (source ->
/// binary) roles, and the device loads the binary. No backend is named here: every backend that
/// registers its roles (cpu, cuda; hip once its code generator lands) is used the same way, and
/// the launch shape (threads per block, dynamic shared memory) comes from the code generator
/// with the source (`backend::Source::launch`). `CompiledKernel::launch` marshals arguments in the program's parameter order
/// (lower::Program::params: tensor pointers, scalars in their dtype's storage format, run-time
/// sizes, run-time strides, the program count of persistent kernels) and launches the grid on
/// a stream, without host synchronization.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "tessera/lower/program.h"
#include "tessera/runtime/backend.h"
#include "tessera/runtime/device.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/stream.h"
#include "tessera/runtime/tensor.h"

namespace tessera::lang {

/// One argument of a kernel call: a tensor or a scalar. Calls list arguments in the
/// definition's order: its inputs, then its outputs, then its scalar arguments.
/// Implicit from `TensorView`, `Tensor` and arithmetic values, so `kernel({x, w, out, 1e-6})`
/// reads like Helion's `kernel(x, w, out, 1e-6)`.
class Arg {
 public:
  Arg(const runtime::TensorView& t) : value_(t) {}  // NOLINT(google-explicit-constructor)
  Arg(const runtime::Tensor& t) : value_(t.view()) {}  // NOLINT(google-explicit-constructor)
  Arg(double v) : value_(v) {}  // NOLINT(google-explicit-constructor)
  Arg(float v) : value_(double{v}) {}  // NOLINT(google-explicit-constructor)
  Arg(int v) : value_(double(v)) {}  // NOLINT(google-explicit-constructor)
  Arg(std::int64_t v) : value_(double(v)) {}  // NOLINT(google-explicit-constructor)

  bool is_tensor() const { return std::holds_alternative<runtime::TensorView>(value_); }
  /// The tensor (only if `is_tensor()`).
  const runtime::TensorView& tensor() const { return std::get<runtime::TensorView>(value_); }
  /// The scalar (only if `!is_tensor()`). Integer scalars are exact up to 2^53.
  double scalar() const { return std::get<double>(value_); }

 private:
  std::variant<runtime::TensorView, double> value_;
};

/// The arguments of one launch, in the program's kernel order. Spans must outlive the call.
struct LaunchArgs {
  /// The kernel's inputs then outputs (`ir::Kernel::inputs`, `outputs`).
  std::span<const runtime::TensorView> tensors;
  /// The kernel's scalar arguments (`ir::Kernel::scalars`), converted to each one's dtype.
  std::span<const double> scalars;
  /// Every size symbol's value, in `ir::Kernel::size_vars` order.
  std::span<const std::int64_t> sizes;
};

/// A program compiled and loaded on one device. Immutable and thread safe: `launch` may run
/// concurrently from several threads (on distinct streams or the null stream).
///
/// The launch is the hot path of every cached call (lang::Kernel and the op registry both end
/// here): everything that does not depend on the call (parameter sources, block shape, shared
/// memory, a static grid, the grid extents' size expressions) is resolved at construction,
/// so `launch` packs the arguments into stack arrays and takes no lock and allocates nothing.
class CompiledKernel {
 public:
  /// Use `compile_program`.
  CompiledKernel(runtime::Device device, lower::Program program, backend::Source source,
                 runtime::Module module);
  CompiledKernel(const CompiledKernel&) = delete;
  CompiledKernel& operator=(const CompiledKernel&) = delete;

  const runtime::Device& device() const { return device_; }
  const lower::Program& program() const { return program_; }
  /// The generated source this binary was compiled from.
  const backend::Source& source() const { return source_; }

  /// The launch grid of a call with `sizes` (every size symbol, `size_vars` order).
  lower::LaunchGrid grid(std::span<const std::int64_t> sizes) const;
  /// Grid, block and dynamic shared memory of a call with `sizes`, as `launch` passes them.
  backend::LaunchParams launch_params(std::span<const std::int64_t> sizes) const;
  /// The loaded entry point (the vendor's function handle), for interop and for benchmarks
  /// that compare `launch` with the vendor's own launch call of the same function.
  const backend::Kernel& entry() const { return entry_; }

  /// Enqueues the kernel with `args` on `stream` (the device's null stream when null; it must
  /// belong to this kernel's device). The caller has validated the arguments against the
  /// specialization this program was lowered for (dtypes, ranks, constant sizes and strides);
  /// only counts are checked here. An empty grid launches nothing. Does not wait.
  void launch(const LaunchArgs& args, runtime::Stream* stream = nullptr) const;

 private:
  /// Where parameter i's value comes from.
  struct Slot {
    lower::ParamKind kind;
    int index;  ///< tensor, scalar or size-symbol index (kernel order)
    int dim;    ///< kStride: the dimension
    DType dtype;
  };
  /// One step of a grid extent's size expression in postfix form: push a constant, push size
  /// symbol `value`, or pop two and push their combination. Compiled once at construction so
  /// a launch evaluates extents without the name-keyed maps `lower::eval_size` takes.
  struct SizeStep {
    enum class Op : std::uint8_t { kConst, kSymbol, kAdd, kSub, kMul, kDiv, kMin, kMax } op;
    std::int64_t value;  ///< kConst: the constant; kSymbol: the size-symbol index
  };
  static constexpr int kMaxSizeDepth = 16;  ///< nesting of a grid extent's size expression
  static constexpr std::size_t kMaxGridDims = 8;  ///< tile variables of the grid loop
  void compile_extent(const ir::Expr& e, int depth);
  /// Checks `g` against the 32-bit/65535 grid limits and copies it into `lp`.
  static void set_grid(const std::string& kernel, const lower::LaunchGrid& g, backend::LaunchParams& lp);
  void resolve_launch(std::span<const std::int64_t> sizes, backend::LaunchParams& lp,
                      lower::LaunchGrid& g) const;

  runtime::Device device_;
  lower::Program program_;
  backend::Source source_;
  runtime::Module module_;
  backend::Kernel entry_;
  std::vector<Slot> slots_;
  /// The tensor (kernel order) each of `source_.tensor_maps` describes: encoded per launch,
  /// after the program's parameters.
  std::vector<int> tensor_map_tensors_;
  int num_tensors_ = 0;
  int compute_units_ = 1;
  bool static_grid_ = false;       ///< every grid extent is a compile-time constant
  lower::LaunchGrid fixed_grid_;   ///< the grid, when static
  /// Block, dynamic shared memory (from the code generator: `Source::launch`) and, for a
  /// static grid, the grid: everything of a launch that does not depend on the call.
  backend::LaunchParams fixed_params_;
  std::vector<SizeStep> extent_code_;  ///< the grid tiles' extents, one after the other
  std::vector<int> extent_end_;        ///< per grid tile: one past its last step
  std::vector<std::int64_t> grid_blocks_;  ///< per grid tile: its block size
};

/// Generates, compiles and loads `program` for `device` through the backend registry (see the
/// file comment). With `print_source`, writes the generated source to stderr first. Throws
/// `UserError` naming the device when its backend registers no code generator or compiler
/// ("the hip backend has no code generator"), and what the compiler throws on failure (its
/// full log and the dumped source's path).
std::shared_ptr<const CompiledKernel> compile_program(const runtime::Device& device,
                                                      lower::Program program,
                                                      bool print_source = false);

/// The source `device`'s code generator emits for `program` (nothing is compiled).
backend::Source generate_source(const runtime::Device& device, const lower::Program& program);

/// Converts `value` to the storage format of `dtype` (the cast rules of ir.h: RNE, fp8
/// saturation, integer rounding and clamping) into the low bytes of an 8-byte slot.
std::uint64_t scalar_storage(double value, DType dtype);

}  // namespace tessera::lang
