// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Private to the GPU printer (printer*.cpp): the axis distributions and the `Printer` class,
/// split by op family across printer.cpp (kernel, grid, statements), printer_plan.cpp (thread
/// mapping), printer_elementwise.cpp (types, operators), printer_memory.cpp (loads, stores),
/// printer_reduce.cpp (reductions) and printer_mma.cpp (dot).

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gpu_common/printer.h"
#include "tessera/ir/ir.h"

namespace tessera::backend::gpu {

/// A key naming one axis of the kernel: tile variable t -> t, reduction dimension r -> 1000 + r.
int axis_key(const ir::Axis& a);
/// "t3" / "r0": the name fragment of an axis key.
std::string axis_tag(int key);

/// How one axis is spread over a program's threads (printer.h file comment). Element lane j of
/// the axis (0 <= j < block) is held by the thread whose component along the axis is
/// c = (j / spt) % thr, in register (j / (spt·thr))·spt + j % spt.
struct AxisDist {
  std::int64_t block = 1;  ///< tile size along the axis
  int spt = 1;             ///< contiguous elements per thread
  int thr = 1;             ///< threads along the axis (a power of two)
  int stride = 1;          ///< the axis's digit: component = (tid / stride) % thr
  bool masked = true;      ///< lanes past the valid count exist (ragged or dynamic extent)
  /// Registers per thread along the axis.
  int regs() const {
    const std::int64_t per = std::int64_t{spt} * thr;
    return static_cast<int>((block + per - 1) / per * spt);
  }
  /// True when thr·spt does not divide block (some registers map past the tile: masked too).
  bool overhang() const { return block % (std::int64_t{spt} * thr) != 0; }
};

/// The thread mapping of a program: one distribution per axis, the staged dot operands, and the
/// order of loads (for `load_eviction_policies`).
struct ThreadPlan {
  int threads = 32;
  std::map<int, AxisDist> axes;             ///< by axis key
  std::set<int> staged_lets;                ///< Let ids of dot operands (shared-memory tiles)
  std::map<int, ir::Expr> staged_values;    ///< their values
  std::map<const ir::ExprNode*, int> load_order;  ///< Load node -> index in program order
  std::vector<std::string> notes;
};

/// The direct operand expressions of `e` (index values of loads included; undefined skipped).
std::vector<ir::Expr> expr_children(const ir::Expr& e);

/// Computes the thread plan of `p` for `threads` threads (printer_plan.cpp).
ThreadPlan plan_threads(const lower::Program& p, int threads, int warp_size);

// ---- value spelling (printer_elementwise.cpp) ----------------------------------------------
std::string ident(const std::string& s);
std::string value_type(DType t);    ///< register type ("float" for f16/bf16/fp8)
std::string storage_type(DType t);  ///< element type in memory ("ts::u16" for bf16)
std::string from_storage(DType t, const std::string& raw);
std::string to_storage(DType t, const std::string& v);
std::string round_to(DType t, const std::string& v);
std::string float_literal(DType t, double v);
std::string cast_value(DType from, DType to, const std::string& x);
std::string unary(ir::UnaryOp op, DType t, const std::string& x, ir::MathMode mode);
std::string binary(ir::BinaryOp op, DType t, const std::string& a, const std::string& b,
                   ir::MathMode mode);

/// Accumulator form of a reduction.
struct ReduceForm {
  std::string acc_type;
  std::string init;
  /// Adds one input element `x` to `acc`.
  std::function<std::string(const std::string& acc, const std::string& x)> add;
  /// Combines two partial accumulators.
  std::function<std::string(const std::string& a, const std::string& b)> combine;
};
ReduceForm reduce_form(ir::ReduceOp op, DType t);

/// The printer: one instance per kernel.
class Printer {
 public:
  Printer(const lower::Program& p, const Dialect& d);
  KernelSource run();

  // ---- output ----
  void line(const std::string& s) { body_ << std::string(2 * indent_, ' ') << s << "\n"; }
  void open(const std::string& s) { line(s + (s.empty() ? "{" : " {")); ++indent_; }
  void close() { --indent_; line("}"); }
  [[noreturn]] void unsupported(const std::string& what) const;

  // ---- axes and registers (printer.cpp) ----
  const AxisDist& dist(const ir::Axis& a) const;
  /// Non-broadcast axes of a type, in order.
  static std::vector<ir::Axis> real_axes(const std::vector<ir::Axis>& axes);
  /// Registers a thread holds for a value with `axes`.
  int reg_count(const std::vector<ir::Axis>& axes) const;
  /// The flat register index of a value with `axes` inside a register loop nest.
  std::string reg_index(const std::vector<ir::Axis>& axes) const;
  /// Lane index (within the tile) of the current register along `a`: "i_t3".
  static std::string lane(const ir::Axis& a);
  /// Valid lanes of `a` in the current tile: "t3_n" / "r0_n".
  static std::string count(const ir::Axis& a);
  static std::string base(const ir::Axis& a);
  /// Runs `body` inside unrolled loops over the registers of `axes`; `valid` receives the
  /// condition "every lane valid" ("" when always true).
  void reg_loops(const std::vector<ir::Axis>& axes,
                 const std::function<void(const std::string& valid)>& body);
  /// The condition that lane `lane(a)` is valid, or "" when it always is.
  std::string lane_valid(const ir::Axis& a) const;
  /// The condition that this thread is the canonical replica for values over `axes`.
  std::string owner_condition(const std::vector<ir::Axis>& axes) const;

  // ---- expressions (printer_elementwise.cpp) ----
  std::string elem(const ir::Expr& e);
  void prepare(const ir::Expr& e);
  std::string array_elem(const std::string& name, const std::vector<ir::Axis>& axes) const;
  void declare(const std::string& name, const ir::Type& t, const std::string& init = "");

  // ---- memory (printer_memory.cpp) ----
  std::string address(const std::string& tensor, const std::vector<ir::Index>& idx);
  void emit_load_let(const std::string& name, const ir::Load& load, const ir::Expr& self);
  void emit_store(const ir::Store& st);
  void emit_staged_load(int let_id, const ir::Expr& value);
  /// Whether the last-axis accesses of `tensor` by `idx` can move spt-wide vectors.
  bool vectorizable(const std::string& tensor, const std::vector<ir::Index>& idx,
                    std::string* why = nullptr);
  std::string load_hint(const ir::ExprNode* load) const;

  // ---- reductions (printer_reduce.cpp) ----
  void materialize_reduce(const ir::Reduce& r, const ir::Expr& self);
  void cross_thread_combine(const std::string& acc, int regs, const AxisDist& d,
                            const ReduceForm& form);
  void with_chunks(int rdim, const ir::Expr& root, const std::function<void()>& body);
  void emit_deferred(const ir::Expr& root);

  // ---- dot (printer_mma.cpp) ----
  void declare_staging();
  void materialize_dot(const ir::Dot& d, const std::string& target, bool in_place);

  // ---- statements (printer.cpp) ----
  void emit(const ir::Stmt& s);
  void emit_device_loop(const ir::TileLoop& l);
  void set_tile(int tv, const std::string& tile_index);
  void emit_grid();
  void emit_signature(std::ostringstream& os) const;

  const lower::Program& p_;
  const ir::Kernel& k_;
  const Dialect& d_;
  ThreadPlan plan_;
  std::ostringstream body_;
  int indent_ = 0;
  int counter_ = 0;
  std::string idx_t_;  ///< "int" or "long long"
  std::map<const ir::ExprNode*, std::string> temps_;  ///< materialized Reduce/Dot in scope
  std::map<int, ir::Expr> deferred_;                  ///< Lets along a looped rdim
  std::set<int> emitted_deferred_;
  std::map<int, ir::Expr> staged_values_;             ///< staged Let id -> value
  std::vector<std::string> smem_decls_;               ///< shared-memory declarations
  std::int64_t smem_bytes_ = 0;
  std::int64_t reduce_smem_floats_ = 0;               ///< scratch for cross-warp reductions
  std::vector<std::string> notes_;
};

}  // namespace tessera::backend::gpu
