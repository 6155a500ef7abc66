// SPDX-License-Identifier: Apache-2.0
// `dot`: on tensor cores where the lowering gave the accumulator an mma layout (version 2:
// mma.sync m16n8k16, sm_80+; version 3: wgmma on sm_90a, printer_wgmma.cpp, else mma.sync with
// the same warps) and the operands are bf16/f16 tiles; else FMA over the staged tiles.
//
// The mma path (ThreadPlan::MmaPlan). Warps tile the [BM, BN] accumulator wm x wn; each warp
// owns mr x nr instruction tiles of 16 x 8, interleaved with the other warps' (tile (r, s) of
// warp (wm_i, wn_i) covers rows (2r + h)·8·wm + 8·wm_i + 0..7 for its halves h = 0, 1 and columns
// s·8·wn + 8·wn_i + 0..7). That interleaving makes the accumulator a per-axis distribution (M:
// lane digit l/4 plus warp digit wm_i; N: lane digit l%4 with 2 elements each plus warp digit
// wn_i), so the epilogue and the store use the ordinary register loops with no layout conversion,
// each thread storing 2 consecutive elements. Per 16-wide K step a warp loads
//   A: one ldmatrix.x4 per m16 tile (matrices: rows 0-7/8-15 x k 0-7/8-15 = a0..a3),
//   B: one ldmatrix.x4.trans per pair of n8 tiles (K rows 0-7/8-15 of each = b0, b1),
// from buffers whose 16-byte chunks are XOR-swizzled by row (printer_mma_stage.cpp), so the 8 rows
// one ldmatrix phase reads sit in 8 distinct bank groups: conflict-free, with no padding.
#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/error.h"

namespace tessera::backend::gpu {

using ir::Axis;

namespace {

bool pow2(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

/// Why `dot` (a Dot node) cannot run on mma.sync m16n8k16, or "" with `out` filled.
std::string mma_blocker(const lower::Program& p, const Dialect& d, const ir::Expr& dot, const ThreadPlan& plan,
                        MmaPlan* out) {
  const auto& n = *dot.as<ir::Dot>();
  if (!d.mma_16816) return d.target + " has no m16n8k16 tensor-core instruction";
  const lower::Layout& l = p.layout_of(dot);
  // v3 (wgmma) layouts fall back here when wgmma cannot take the dot: warps (num_warps, 1).
  if (l.kind != lower::LayoutKind::kMma || (l.mma_version != 2 && l.mma_version != 3))
    return "the accumulator layout is " + l.to_string();
  if (n.type.dtype != DType::f32) return "the accumulator is not f32";
  const auto* va = n.a.as<ir::Var>();
  const auto* vb = n.b.as<ir::Var>();
  if (!va || !vb || !plan.staged_values.count(va->id) || !plan.staged_values.count(vb->id))
    return "an operand is not a loaded tile";
  const ir::Expr& a = plan.staged_values.at(va->id);
  const ir::Expr& b = plan.staged_values.at(vb->id);
  if (!a.as<ir::Load>() || !b.as<ir::Load>()) return "an operand is converted after loading";
  if (a.dtype() != b.dtype() || (a.dtype() != DType::bf16 && a.dtype() != DType::f16))
    return "the operands are not both bf16 or both f16";
  const std::vector<Axis> o = Printer::real_axes(n.type.axes), ax = Printer::real_axes(a.type().axes),
                          bx = Printer::real_axes(b.type().axes);
  if (o.size() != 2 || ax.size() != 2 || bx.size() != 2 || !(ax[0] == o[0]) || !(bx[1] == o[1]) || !(ax[1] == bx[0]) ||
      o[0] == o[1])
    return "the operands are not [M, K] x [K, N] tiles";
  const std::int64_t bm = p.shape_of({o[0]}, false)[0], bn = p.shape_of({o[1]}, false)[0],
                     bk = p.shape_of({ax[1]}, false)[0];
  MmaPlan m;
  m.wm = l.warps_per_cta[0];
  m.wn = l.warps_per_cta[1];
  if (std::int64_t{m.wm} * m.wn != p.num_warps) return "num_warps is not a power of two";
  if (bm % (16 * m.wm) != 0 || bn % (8 * m.wn) != 0 || bk % 16 != 0)
    return "the tile " + std::to_string(bm) + "x" + std::to_string(bn) + "x" + std::to_string(bk) +
           " is not a multiple of 16x8x16 per warp (warps " + std::to_string(m.wm) + "x" + std::to_string(m.wn) + ")";
  // Swizzle: chunk ^ phase must stay inside the row, and the phase must repeat every 8 rows so
  // that it is a per-thread constant (every ldmatrix row offset is a multiple of 8).
  for (std::int64_t cols : {bk, bn}) {
    const lower::Layout s = lower::shared_layout({16, cols}, a.dtype(), 1);
    if (!(pow2(cols / s.vec) || (cols / s.vec) % 8 == 0) || 8 % (s.per_phase * s.max_phase) != 0)
      return "a tile width of " + std::to_string(cols) + " elements has no conflict-free swizzle";
  }
  m.mr = static_cast<int>(bm / (16 * m.wm));
  m.nr = static_cast<int>(bn / (8 * m.wn));
  m.bk = bk;
  m.dtype = a.dtype();
  m.m_key = axis_key(o[0]);
  m.n_key = axis_key(o[1]);
  *out = m;
  return "";
}

}  // namespace

bool Printer::axis_masked(const lower::Program& p, const Axis& a) {
  return a.kind == ir::AxisKind::full ? p.rdims[a.id].needs_mask : p.tiles[a.id].needs_mask;
}

void plan_mma(const lower::Program& p, const Dialect& d, const std::vector<ir::Expr>& dots, ThreadPlan& plan) {
  for (const ir::Expr& e : dots) {
    MmaPlan m;
    std::string why;
    if (p.layout_of(e).mma_version == 3 && d.wgmma) {  // Hopper: wgmma first (printer_wgmma.cpp)
      why = wgmma_blocker(p, d, e, plan, &m);
      if (!why.empty()) plan.notes.push_back("dot: mma.sync, not wgmma: " + why);
    }
    if (!m.wgmma) why = mma_blocker(p, d, e, plan, &m);
    if (why.empty() && plan.mma && plan.mma->wgmma != m.wgmma) why = "another dot already chose a different instruction";
    if (why.empty() && plan.mma &&
        (plan.mma->m_key != m.m_key || plan.mma->n_key != m.n_key || plan.mma->wm != m.wm || plan.mma->wn != m.wn))
      why = "another dot already fixed a different mma layout";
    if (!why.empty()) {
      plan.notes.push_back("dot: FMA on CUDA cores, not tensor cores: " + why);
      continue;
    }
    const auto& n = *e.as<ir::Dot>();
    const std::vector<Axis> o = Printer::real_axes(n.type.axes);
    if (!plan.mma) {
      // M: lane digit l/4 (8 threads at tid stride 4), warp digit wm_i (tid stride 32).
      AxisDist dm;
      dm.block = p.shape_of({o[0]}, false)[0];
      dm.spt = 1;
      dm.thr = 8 * m.wm;
      dm.stride = 4;
      if (m.wm > 1) dm.lo_thr = 8, dm.hi_stride = 32;
      dm.masked = Printer::axis_masked(p, o[0]);
      // N: lane digit l%4 (tid stride 1) holding 2 adjacent columns, warp digit wn_i (32·wm).
      AxisDist dn;
      dn.block = p.shape_of({o[1]}, false)[0];
      dn.spt = 2;
      dn.thr = 4 * m.wn;
      dn.stride = 1;
      if (m.wn > 1) dn.lo_thr = 4, dn.hi_stride = 32 * m.wm;
      dn.masked = Printer::axis_masked(p, o[1]);
      plan.axes[m.m_key] = dm;
      plan.axes[m.n_key] = dn;
      plan.mma = m;
    }
    plan.mma_dots.insert(e.get());
    plan.mma_operands.insert(n.a.as<ir::Var>()->id);
    plan.mma_operands.insert(n.b.as<ir::Var>()->id);
    if (m.wgmma) {
      plan.wgmma_roles[n.a.as<ir::Var>()->id] = 0;
      plan.wgmma_roles[n.b.as<ir::Var>()->id] = 1;
    }
  }
}

namespace {

/// Uses of Let values and locals in a statement (nested loops and blocks included).
struct Uses {
  std::map<int, int> vars;      ///< Var id -> occurrences
  std::set<int> local_reads;    ///< local ids read
  std::set<int> local_writes;   ///< local ids assigned
  void expr(const ir::Expr& e) {
    if (!e.defined()) return;
    if (const auto* v = e.as<ir::Var>()) ++vars[v->id];
    if (const auto* r = e.as<ir::LocalRead>()) local_reads.insert(r->id);
    for (const ir::Expr& c : expr_children(e)) expr(c);
  }
  void stmt(const ir::Stmt& s) {
    if (const auto* b = s.as<ir::Block>()) {
      for (const ir::Stmt& c : b->stmts) stmt(c);
    } else if (const auto* l = s.as<ir::TileLoop>()) {
      stmt(l->body);
    } else if (const auto* let = s.as<ir::Let>()) {
      expr(let->value);
    } else if (const auto* st = s.as<ir::Store>()) {
      for (const ir::Index& i : st->indices) expr(i.value);
      expr(st->value);
    } else if (const auto* d = s.as<ir::LocalDecl>()) {
      expr(d->init);
    } else if (const auto* a = s.as<ir::LocalAssign>()) {
      local_writes.insert(a->id);
      expr(a->value);
    }
  }
};

Uses uses_in(const std::vector<ir::Stmt>& s, std::size_t from, std::size_t to) {
  Uses u;
  for (std::size_t i = from; i < to && i < s.size(); ++i) u.stmt(s[i]);
  return u;
}

}  // namespace

// The front end spells `acc = dot(a, b, acc)` as three statements: %r = $acc (a value), %d =
// dot(a, b, acc=%r), $acc = %d. Printed literally that is two more register arrays and two
// copies of the accumulator per iteration, and on wgmma the copies would read registers that an
// in-flight group still writes, so each K tile's group had to finish inside its iteration. When
// %r and %d have no other use, nothing assigns $acc between the read and the assignment and
// nothing reads it between the dot and the assignment, the chain is one in-place accumulation.
void Printer::plan_in_place_dots(const ir::Block& b) {
  const std::vector<ir::Stmt>& s = b.stmts;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto* rd_let = s[i].as<ir::Let>();
    const auto* rd = rd_let ? rd_let->value.as<ir::LocalRead>() : nullptr;
    if (rd == nullptr || in_place_reads_.count(rd_let->id)) continue;
    for (std::size_t j = i + 1; j < s.size(); ++j) {
      const auto* dot_let = s[j].as<ir::Let>();
      const auto* dot = dot_let ? dot_let->value.as<ir::Dot>() : nullptr;
      const auto* acc = dot ? dot->acc.as<ir::Var>() : nullptr;
      if (acc == nullptr || acc->id != rd_let->id) continue;
      for (std::size_t k = j + 1; k < s.size(); ++k) {
        const auto* as = s[k].as<ir::LocalAssign>();
        const auto* v = as ? as->value.as<ir::Var>() : nullptr;
        if (v == nullptr || v->id != dot_let->id || as->id != rd->id) continue;
        if (ir::to_string(as->type) != ir::to_string(dot->type)) break;
        const Uses all = uses_in(s, i + 1, s.size()), between = uses_in(s, i + 1, k), after_dot = uses_in(s, j + 1, k);
        const auto n = [](const Uses& u, int id) { auto it = u.vars.find(id); return it == u.vars.end() ? 0 : it->second; };
        if (n(all, rd_let->id) == 1 && n(all, dot_let->id) == 1 && !between.local_writes.count(rd->id) &&
            !after_dot.local_reads.count(rd->id)) {
          in_place_reads_.insert(rd_let->id);
          in_place_dots_[dot_let->id] = rd->id;
          in_place_assigns_.insert(s[k].get());
        }
        break;
      }
      break;
    }
  }
}

namespace {
/// A staged element (raw storage) converted to f32 through the operand's casts.
std::string staged_value(const ir::Expr& v, const std::string& raw) {
  if (const auto* c = v.as<ir::Cast>()) return cast_value(c->a.dtype(), v.dtype(), staged_value(c->a, raw));
  return from_storage(v.dtype(), raw);
}
}  // namespace

void Printer::materialize_dot(const ir::Dot& d, const ir::Expr& self, const std::string& target, bool in_place) {
  const auto* va = d.a.as<ir::Var>();
  const auto* vb = d.b.as<ir::Var>();
  if (!va || !vb || !staged_.count(va->id) || !staged_.count(vb->id))
    unsupported("a dot whose operands are not loaded tiles bound by let");
  if (!in_place) {
    prepare(d.acc);
    declare(target, d.type);
    reg_loops(d.type.axes, [&](const std::string&) {
      line(array_elem(target, d.type.axes) + " = " + (d.acc.defined() ? elem(d.acc) : "0.0f") + ";");
    });
  }
  const StagedOperand& a = staged_.at(va->id);
  const StagedOperand& b = staged_.at(vb->id);
  // A pipelined loop's barrier already made its tiles visible; a Let's copies need one here.
  const bool tensor_cores = plan_.mma_dots.count(self.get()) > 0;
  if (!a.pipelined || !b.pipelined) {
    if (tensor_cores && plan_.mma->wgmma) line("ts::fence_proxy_async();  // the copies above, before wgmma reads them");
    line("ts::barrier();  // staged operands visible");
  }
  if (tensor_cores && plan_.mma->wgmma) emit_wgmma_dot(target, reg_count(d.type.axes), a, b, in_place);  // printer_wgmma.cpp
  else if (tensor_cores) emit_mma_dot(d, target, a, b);
  else if (plan_.mfma_dots.count(self.get())) emit_mfma_dot(d, target, a, b);  // printer_hip_mfma.cpp
  else emit_fma_dot(d, target, a, b);
}

void Printer::emit_fma_dot(const ir::Dot& d, const std::string& acc, const StagedOperand& a, const StagedOperand& b) {
  const std::vector<Axis> out = real_axes(d.type.axes);
  const std::string sa = stage_ptr_.at(a.let_id), sb = stage_ptr_.at(b.let_id);
  line("// dot: FMA over the staged tiles");
  line("#pragma unroll 4");
  open("for (int kk = 0; kk < " + std::to_string(a.cols) + "; ++kk)");
  reg_loops(d.type.axes, [&](const std::string&) {
    const std::string x = staged_value(a.value, sa + "[" + smem_index(a, lane(out[0]), "kk") + "]");
    const std::string y = staged_value(b.value, sb + "[" + smem_index(b, "kk", lane(out[1])) + "]");
    const std::string c = array_elem(acc, d.type.axes);
    line(c + " = fmaf(" + x + ", " + y + ", " + c + ");");
  });
  close();
}

void Printer::emit_mma_dot(const ir::Dot& d, const std::string& acc, const StagedOperand& a, const StagedOperand& b) {
  const MmaPlan& m = *plan_.mma;
  const std::string WM = std::to_string(m.wm), WN = std::to_string(m.wn), MR = std::to_string(m.mr),
                    NR = std::to_string(m.nr), RN = std::to_string(2 * m.nr);
  const std::string atom = m.dtype == DType::bf16 ? "SM80_16x8x16_F32BF16BF16F32_TN" : "SM80_16x8x16_F32F16F16F32_TN";
  const std::string mma = m.dtype == DType::bf16 ? "ts::mma_16816_bf16" : "ts::mma_16816_f16";
  line("// dot: " + atom + ", warps " + WM + "x" + WN + ", " + MR + "x" + NR + " instruction tiles per warp");
  open("");
  line("const int lane = tid & 31, warp = tid >> 5;");
  line("const int wm_i = warp % " + WM + ", wn_i = (warp / " + WM + ") % " + WN + ";");
  line("const ts::u16* sa = reinterpret_cast<const ts::u16*>(" + stage_ptr_.at(a.let_id) + ");");
  line("const ts::u16* sb = reinterpret_cast<const ts::u16*>(" + stage_ptr_.at(b.let_id) + ");");
  // Row offsets of every ldmatrix are multiples of 8 beyond these, and the swizzle phase repeats
  // every 8 rows, so each thread's phase is a constant.
  line("// A: lane l addresses row (l/8 % 2)·8·wm + 8·wm_i + l%8 of m16 tile r, K chunk l/16");
  line("const int a_row = ((lane >> 3) & 1) * " + std::to_string(8 * m.wm) + " + wm_i * 8 + (lane & 7);");
  line("const int a_ph = (a_row / " + std::to_string(a.per_phase) + ") % " + std::to_string(a.max_phase) + ";");
  line("// B: lane l addresses K row (l/8 % 2)·8 + l%8 of n8 tile s + l/16");
  line("const int b_row = ((lane >> 3) & 1) * 8 + (lane & 7);");
  line("const int b_ch = (lane >> 4) * " + WN + " + wn_i;");
  line("const int b_ph = (b_row / " + std::to_string(b.per_phase) + ") % " + std::to_string(b.max_phase) + ";");
  line("#pragma unroll");
  open("for (int kk = 0; kk < " + std::to_string(m.bk / 16) + "; ++kk)");
  line("ts::u32 fa[" + MR + "][4];");
  line("ts::u32 fb[" + NR + "][2];");
  line("#pragma unroll");
  line("for (int r = 0; r < " + MR + "; ++r) ts::ldmatrix_x4(fa[r], sa + (a_row + r * " + std::to_string(16 * m.wm) +
       ") * " + std::to_string(a.row_len) + " + (((kk * 2 + (lane >> 4)) ^ a_ph) << 3));");
  const std::string b_at = "sb + (kk * 16 + b_row) * " + std::to_string(b.row_len) + " + (((b_ch + s * " + WN + ") ^ b_ph) << 3)";
  line("#pragma unroll");
  line("for (int s = 0; s + 1 < " + NR + "; s += 2) ts::ldmatrix_x4_trans(fb[s][0], fb[s][1], fb[s + 1][0], fb[s + 1][1], " +
       b_at + ");");
  if (m.nr % 2 == 1) {
    open("");
    line("constexpr int s = " + std::to_string(m.nr - 1) + ";  // the odd n8 tile: lanes 0-15 address it");
    line("ts::ldmatrix_x2_trans(fb[s][0], fb[s][1], " + b_at + ");");
    close();
  }
  line("#pragma unroll");
  open("for (int r = 0; r < " + MR + "; ++r)");
  line("#pragma unroll");
  open("for (int s = 0; s < " + NR + "; ++s)");
  line("// c0..c3 = rows (2r, 2r+1) x columns (2s, 2s+1) of this thread's registers");
  line(mma + "(" + acc + "[(2 * r) * " + RN + " + 2 * s], " + acc + "[(2 * r) * " + RN + " + 2 * s + 1], " + acc +
       "[(2 * r + 1) * " + RN + " + 2 * s], " + acc + "[(2 * r + 1) * " + RN + " + 2 * s + 1], fa[r], fb[s][0], fb[s][1]);");
  close();
  close();
  close();
  close();
  (void)d;
}

}  // namespace tessera::backend::gpu
