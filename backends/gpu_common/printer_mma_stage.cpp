// SPDX-License-Identifier: Apache-2.0
// Dot operands in shared memory, and the cp.async pipeline of the device loop that loads them.
//
// Buffers. An mma operand keeps its rows unpadded and XOR-swizzles 16-byte chunks by row (the
// lowering's `shared` layout: chunk ^= (row / per_phase) % max_phase), so the 8 rows that one
// ldmatrix phase or one cp.async phase touches land in 8 distinct 16-byte bank groups; an FMA
// operand pads each row by 16 bytes instead. `stages` copies of each buffer sit back to back.
//
// Copies. With 16-byte aligned rows (constant strides, multiples of 8 elements, or run-time
// strides with `Specialization::aligned_rows`; aligned column offset) each thread moves 16-byte chunks with cp.async: global -> shared with no registers, the
// part of a chunk past a ragged edge zero-filled by the hardware (src-size < 16), so masked
// lanes add zeros to the dot. Otherwise (run-time strides, unaligned rows) element copies.
//
// Pipeline (num_stages / range_num_stages = S >= 2, every operand of the loop body cp.async'd):
//   prologue: tiles 0..S-2 issued, one commit group each;
//   iteration kt: wait until <= S-2 groups are pending (tile kt landed for this thread); barrier
//   (every thread's copies of kt visible, and everyone has finished reading tile kt-1's buffer);
//   issue tile kt+S-1 into that freed buffer; commit (an empty group past the end keeps the
//   count exact); compute on tile kt.
// One barrier per K tile; S-1 tiles in flight while the tensor cores work on the current one.
#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/error.h"

namespace tessera::backend::gpu {

using ir::Axis;

namespace {

/// The load under a staged operand's casts.
const ir::Load* staged_load(const ir::Expr& v) {
  ir::Expr e = v;
  while (const auto* c = e.as<ir::Cast>()) e = c->a;
  return e.as<ir::Load>();
}

/// True when `e` depends on nothing computed inside a loop body (sizes, constants, scalars):
/// then a tile's address can be formed iterations ahead.
bool invariant(const ir::Expr& e) {
  if (!e.defined()) return true;
  if (e.as<ir::Var>() || e.as<ir::LocalRead>() || e.as<ir::Load>() || e.as<ir::Reduce>() || e.as<ir::Dot>() ||
      e.as<ir::TileIndex>())
    return false;
  for (const ir::Expr& c : expr_children(e))
    if (!invariant(c)) return false;
  return true;
}

/// The Let ids of staged operands bound directly in loop `l`'s body.
std::vector<int> body_lets(const ir::TileLoop& l, const std::map<int, StagedOperand>& staged) {
  std::vector<int> out;
  auto visit = [&](const ir::Stmt& s) {
    if (const auto* let = s.as<ir::Let>(); let && staged.count(let->id)) out.push_back(let->id);
  };
  if (const auto* b = l.body.as<ir::Block>()) {
    for (const ir::Stmt& s : b->stmts) visit(s);
  } else {
    visit(l.body);
  }
  return out;
}

}  // namespace

void Printer::declare_staging() {
  for (const auto& [id, v] : plan_.staged_values) {
    StagedOperand op;
    op.let_id = id;
    op.value = v;
    op.load = staged_load(v);
    op.axes = real_axes(v.type().axes);
    if (op.load == nullptr || op.axes.size() != 2)
      unsupported("a dot operand that is not a 2-D loaded tile (let " + std::to_string(id) + ")");
    op.dtype = k_.find_tensor(op.load->tensor)->dtype;
    const auto shape = p_.shape_of(v.type().axes, false);
    op.rows = shape[0];
    op.cols = shape[1];
    op.buf = "sm_v" + std::to_string(id);
    const int size = dtype_size(op.dtype);
    if (auto role = plan_.wgmma_roles.find(id); role != plan_.wgmma_roles.end()) {
      // The descriptors' canonical layout (printer_wgmma.cpp): panels one swizzle row wide.
      op.panel = std::min<std::int64_t>(op.cols, 128 / size);
      const lower::Layout sl = lower::shared_layout({op.rows, op.panel}, op.dtype, 1);
      op.row_len = op.panel;
      op.per_phase = sl.per_phase;
      op.max_phase = sl.max_phase;
      if (role->second == 0) op.perm_warps = plan_.mma->wm;
    } else if (plan_.mma_operands.count(id)) {
      const lower::Layout sl = lower::shared_layout({op.rows, op.cols}, op.dtype, 1);
      op.row_len = op.cols;
      op.per_phase = sl.per_phase;
      op.max_phase = sl.max_phase;
    } else {
      op.row_len = op.cols + std::max(1, 16 / size);
    }
    // 16-byte copies need aligned rows: constant strides (rows multiples of the vector, columns
    // contiguous) or rows known to start 16-byte aligned with run-time strides, and a column
    // offset that is a multiple of the vector.
    op.vec = static_cast<int>(std::min<std::int64_t>(16 / size, op.cols));
    op.why_scalar = "strides are run-time values and rows are not known to be 16-byte aligned";
    bool aligned = false;
    const auto s = p_.spec.strides.find(op.load->tensor);
    const bool rows16 = p_.spec.aligned_rows.count(op.load->tensor) > 0;
    if (s != p_.spec.strides.end() || rows16) {
      if (s != p_.spec.strides.end()) {
        aligned = s->second.back() == 1;
        for (std::size_t d = 0; d + 1 < s->second.size(); ++d) aligned = aligned && s->second[d] % op.vec == 0;
      } else {
        aligned = (16 / size) % op.vec == 0;
      }
      const ir::Index& last = op.load->indices.back();
      if (last.kind == ir::IndexKind::tile && last.value.defined()) {
        const auto off = lower::eval_size(last.value, p_.spec.sizes);
        aligned = aligned && off && *off % op.vec == 0;
      }
      op.why_scalar = "unaligned rows or offset";
    }
    if (!aligned || op.cols % op.vec != 0) op.vec = 1;
    // cp.async moves exactly 16 bytes (.cg); operands in another dtype than stored go through
    // registers anyway, so only plain loads of the stored type qualify.
    op.async = d_.async_copy && op.vec * size == 16;
    staged_.emplace(id, std::move(op));
  }

  // Pipelines: device loops of one tile variable whose staged operands all move by cp.async.
  const auto loops = k_.loops();
  for (const lower::DeviceLoopPlan& dl : p_.device_loops) {
    const ir::TileLoop& l = *loops[dl.loop];
    const std::vector<int> lets = body_lets(l, staged_);
    const std::int64_t want = dl.num_stages > 0 ? dl.num_stages : p_.num_stages;
    if (lets.empty() || want < 2) continue;
    std::string why;
    if (l.tile_vars.size() != 1) why = "the loop has several tile variables";
    for (int id : lets) {
      const StagedOperand& op = staged_.at(id);
      if (!op.async) why = d_.async_copy ? "operand " + op.load->tensor + " is not 16-byte aligned (" + op.why_scalar + ")"
                                         : d_.target + " has no asynchronous copies";
      for (const ir::Index& i : op.load->indices)
        if (!invariant(i.value)) why = "operand " + op.load->tensor + " is indexed by a value computed in the loop";
    }
    if (!why.empty()) {
      notes_.push_back("num_stages " + std::to_string(want) + ": one stage, " + why);
      continue;
    }
    // Every stage of every operand must fit the shared-memory limit (the dynamic opt-in where
    // the dialect has one, else the static one): fewer stages if not.
    std::int64_t per_stage = 0, others = 0;
    for (const auto& [id, op] : staged_)
      (std::find(lets.begin(), lets.end(), id) != lets.end() ? per_stage : others) += op.elems() * dtype_size(op.dtype);
    const std::int64_t limit = std::max(d_.max_static_smem, d_.max_dynamic_smem);
    std::int64_t stages = want;
    while (stages > 1 && others + stages * per_stage > limit) --stages;
    if (stages != want)
      notes_.push_back("num_stages " + std::to_string(want) + " needs " + std::to_string(others + want * per_stage) +
                       " bytes of shared memory; " + std::to_string(stages) + " stages fit the " + std::to_string(limit) +
                       "-byte " + (d_.max_dynamic_smem > 0 ? "per-block limit" : "static limit"));
    if (stages < 2) continue;
    for (int id : lets) {
      staged_.at(id).stages = static_cast<int>(stages);
      staged_.at(id).pipelined = true;
    }
    pipelines_[&l] = static_cast<int>(stages);
    notes_.push_back("loop " + p_.tiles[l.tile_vars[0]].name + ": cp.async pipeline, " + std::to_string(stages) +
                     " stages");
  }

  plan_tma();  // which pipelined wgmma operands TMA copies instead (printer_tma.cpp)

  // Static arrays while they fit the static limit (and no buffer needs more than 128-byte
  // alignment); else one dynamic buffer, each operand at a 1024-byte aligned offset: the 128B
  // swizzle of wgmma descriptors repeats every 1024 bytes and is applied to address bits.
  std::int64_t total = 0;
  for (const auto& [id, op] : staged_) total += op.stages * op.elems() * dtype_size(op.dtype);
  const bool dynamic = d_.max_dynamic_smem > 0 && (total > d_.max_static_smem || !plan_.wgmma_roles.empty());
  if (dynamic && !staged_.empty()) smem_decls_.push_back("extern __shared__ __align__(1024) unsigned char ts_dyn_smem[];");
  for (auto& [id, op] : staged_) {
    const std::int64_t bytes = op.stages * op.elems() * dtype_size(op.dtype);
    const std::string what = "// " + std::to_string(op.stages) + " x " + (op.panel > 0 && op.panel < op.cols ?
        std::to_string(op.cols / op.panel) + " panels x " : "") + "[" + std::to_string(op.rows) + "][" +
        std::to_string(op.row_len) + "]" + (op.max_phase > 1 ? ", 16-byte chunks swizzled" : "") +
        (op.perm_warps > 0 ? ", rows in wgmma accumulator order" : "");
    if (dynamic) {
      smem_decls_.push_back(storage_type(op.dtype) + "* const " + op.buf + " = reinterpret_cast<" + storage_type(op.dtype) +
                            "*>(ts_dyn_smem + " + std::to_string(dynamic_smem_bytes_) + ");  " + what);
      dynamic_smem_bytes_ += (bytes + 1023) / 1024 * 1024;
    } else {
      // 128-byte alignment: the swizzle assumes each buffer starts a bank row.
      smem_decls_.push_back("__shared__ __align__(128) " + storage_type(op.dtype) + " " + op.buf + "[" +
                            std::to_string(op.stages * op.elems()) + "];  " + what);
      smem_bytes_ += bytes;
    }
    stage_ptr_[id] = op.buf;
  }
}

std::string Printer::smem_index(const StagedOperand& op, const std::string& tile_row, const std::string& tile_col) const {
  // wgmma operands: A's rows in accumulator order, columns in panels (printer_wgmma.cpp).
  const std::string row = op.perm_warps > 0 ? wgmma_row(tile_row, op.perm_warps) : tile_row;
  std::string col = tile_col, panel;
  if (op.panel > 0 && op.panel < op.cols) {
    const std::string P = std::to_string(op.panel);
    panel = "((" + tile_col + ") / " + P + ") * " + std::to_string(op.rows * op.panel) + " + ";
    col = "(" + tile_col + ") % " + P;
  }
  const std::string base = panel + "(" + row + ") * " + std::to_string(op.row_len);
  if (op.max_phase <= 1) return base + " + (" + col + ")";
  const std::string v = std::to_string(std::max(1, 16 / dtype_size(op.dtype)));
  return base + " + (((((" + col + ") / " + v + ") ^ (((" + row + ") / " + std::to_string(op.per_phase) + ") % " +
         std::to_string(op.max_phase) + ")) * " + v + ") + (" + col + ") % " + v + ")";
}

void Printer::emit_stage_copy(const StagedOperand& op, const std::string& stage) {
  const ir::Load& load = *op.load;
  const std::string st = storage_type(op.dtype);
  const std::string r_tag = axis_tag(axis_key(op.axes[0])), c_tag = axis_tag(axis_key(op.axes[1]));
  const std::string row = "i_" + r_tag, col = "iv_" + c_tag;
  const std::int64_t per_row = op.cols / op.vec, total = op.rows * per_row;
  const std::int64_t iters = (total + plan_.threads - 1) / plan_.threads;
  const std::string dst_base = op.buf + (stage == "0" ? "" : " + (" + stage + ") * " + std::to_string(op.elems()));
  line("// stage " + op.buf + " <- " + load.tensor +
       (op.async ? " (cp.async, 16-byte chunks)" : op.vec > 1 ? " (" + std::to_string(op.vec) + "-wide vectors)"
                                                               : " (scalar: " + op.why_scalar + ")"));
  // Element copies of a large tile unroll partly: fully unrolled, the compiler hoists every
  // load (and its 64-bit address) ahead of the stores and runs out of registers.
  line(op.vec == 1 && iters > 8 ? "#pragma unroll 8" : "#pragma unroll");
  open("for (int it = 0; it < " + std::to_string(iters) + "; ++it)");
  line("const int vi = it * " + std::to_string(plan_.threads) + " + tid;");
  if (total % plan_.threads != 0) line("if (vi >= " + std::to_string(total) + ") break;");
  line("const int " + row + " = vi / " + std::to_string(per_row) + ";");
  line("const int " + col + " = (vi % " + std::to_string(per_row) + ") * " + std::to_string(op.vec) + ";");
  line(st + "* dst = " + dst_base + " + " + smem_index(op, row, col) + ";");
  const std::string row_ok = row + " < " + count(op.axes[0]);
  if (op.async) {
    // Bytes of this chunk inside the tensor: 16, a ragged tail, or 0 (nothing is read then, and
    // the source is the tensor's base so no out-of-range address is formed). Along an axis whose
    // tiles are all full (constant extent, a multiple of the block) every chunk is whole: no
    // bounds arithmetic per copy in the main loop.
    const bool rows_masked = axis_masked(p_, op.axes[0]), cols_masked = axis_masked(p_, op.axes[1]);
    const std::string bytes = std::to_string(op.vec * dtype_size(op.dtype));
    line("const int i_" + c_tag + " = " + col + ";");
    if (!rows_masked && !cols_masked) {
      line("ts::cp_async16(dst, &" + address(load.tensor, load.indices) + ", " + bytes + ");");
      close();
      return;
    }
    const std::string in_row = cols_masked ? "(int)min(max((" + idx_t_ + ")" + count(op.axes[1]) + " - " + col + ", (" +
                                                 idx_t_ + ")0), (" + idx_t_ + ")" + std::to_string(op.vec) + ") * " +
                                                 std::to_string(dtype_size(op.dtype))
                                           : bytes;
    line("const int nb = " + (rows_masked ? row_ok + " ? " + in_row + " : 0" : in_row) + ";");
    line("ts::cp_async16(dst, nb > 0 ? (const void*)&" + address(load.tensor, load.indices) + " : (const void*)p_" +
         ident(load.tensor) + ", nb);");
    close();
    return;
  }
  if (op.vec > 1) {
    open("if (" + row_ok + " && " + col + " + " + std::to_string(op.vec) + " <= " + count(op.axes[1]) + ")");
    line("const int i_" + c_tag + " = " + col + ";");
    line("ts::vstore<" + st + ", " + std::to_string(op.vec) + ">(dst, ts::vload<" + st + ", " + std::to_string(op.vec) +
         ", " + load_hint(&load) + ">(&" + address(load.tensor, load.indices) + "));");
    close();
    open("else");
  } else {
    open("");
  }
  line("#pragma unroll");
  open("for (int e = 0; e < " + std::to_string(op.vec) + "; ++e)");
  line("const int i_" + c_tag + " = " + col + " + e;");
  line("dst[e] = (" + row_ok + " && i_" + c_tag + " < " + count(op.axes[1]) + ") ? " +
       address(load.tensor, load.indices) + " : " + st + "(0);");
  close();
  close();
  close();
}

bool Printer::pipelined(const ir::TileLoop& l) const { return pipelines_.count(&l) > 0; }

void Printer::emit_pipelined_loop(const ir::TileLoop& l, const lower::DeviceLoopPlan& plan) {
  const int S = pipelines_.at(&l);
  const int tv = l.tile_vars[0];
  const std::string t = "t" + std::to_string(tv), tiles = t + "_tiles", idx = t + "_idx";
  const std::vector<int> lets = body_lets(l, staged_);
  const std::string SS = std::to_string(S);
  bool wgmma = false;
  for (int id : lets) wgmma = wgmma || plan_.wgmma_roles.count(id) > 0;
  // wgmma may keep the last tile's group running into the next iteration (wait_group 1) when the
  // body only stages operands and accumulates in place: then the buffer refilled in iteration kt
  // is tile kt-2's (whose group is done), so `lag` = 1 tile fewer is prefetched.
  bool in_place_only = wgmma && S >= 3;
  const auto* blk = l.body.as<ir::Block>();
  if (blk) plan_in_place_dots(*blk);  // `acc = dot(a, b, acc)` chains (printer_mma.cpp)
  for (const ir::Stmt& st : blk ? blk->stmts : std::vector<ir::Stmt>{l.body}) {
    const auto* let = st.as<ir::Let>();
    const auto* as = st.as<ir::LocalAssign>();
    const auto* dot = as ? as->value.as<ir::Dot>() : nullptr;
    const auto* acc = dot ? dot->acc.as<ir::LocalRead>() : nullptr;
    const bool chain = (let && in_place_reads_.count(let->id)) || in_place_assigns_.count(st.get()) ||
                       (let && in_place_dots_.count(let->id) && plan_.mma_dots.count(let->value.get()));
    if (!(let && staged_.count(let->id)) && !chain && !(acc && acc->id == as->id && plan_.mma_dots.count(as->value.get())))
      in_place_only = false;
  }
  const int lag = in_place_only ? 1 : 0, ahead = S - 1 - lag;
  // Operands copied by TMA complete on one mbarrier per stage (printer_tma.cpp); the others by
  // this thread's cp.async groups.
  bool any_tma = false, any_cp = false;
  for (int id : lets) (staged_.at(id).tma ? any_tma : any_cp) = true;
  const std::string bar = "ts_bar_" + t;
  if (any_tma) {
    smem_decls_.push_back("__shared__ __align__(8) ts::u64 " + bar + "[" + SS + "];  // loop " + t +
                          ": one mbarrier per stage (TMA copies)");
    smem_bytes_ += 8 * S;
  }
  open("");
  auto saved = temps_;
  line("const " + idx_t_ + " " + tiles + " = (" + t + "_extent + " + std::to_string(p_.tiles[tv].block - 1) + ") / " +
       std::to_string(p_.tiles[tv].block) + ";");
  line(std::string(any_cp ? "// cp.async" : "// TMA") + " pipeline, " + SS + " stages: tiles kt+1..kt+" +
       std::to_string(ahead) + " are in flight while tile kt is computed" +
       (lag ? " (and tile kt-1's wgmma group may still run)" : ""));
  if (any_tma) {
    open("if (tid == 0)");
    for (const TensorMapParam& m : tensor_maps_) line("ts::tma_prefetch(&tm" + std::to_string(&m - tensor_maps_.data()) + "_" + ident(m.tensor) + ");");
    line("for (int s = 0; s < " + SS + "; ++s) ts::mbar_init(&" + bar + "[s], 1);  // thread 0's arrival + the bytes");
    line("ts::mbar_init_fence();");
    close();
    line("ts::barrier();  // the mbarriers are initialised before anyone waits on them");
  }
  line("#pragma unroll");
  open("for (int ps = 0; ps < " + std::to_string(ahead) + "; ++ps)");
  open("if (ps < " + tiles + ")");
  set_tile(tv, "ps");
  if (any_tma) emit_tma_stage(lets, "ps", bar);
  for (int id : lets)
    if (!staged_.at(id).tma) emit_stage_copy(staged_.at(id), "ps");
  close();
  if (any_cp) line("ts::cp_async_commit();");
  close();
  line("int st_rd = 0;  // the buffer of tile kt; kt+" + std::to_string(ahead) + " goes to tile kt-" +
       std::to_string(lag + 1) + "'s");
  if (any_tma) line("unsigned st_phase = 0;  // parity of the fills of buffer st_rd so far: (kt / " + SS + ") % 2");
  line(plan.unroll > 0 ? "#pragma unroll " + std::to_string(plan.unroll) : "#pragma unroll 1");
  open("for (" + idx_t_ + " " + idx + " = 0; " + idx + " < " + tiles + "; ++" + idx + ")");
  if (any_cp) line("ts::cp_async_wait<" + std::to_string(ahead - 1) + ">();  // this thread's copies of tile kt have landed");
  if (wgmma && any_cp) line("ts::fence_proxy_async();  // ... and are visible to wgmma (async proxy) after the barrier");
  if (any_tma) line("ts::mbar_wait(&" + bar + "[st_rd], st_phase);  // tile kt's TMA boxes have landed");
  line("ts::barrier();  // everyone's have, and nobody still reads tile kt-" + std::to_string(lag + 1) + "'s buffer");
  open("");
  line("const " + idx_t_ + " pf_idx = " + idx + " + " + std::to_string(ahead) + ";");
  line("const int st_wr = st_rd >= " + std::to_string(lag + 1) + " ? st_rd - " + std::to_string(lag + 1) + " : st_rd + " +
       std::to_string(S - lag - 1) + ";");
  open("if (pf_idx < " + tiles + ")");
  set_tile(tv, "pf_idx");
  if (any_tma) emit_tma_stage(lets, "st_wr", bar);
  for (int id : lets)
    if (!staged_.at(id).tma) emit_stage_copy(staged_.at(id), "st_wr");
  close();
  close();
  if (any_cp)
    line("ts::cp_async_commit();  // one group per iteration (empty past the end): wait<" + std::to_string(ahead - 1) +
         "> stays exact");
  set_tile(tv, idx);
  for (int id : lets) stage_ptr_[id] = "(" + staged_.at(id).buf + " + st_rd * " + std::to_string(staged_.at(id).elems()) + ")";
  wgmma_lag_ = lag;
  wgmma_in_flight_.clear();
  emit(l.body);
  wgmma_lag_ = 0;
  for (int id : lets) stage_ptr_[id] = staged_.at(id).buf;
  if (any_tma) line("if (st_rd == " + std::to_string(S - 1) + ") st_phase ^= 1u;");
  line("st_rd = st_rd == " + std::to_string(S - 1) + " ? 0 : st_rd + 1;");
  close();
  if (!wgmma_in_flight_.empty()) {
    line("ts::wgmma_wait<0>();  // the last tile's group: the accumulators are final");
    for (const auto& [acc, regs] : wgmma_in_flight_) {
      line("#pragma unroll");
      line("for (int q = 0; q < " + std::to_string(regs) + "; ++q) ts::fence_operand(" + acc + "[q]);");
    }
    wgmma_in_flight_.clear();
  }
  if (any_cp) line("ts::cp_async_wait<0>();");
  line("ts::barrier();  // the buffers may be refilled next (a persistent program's next tile)");
  if (any_tma) {
    // Every fill was waited for; the next tile (persistent programs) initialises them again.
    line("if (tid == 0) for (int s = 0; s < " + SS + "; ++s) ts::mbar_inval(&" + bar + "[s]);");
  }
  temps_ = saved;
  close();
}

}  // namespace tessera::backend::gpu
