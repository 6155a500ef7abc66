// SPDX-License-Identifier: Apache-2.0
// `dot` on Hopper's warpgroup MMA: wgmma.mma_async.sync.aligned.m64nNk16.f32.{bf16,f16} with A
// and B read by the tensor cores from shared memory through matrix descriptors (sm_90a).
//
// Warpgroups (4 consecutive warps, the first at a warp index divisible by 4: PTX ISA
// "wgmma.mma_async", warpgroup) stack along M: warpgroup g owns the m64 tiles r·G + g of the
// [BM, BN] accumulator, each as BN / N instructions of m64 x N per 16-wide K step. One
// instruction leaves register i of lane l in warp w (of its warpgroup) at row 16w + 8·((i/2)%2)
// + l/4, column 8·(i/4) + 2·(l%4) + i%2 of its m64 x N tile (PTX ISA "Matrix fragments for
// wgmma.mma_async.m64nNk16", accumulator D). Per warp that is the mma.sync m16n8 fragment, so
// the accumulator keeps the mma.sync distributions with wm = num_warps, wn = 1 (MmaPlan) and the
// epilogue and the store run unchanged, provided row j of the A tile sits where the instruction
// puts it: for j = q·8·wm + 8·W + l/4 (M register q = 2r + h of M warp W = 4g + w), buffer row
// 64·(r·G + g) + 16w + 8h + l/4 (wgmma_row, applied by the staging copies).
//
// Shared memory: the canonical layouts of the descriptors (PTX ISA "Shared Memory Matrix
// Layout"), swizzled with the widest mode the tile allows (128B: rows of 64 bf16):
//   A [BM, BK], K-major: panels of P = min(BK, 64) columns, each [BM][P]; 8-row core-matrix
//     groups SBO = 8·2P bytes apart; LBO unused (1) for swizzled K-major layouts;
//   B [BK, BN], N-major (imm-trans-b = 1): panels of P = min(BN, 64) columns, each [BK][P]; the
//     8-row (K) groups SBO = 8·2P bytes apart, the N panels LBO = BK·2P bytes apart.
// A swizzle mode of S bytes XORs the 16-byte chunk index (address bits 4..) with address bits 7..
// (S = 128: 3 bits; 64: 2; 32: 1): on buffers aligned to 8·S bytes that is exactly the staging
// copies' chunk ^= (row / per_phase) % max_phase of shared_layout({rows, P}), and a descriptor
// may start anywhere inside a row (a k16 step of A adds 32 bytes) with base offset 0.
//
// Synchronisation: the staging copies are generic-proxy writes (st.shared and cp.async); each
// writing thread runs fence.proxy.async before the barrier that publishes a tile, so the async
// proxy (wgmma) sees it. Per dot: wgmma.fence (the accumulators were touched by other
// instructions), the instructions, commit_group, then wait_group 0 — or 1 inside a cp.async
// pipeline whose loop body only accumulates in place, which then refills a buffer two tiles
// behind instead of one (printer_mma_stage.cpp) and waits for the last group after the loop.
#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/error.h"

namespace tessera::backend::gpu {

using ir::Axis;

namespace {

/// Columns per panel (one swizzle row of 32, 64 or 128 bytes) of a `cols`-wide tile of 2-byte
/// elements, or 0 when no swizzle mode fits.
std::int64_t panel_of(std::int64_t cols) {
  const std::int64_t p = std::min<std::int64_t>(cols, 64);
  return (p == 16 || p == 32 || p == 64) && cols % p == 0 ? p : 0;
}

/// The descriptor's swizzle field for rows of `bytes` (PTX ISA: 1 = 128B, 2 = 64B, 3 = 32B).
int swizzle_mode(std::int64_t bytes) { return bytes == 128 ? 1 : bytes == 64 ? 2 : 3; }

}  // namespace

std::string wgmma_blocker(const lower::Program& p, const Dialect& d, const ir::Expr& dot, const ThreadPlan& plan,
                          MmaPlan* out) {
  const auto& n = *dot.as<ir::Dot>();
  if (!d.wgmma) return d.target + " has no wgmma";
  const lower::Layout& l = p.layout_of(dot);
  if (l.kind != lower::LayoutKind::kMma || l.mma_version != 3) return "the accumulator layout is " + l.to_string();
  if (n.type.dtype != DType::f32) return "the accumulator is not f32";
  const auto* va = n.a.as<ir::Var>();
  const auto* vb = n.b.as<ir::Var>();
  if (!va || !vb || !plan.staged_values.count(va->id) || !plan.staged_values.count(vb->id) || va->id == vb->id)
    return "an operand is not a loaded tile";
  for (auto [id, role] : {std::pair{va->id, 0}, std::pair{vb->id, 1}})
    if (auto r = plan.wgmma_roles.find(id); r != plan.wgmma_roles.end() && r->second != role)
      return "a tile is the A operand of one dot and the B operand of another";
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
  m.wgmma = true;
  m.wm = static_cast<int>(p.num_warps);
  m.wn = 1;
  m.n_instr = l.instr_shape[1];
  const std::int64_t groups = p.num_warps / 4;
  if (p.num_warps % 4 != 0 || bm % (64 * groups) != 0)
    return "the tile's M (" + std::to_string(bm) + ") is not a multiple of 64 per warpgroup";
  if (bk % 16 != 0 || panel_of(bk) == 0)
    return "the K tile (" + std::to_string(bk) + ") is not 16 or 32 or a multiple of 64 (a swizzle row)";
  const std::int64_t pb = panel_of(bn);
  if (pb == 0 || bn % m.n_instr != 0 || (m.n_instr % pb != 0 && m.n_instr != bn))
    return "the tile's N (" + std::to_string(bn) + ") is not 16 or 32 or a multiple of 64 (a swizzle row)";
  m.mr = static_cast<int>(bm / (64 * groups));
  m.nr = static_cast<int>(bn / m.n_instr);
  m.bk = bk;
  m.dtype = a.dtype();
  m.m_key = axis_key(o[0]);
  m.n_key = axis_key(o[1]);
  *out = m;
  return "";
}

std::string wgmma_row(const std::string& row, int m_warps) {
  // j = q·8·wm + 8·W + l/4 with q = 2r + h, W = 4g + w  ->  64·(r·G + g) + 16w + 8h + l/4.
  const std::string j = "(" + row + ")", X = std::to_string(8 * m_warps), W = std::to_string(m_warps);
  return "((" + j + " / " + std::to_string(16 * m_warps) + ") * " + std::to_string(16 * m_warps) + " + (" + j +
         " / 32 % " + std::to_string(m_warps / 4) + ") * 64 + (" + j + " / 8 % 4) * 16 + (" + j + " / " + X +
         " % 2) * 8 + " + j + " % 8)";
}

std::int64_t wgmma_row_value(std::int64_t j, int m_warps) {
  const std::int64_t m = m_warps;
  return (j / (16 * m)) * (16 * m) + (j / 32 % (m / 4)) * 64 + (j / 8 % 4) * 16 + (j / (8 * m) % 2) * 8 + j % 8;
}

std::string Printer::wgmma_instruction(int n, DType dtype) {
  const std::string t = dtype == DType::bf16 ? "bf16" : "f16";
  const std::string name = "ts_wgmma_m64n" + std::to_string(n) + "k16_f32_" + t;
  if (!preamble_names_.insert(name).second) return name;
  const int regs = n / 2;
  preamble_ << "// SM90_64x" << n << "x16_F32" << (dtype == DType::bf16 ? "BF16BF16" : "F16F16")
            << "_SS: D[64x" << n << "] += A (K-major) x B (N-major: imm-trans-b = 1), both from shared memory;\n"
            << "// scale-d = 1 keeps D (the accumulator starts as the dot's acc, set by ordinary code).\n"
            << "__device__ __forceinline__ void " << name << "(ts::u64 da, ts::u64 db";
  for (int i = 0; i < regs; ++i) preamble_ << (i % 8 == 0 ? ",\n    " : ", ") << "float& d" << i;
  preamble_ << ") {\n  asm volatile(\"{\\n.reg .pred p;\\nsetp.ne.b32 p, %" << regs + 2
            << ", 0;\\nwgmma.mma_async.sync.aligned.m64n" << n << "k16.f32." << t << "." << t << " {";
  for (int i = 0; i < regs; ++i) preamble_ << (i ? ", " : "") << "%" << i;
  preamble_ << "}, %" << regs << ", %" << regs + 1 << ", p, 1, 1, 0, 1;\\n}\\n\"\n    : ";
  for (int i = 0; i < regs; ++i) preamble_ << (i == 0 ? "" : i % 8 == 0 ? ",\n      " : ", ") << "\"+f\"(d" << i << ")";
  preamble_ << "\n    : \"l\"(da), \"l\"(db), \"r\"(1));\n}\n";
  return name;
}

void Printer::emit_wgmma_dot(const std::string& acc, int acc_regs, const StagedOperand& a, const StagedOperand& b,
                             bool in_place) {
  const MmaPlan& m = *plan_.mma;
  const int groups = m.wm / 4, esize = dtype_size(m.dtype);
  const std::int64_t pa = a.panel, pb = b.panel, sa = pa * esize, sb = pb * esize;
  const std::string fn = wgmma_instruction(m.n_instr, m.dtype);
  const int regs_n = plan_.axes.at(m.n_key).regs();
  line("// dot: SM90_64x" + std::to_string(m.n_instr) + "x16_F32" + (m.dtype == DType::bf16 ? "BF16BF16" : "F16F16") +
       "_SS (wgmma), " + std::to_string(groups) + " warpgroup(s) along M, each " + std::to_string(m.mr) + " m64 tile(s) x " +
       std::to_string(m.nr) + " instruction(s) per k16 step");
  open("");
  line("const int wg = tid >> 7;  // this warpgroup's m64 tiles: r * " + std::to_string(groups) + " + wg");
  line("const ts::u64 da = ts::wgmma_desc(" + stage_ptr_.at(a.let_id) + " + wg * " + std::to_string(64 * pa) + ", 16, " +
       std::to_string(8 * sa) + ", " + std::to_string(swizzle_mode(sa)) + ");  // A: K-major, SBO = 8 rows");
  line("const ts::u64 db = ts::wgmma_desc(" + stage_ptr_.at(b.let_id) + ", " + std::to_string(b.rows * sb) + ", " +
       std::to_string(8 * sb) + ", " + std::to_string(swizzle_mode(sb)) +
       ");  // B: N-major, LBO = next N panel, SBO = 8 K rows");
  line("#pragma unroll");
  line("for (int q = 0; q < " + std::to_string(acc_regs) + "; ++q) ts::fence_operand(" + acc + "[q]);");
  line("ts::wgmma_fence();  // the accumulators were written by other instructions");
  for (std::int64_t kk = 0; kk < m.bk / 16; ++kk) {
    for (int r = 0; r < m.mr; ++r) {
      for (int s = 0; s < m.nr; ++s) {
        // Byte offsets from the descriptors' starts: A's K panel, m64 tile and column inside
        // the swizzle row; B's N panel and K rows.
        const std::int64_t a_off = (kk * 16 / pa) * a.rows * sa + std::int64_t{r} * groups * 64 * sa + (kk * 16 % pa) * esize;
        const std::int64_t b_off = (std::int64_t{s} * m.n_instr / pb) * b.rows * sb + kk * 16 * sb;
        line(fn + "(da + " + std::to_string(a_off >> 4) + ", db + " + std::to_string(b_off >> 4) + ",  // k16 step " +
             std::to_string(kk) + ", m64 tile " + std::to_string(r) + ", N instruction " + std::to_string(s));
        std::string regs;
        for (int i = 0; i < m.n_instr / 2; ++i) {
          const int q = (2 * r + (i / 2) % 2) * regs_n + 2 * (s * m.n_instr / 8 + i / 4) + i % 2;
          regs += acc + "[" + std::to_string(q) + "]" + (i + 1 < m.n_instr / 2 ? "," : ");");
          if (i % 16 == 15 || i + 1 == m.n_instr / 2) {
            line("    " + regs);
            regs.clear();
          } else {
            regs += " ";
          }
        }
      }
    }
  }
  line("ts::wgmma_commit();");
  const int lag = in_place ? wgmma_lag_ : 0;
  line("ts::wgmma_wait<" + std::to_string(lag) + ">();" +
       (lag ? "  // this tile's group may still run; the one before it is done" : ""));
  line("#pragma unroll");
  line("for (int q = 0; q < " + std::to_string(acc_regs) + "; ++q) ts::fence_operand(" + acc + "[q]);");
  if (lag) wgmma_in_flight_.emplace_back(acc, acc_regs);
  close();
}

}  // namespace tessera::backend::gpu
