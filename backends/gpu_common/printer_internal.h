// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Private to the GPU printer (printer*.cpp): the axis distributions and the `Printer` class,
/// split by op family across printer.cpp (kernel, grid, statements), printer_plan.cpp (thread
/// mapping), printer_elementwise.cpp (types, operators), printer_memory.cpp (loads, stores),
/// printer_reduce.cpp (reductions), printer_mma_stage.cpp (dot operands in shared memory, the
/// cp.async pipeline), printer_mma.cpp (dot: mma.sync or FMA) and printer_hip_mfma.cpp (dot on
/// AMD MFMA).

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
  /// Two-digit axes (the M and N axes of an mma accumulator): the low digit has `lo_thr`
  /// threads at `stride` (lanes of a warp), the high one thr / lo_thr threads at `hi_stride`
  /// (warps): component = (tid / stride) % lo_thr + lo_thr · ((tid / hi_stride) % (thr / lo_thr)).
  /// 0 = one digit.
  int lo_thr = 0;
  int hi_stride = 0;
  bool masked = true;      ///< lanes past the valid count exist (ragged or dynamic extent)
  bool two_digit() const { return lo_thr > 0 && thr > lo_thr; }
  /// The lowest thread-index stride above every digit of this axis.
  std::int64_t top() const {
    return two_digit() ? std::int64_t{hi_stride} * (thr / lo_thr) : std::int64_t{stride} * thr;
  }
  /// Registers per thread along the axis.
  int regs() const {
    const std::int64_t per = std::int64_t{spt} * thr;
    return static_cast<int>((block + per - 1) / per * spt);
  }
  /// True when thr·spt does not divide block (some registers map past the tile: masked too).
  bool overhang() const { return block % (std::int64_t{spt} * thr) != 0; }
};

/// A dot lowered onto mma.sync m16n8k16 (printer_mma.cpp): its accumulator's M and N axes carry
/// the fragment distributions, so every value over them (the epilogue, the store) lives in the
/// mma layout without a conversion. Warp w owns warp_m = w % wm, warp_n = w / wm; a thread's
/// (lane l) registers along M are rows q·8·wm + 8·warp_m + l/4 (an m16 instruction tile r takes
/// q = 2r, 2r+1), along N columns (q/2)·8·wn + 8·warp_n + 2·(l%4) + q%2 (n8 tile s = q/2).
struct MmaPlan {
  int m_key = -1, n_key = -1;  ///< axis keys of the accumulator's M and N axes
  int wm = 1, wn = 1;          ///< warps along M and N
  int mr = 1, nr = 1;          ///< m16 / n8 instruction tiles per warp
  std::int64_t bk = 16;        ///< the K tile (a multiple of 16)
  DType dtype = DType::bf16;   ///< operand type: bf16 or f16
  /// Hopper wgmma instead (printer_wgmma.cpp): wm = num_warps, wn = 1 (the same distributions:
  /// warpgroup g's warp w is M warp 4g + w), mr = m64 tiles per warpgroup, nr = instructions of
  /// N `n_instr` across the tile.
  bool wgmma = false;
  int n_instr = 0;
};

/// A dot lowered onto AMD MFMA (printer_hip_mfma.cpp; CDNA, wave64): instructions of D x D x kin
/// (D = 32 or 16, the config's matrix_instr_nonkdim), whose result lane l holds as
/// c[r] = C[4G·(r/4) + 4·(l/D) + r%4][l%D] with G = 64/D lane groups. The accumulator's M axis is
/// spread as 4 rows per thread, G lane groups (tid stride D) and wm wavefronts (tid stride 64),
/// its N axis as 1 column per thread, D lanes (tid stride 1) and wn wavefronts (stride 64·wm):
/// exactly that layout, tiled. So the epilogue and the store use it with no conversion (D lanes
/// write D consecutive elements of a row).
struct MfmaPlan {
  int m_key = -1, n_key = -1;  ///< axis keys of the accumulator's M and N axes
  int wm = 1, wn = 1;          ///< wavefronts along M and N
  int nonkdim = 32;            ///< D: M = N of one instruction
  int kin = 8;                 ///< K of one instruction
  int tm = 1, tn = 1;          ///< instruction tiles per wavefront along M and N
  std::int64_t bk = 8;         ///< the K tile (a multiple of kin)
  DType dtype = DType::bf16;   ///< operand type: bf16, f16 or f32
  /// RDNA3 WMMA instead (wave32, D = kin = 16): lane l holds A row l%16 and B column l%16 over
  /// all 16 K (lanes 16-31 repeat lanes 0-15) and c[r] = C[2r + l/16][l%16], so M is spread as
  /// 1 row per thread, 2 lane groups (tid stride 16) and wm wavefronts (tid stride 32).
  bool wmma = false;
};

/// The thread mapping of a program: one distribution per axis, the staged dot operands, and the
/// order of loads (for `load_eviction_policies`).
struct ThreadPlan {
  int threads = 32;
  std::map<int, AxisDist> axes;             ///< by axis key
  std::set<int> staged_lets;                ///< Let ids of dot operands (shared-memory tiles)
  std::map<int, ir::Expr> staged_values;    ///< their values
  std::map<const ir::ExprNode*, int> load_order;  ///< Load node -> index in program order
  std::optional<MmaPlan> mma;               ///< the tensor-core plan, when a dot qualifies
  std::set<const ir::ExprNode*> mma_dots;   ///< Dot nodes that run on it
  std::set<int> mma_operands;               ///< Let ids of their operands (swizzled for ldmatrix)
  std::map<int, int> wgmma_roles;           ///< wgmma operand Let id -> 0 (A) / 1 (B)
  std::optional<MfmaPlan> mfma;             ///< the AMD matrix-core plan, when a dot qualifies
  std::set<const ir::ExprNode*> mfma_dots;  ///< Dot nodes that run on it
  std::vector<std::string> notes;
};

/// A dot operand staged in shared memory (printer_mma_stage.cpp): a [rows, cols] tile, rows of
/// `row_len` elements (cols + a 16-byte pad for the FMA path; cols with 16-byte chunks XOR-swizzled
/// by row for ldmatrix), `stages` buffers deep.
struct StagedOperand {
  int let_id = -1;
  ir::Expr value;                 ///< the Let's value: a Load under casts
  const ir::Load* load = nullptr;
  DType dtype = DType::f32;       ///< the tensor's element type (what shared memory holds)
  std::vector<ir::Axis> axes;     ///< [row axis, column axis]
  std::int64_t rows = 0, cols = 0, row_len = 0;
  int vec = 1;                    ///< elements per copy: 16 bytes when aligned, else 1
  bool async = false;             ///< copies are cp.async (16-byte, zero-filling)
  int per_phase = 1, max_phase = 1;  ///< swizzle: chunk ^= (row / per_phase) % max_phase
  /// wgmma operands (printer_wgmma.cpp): columns in panels of `panel` elements (one swizzle
  /// row: 128, 64 or 32 bytes), panel p holding [rows][panel] at p·rows·panel; 0 = one panel.
  std::int64_t panel = 0;
  /// wgmma A: the M warps (4 per warpgroup) whose accumulator rows the buffer's row order
  /// follows (wgmma_row); 0 = rows in order.
  int perm_warps = 0;
  int stages = 1;
  bool pipelined = false;         ///< issued ahead by its device loop, not at the Let
  /// Copied by TMA (printer_tma.cpp): one thread issues the boxes of tensor map `tma_map`
  /// (index into the kernel's Source::tensor_maps) and the loop's mbarriers signal arrival.
  bool tma = false;
  int tma_map = -1;
  std::string buf;                ///< the shared array
  std::string why_scalar;         ///< why vec = 1
  /// Elements of one stage (padded rows; or panels of row_len = panel columns).
  std::int64_t elems() const { return rows * std::max(row_len, cols); }
};

/// A register cache of one input's tiles along a device loop's range, filled before the first of
/// the sibling device loops that load those tiles and read by each of them
/// (printer_memory_reuse.cpp).
struct ReuseCache {
  std::string name;               ///< the register array: tiles x regs values
  const ir::Let* first = nullptr; ///< the first loop's Let of the load
  int tile_var = -1;              ///< the first loop's tile variable
  std::int64_t tiles = 0;         ///< tiles of the range (compile-time)
  int regs = 0;                   ///< registers per tile per thread
  std::int64_t size = 0;          ///< registers of the whole range per thread
};
/// One loop's load that reads a ReuseCache: register q of tile i is the cache's i·regs + q.
struct ReusedLoad {
  int cache = -1;
  int tile_var = -1;  ///< the loop's tile variable
  int regs = 0;       ///< registers per tile of this loop's tiling
};

/// A grid tile axis processed in steps inside one program (printer_plan.cpp, plan_row_split).
struct RowSplit {
  int tile_var = -1;
  std::int64_t steps = 1;  ///< sub-tiles of block / steps along it, one after the other
};

/// The direct operand expressions of `e` (index values of loads included; undefined skipped).
std::vector<ir::Expr> expr_children(const ir::Expr& e);

/// Computes the thread plan of `p` for `d` (printer_plan.cpp).
ThreadPlan plan_threads(const lower::Program& p, const Dialect& d);
/// Whether a program's rows are processed in steps (row-independent bodies whose per-thread
/// tile exceeds a register budget, on grids with many programs); `plan` is the whole tile's.
RowSplit plan_row_split(const lower::Program& p, const ThreadPlan& plan, std::string* note);
/// Chooses the dots of `dots` that run on tensor cores and fixes their accumulator axes in
/// `plan` (printer_mma.cpp); notes say why a dot stays on the FMA path.
void plan_mma(const lower::Program& p, const Dialect& d, const std::vector<ir::Expr>& dots, ThreadPlan& plan);
/// Why `dot` cannot run on wgmma, or "" with `out` filled (printer_wgmma.cpp).
std::string wgmma_blocker(const lower::Program& p, const Dialect& d, const ir::Expr& dot, const ThreadPlan& plan,
                          MmaPlan* out);
/// Row `row` (an expression) of a wgmma A tile -> its row in the buffer (printer_wgmma.cpp).
std::string wgmma_row(const std::string& row, int m_warps);
/// The same for a row known when printing.
std::int64_t wgmma_row_value(std::int64_t row, int m_warps);
/// The same for AMD MFMA on a dialect with `mfma` (printer_hip_mfma.cpp).
void plan_mfma(const lower::Program& p, const Dialect& d, const std::vector<ir::Expr>& dots, ThreadPlan& plan);
/// `tessera configs explain`'s matrix_instr_nonkdim line for `plan` (printer_hip_mfma.cpp).
std::string explain_matrix_instr(const lower::Program& p, const Dialect& d, const ThreadPlan& plan);

// ---- value spelling (printer_elementwise.cpp) ----------------------------------------------
std::string ident(const std::string& s);
std::string value_type(DType t);    ///< register type ("float" for f16/bf16/fp8)
std::string storage_type(DType t);  ///< element type in memory ("ts::u16" for bf16)
std::string from_storage(DType t, const std::string& raw);
std::string to_storage(DType t, const std::string& v);
std::string round_to(DType t, const std::string& v);
/// `x` without its outermost rounding to `t` when the device headers round `t` two values per
/// instruction (`*pair` names that function), else nothing.
std::optional<std::string> unrounded(DType t, const std::string& x, std::string* pair);
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
  /// Whether tiles along `a` can be partial (a ragged edge or a run-time extent; printer_mma.cpp).
  static bool axis_masked(const lower::Program& p, const ir::Axis& a);
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
  /// What a store of `v` to a `to` tensor converts: the source of a register Let that only
  /// rounds it to `to` (the conversion gives the same bits), else `v`.
  ir::Expr store_source(const ir::Expr& v, DType to) const;
  /// Whether the last-axis accesses of `tensor` by `idx` can move spt-wide vectors.
  bool vectorizable(const std::string& tensor, const std::vector<ir::Index>& idx,
                    std::string* why = nullptr);
  std::string load_hint(const ir::ExprNode* load) const;

  // ---- loads shared by sibling device loops (printer_memory_reuse.cpp) ----
  /// Finds the loads that later device loops of `b` repeat and plans their register caches.
  void plan_load_reuse(const ir::Block& b);
  /// Before device loop `l`: fills the caches whose first reader it is.
  void emit_reuse_fill(const ir::TileLoop& l);
  /// Emits a cached load's Let as a copy from its cache; false when `let` is not cached.
  bool emit_reused_let(const ir::Let& let);

  // ---- reductions (printer_reduce.cpp) ----
  void materialize_reduce(const ir::Reduce& r, const ir::Expr& self);
  void cross_thread_combine(const std::string& acc, int regs, const AxisDist& d,
                            const ReduceForm& form);
  void with_chunks(int rdim, const ir::Expr& root, const std::function<void()>& body);
  void emit_deferred(const ir::Expr& root);

  // ---- dot operands in shared memory (printer_mma_stage.cpp) ----
  void declare_staging();
  /// The element index of (row, col) in operand `op`'s buffer (padding or swizzle applied).
  std::string smem_index(const StagedOperand& op, const std::string& row, const std::string& col) const;
  /// Copies the operand's tile (for the tile indices in scope) into buffer `stage`.
  void emit_stage_copy(const StagedOperand& op, const std::string& stage);
  /// Whether device loop `l` issues its dot operands `stages - 1` tiles ahead (cp.async).
  bool pipelined(const ir::TileLoop& l) const;
  void emit_pipelined_loop(const ir::TileLoop& l, const lower::DeviceLoopPlan& plan);

  // ---- TMA copies of pipelined wgmma operands (printer_tma.cpp) ----
  /// Marks the pipelined wgmma operands whose load the config's `indexing` sets to
  /// tensor_descriptor (when they qualify; notes say why not) and lists their tensor maps.
  void plan_tma();
  /// One thread announces the stage's bytes on `bar` and issues the TMA boxes of the `lets`
  /// copied by TMA into buffer `stage` (the tile indices in scope).
  void emit_tma_stage(const std::vector<int>& lets, const std::string& stage, const std::string& bar);
  std::vector<TensorMapParam> tensor_maps_;           ///< the kernel's tensor-map parameters

  // ---- dot (printer_mma.cpp) ----
  /// Finds `%r = $acc; %d = dot(a, b, acc=%r); $acc = %d` chains in `b` whose values have no
  /// other use: the dot then accumulates into $acc's registers (no copies; printer_mma.cpp).
  void plan_in_place_dots(const ir::Block& b);
  std::set<int> in_place_reads_;                      ///< Let ids of the chains' `%r = $acc`
  std::map<int, int> in_place_dots_;                  ///< Let id of the chains' dot -> local id
  std::set<const ir::StmtNode*> in_place_assigns_;    ///< the chains' `$acc = %d`
  void materialize_dot(const ir::Dot& d, const ir::Expr& self, const std::string& target, bool in_place);
  void emit_mma_dot(const ir::Dot& d, const std::string& acc, const StagedOperand& a, const StagedOperand& b);
  void emit_mfma_dot(const ir::Dot& d, const std::string& acc, const StagedOperand& a, const StagedOperand& b);
  void emit_fma_dot(const ir::Dot& d, const std::string& acc, const StagedOperand& a, const StagedOperand& b);
  // ---- dot on Hopper wgmma (printer_wgmma.cpp) ----
  void emit_wgmma_dot(const std::string& acc, int acc_regs, const StagedOperand& a, const StagedOperand& b, bool in_place);
  /// The instruction's function in the kernel preamble, declared once; returns its name.
  std::string wgmma_instruction(int n, DType dtype);
  /// wgmma groups a pipelined loop may leave in flight at the end of an iteration (0 or 1);
  /// the accumulators it must wait for after the loop.
  int wgmma_lag_ = 0;
  std::vector<std::pair<std::string, int>> wgmma_in_flight_;
  std::ostringstream preamble_;                       ///< device functions before the kernel
  std::set<std::string> preamble_names_;
  std::int64_t dynamic_smem_bytes_ = 0;               ///< the extern buffer's size

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
  std::map<int, ir::Expr> let_values_;                ///< Lets held in registers -> their values
  std::set<int> emitted_deferred_;
  std::map<int, StagedOperand> staged_;               ///< staged Let id -> operand
  std::map<int, std::string> stage_ptr_;              ///< staged Let id -> current buffer pointer
  std::map<const ir::TileLoop*, int> pipelines_;      ///< pipelined device loops -> stages
  std::vector<std::string> smem_decls_;               ///< shared-memory declarations
  std::int64_t smem_bytes_ = 0;
  std::int64_t reduce_smem_floats_ = 0;               ///< scratch for cross-warp reductions
  RowSplit split_;                                    ///< the grid tile processed in steps
  std::vector<ReuseCache> reuse_caches_;
  std::map<int, ReusedLoad> reused_lets_;             ///< cached Let id -> where it reads
  std::map<const ir::TileLoop*, std::vector<int>> reuse_fills_;  ///< first reader -> caches
  std::map<const ir::TileLoop*, std::int64_t> unrolled_loops_;   ///< cache readers -> trip count
  std::vector<std::string> notes_;
};

}  // namespace tessera::backend::gpu
