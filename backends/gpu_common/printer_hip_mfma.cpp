// SPDX-License-Identifier: Apache-2.0
// `dot` on AMD matrix cores (MFMA, CDNA: gfx908, gfx90a, gfx94x, gfx950; WMMA, RDNA3: gfx11), the
// HIP counterpart of printer_mma.cpp's mma.sync path, chosen by the dialect's `mfma` / `wmma`
// (STYLE A2: vendor facts in the table, the rest of the printer shared).
//
// One wavefront of 64 lanes issues D x D x kin instructions (v_mfma_f32_32x32x8bf16_1k, ...;
// the fragment layouts are in device_headers/tessera_hip.h). With G = 64/D lane groups and
// P = D/(4G) groups of 4 result rows per instruction, instruction tile (t, u) of wavefront
// (wm_i, wn_i) covers
//   rows    m = (P·t + r/4)·4G·wm + 4·(G·wm_i + l/D) + r%4   for result register r of lane l,
//   columns n = u·D·wn + D·wn_i + l%D,
// i.e. the accumulator's M axis is the distribution "4 rows per thread, G lane groups, wm
// wavefronts" and N "1 column per thread, D lanes, wn wavefronts" (MfmaPlan): register r of tile
// (t, u) is the thread's M register 4P·t + r and N register u, so the accumulator array is updated
// in place. The operands come from the staged shared-memory tiles (padded rows, as for FMA):
// lane l reads, per K step of kin, A rows of its instruction row l%D (mapped as above with r/4 =
// (l%D)/(4G), l/D -> ((l%D)/4)%G, r%4 -> l%4) at K = kpl·(l/D) + 0..kpl-1, and B columns l%D at the
// same K, kpl = kin / G elements (4 for f16/bf16, 1 for f32).
//
// WMMA (RDNA3, wave32, v_wmma_f32_16x16x16_{f16,bf16}; RDNA3 ISA "Wave Matrix Multiply
// Accumulate", AMD matrix instruction calculator for gfx11): lane l holds A row l%16 and B column
// l%16 over all 16 K, lanes 16-31 repeating lanes 0-15, and result register r = C[2r + l/16][l%16].
// The same scheme with D = 16, G = 2 lane groups of rows interleaved (row 2r + g) instead of
// blocks of 4: M is "1 row per thread, 2 lane groups (tid stride 16), wm wavefronts (stride 32)",
// so instruction row i of tile t of wavefront wm_i is M register 8t + i/2 of component
// 2·wm_i + i%2, i.e. block row (8t + i/2)·2wm + 2·wm_i + i%2.
#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/error.h"

namespace tessera::backend::gpu {

using ir::Axis;

namespace {

/// The instruction for `dtype` and `nonkdim`: its K, device-header wrapper and atom name
/// (STYLE A4), or empty `fn` when the target lacks it.
struct MfmaInstr {
  int kin = 0;
  std::string fn, atom, mnemonic;
};

MfmaInstr mfma_instr(const Dialect& d, DType t, int nonkdim) {
  if (d.wmma) {  // gfx11: one shape, 16x16x16, f16 and bf16 operands (no f32 form)
    if (nonkdim != 16) return {};
    if (t == DType::bf16)
      return {16, "ts::wmma_16x16x16_bf16", "GFX11_16x16x16_F32BF16BF16F32", "v_wmma_f32_16x16x16_bf16"};
    if (t == DType::f16) return {16, "ts::wmma_16x16x16_f16", "GFX11_16x16x16_F32F16F16F32", "v_wmma_f32_16x16x16_f16"};
    return {};
  }
  const bool big = nonkdim == 32;
  const std::string arch = t == DType::bf16 ? "GFX90A" : "GFX908";
  // gfx94x/gfx950 spell the same instructions with an underscore before the type and without
  // "_1k" (v_mfma_f32_32x32x8_bf16): the names their disassembly shows.
  const bool gfx94 = d.target.rfind("gfx94", 0) == 0 || d.target.rfind("gfx95", 0) == 0;
  auto name = [&](const std::string& shape, const std::string& type) {
    return "v_mfma_f32_" + shape + (gfx94 ? "_" + type : type == "bf16" ? type + "_1k" : type);
  };
  switch (t) {
    case DType::bf16:
      if (!d.mfma_bf16) return {};
      return big ? MfmaInstr{8, "ts::mfma_32x32x8_bf16", arch + "_32x32x8_F32BF16BF16F32", name("32x32x8", "bf16")}
                 : MfmaInstr{16, "ts::mfma_16x16x16_bf16", arch + "_16x16x16_F32BF16BF16F32", name("16x16x16", "bf16")};
    case DType::f16:
      return big ? MfmaInstr{8, "ts::mfma_32x32x8_f16", arch + "_32x32x8_F32F16F16F32", name("32x32x8", "f16")}
                 : MfmaInstr{16, "ts::mfma_16x16x16_f16", arch + "_16x16x16_F32F16F16F32", name("16x16x16", "f16")};
    case DType::f32:
      return big ? MfmaInstr{2, "ts::mfma_32x32x2_f32", arch + "_32x32x2_F32F32F32F32", name("32x32x2", "f32")}
                 : MfmaInstr{4, "ts::mfma_16x16x4_f32", arch + "_16x16x4_F32F32F32F32", name("16x16x4", "f32")};
    default: return {};
  }
}

bool axis_masked(const lower::Program& p, const Axis& a) {
  return a.kind == ir::AxisKind::full ? p.rdims[a.id].needs_mask : p.tiles[a.id].needs_mask;
}

/// Splits `waves` wavefronts over a bm x bn tile of D x D instructions: each side must be a
/// whole number of instructions per wavefront. Doubles the side with more instruction tiles per
/// wavefront left, M first on ties (Triton's warpsPerTile). False when no split fits.
bool split_waves(std::int64_t bm, std::int64_t bn, int d, std::int64_t waves, int* wm, int* wn) {
  *wm = 1, *wn = 1;
  if (bm % d != 0 || bn % d != 0) return false;
  while (std::int64_t{*wm} * *wn < waves) {
    const std::int64_t left_m = bm / (std::int64_t{d} * *wm), left_n = bn / (std::int64_t{d} * *wn);
    if (left_m >= left_n && left_m % 2 == 0) *wm *= 2;
    else if (left_n % 2 == 0) *wn *= 2;
    else if (left_m % 2 == 0) *wm *= 2;
    else return false;
  }
  return true;
}

/// Why `dot` cannot run on MFMA, or "" with `out` filled.
std::string mfma_blocker(const lower::Program& p, const Dialect& d, const ir::Expr& dot, const ThreadPlan& plan,
                         MfmaPlan* out) {
  const auto& n = *dot.as<ir::Dot>();
  if (!d.mfma && !d.wmma && d.target.rfind("gfx12", 0) == 0)
    return d.target + "'s WMMA (RDNA4: another lane layout and builtins) is not implemented: no compiler here knows gfx12"
           " (clang 15, ROCm 5.2), so it could not be compiled or checked";
  if (!d.mfma && !d.wmma) return d.target + " has no matrix instructions (MFMA: CDNA; WMMA: RDNA3)";
  if (d.mfma && d.warp_size != 64) return "MFMA needs 64-lane wavefronts";
  if (d.wmma && d.warp_size != 32) return "WMMA (wave32 forms) needs 32-lane wavefronts";
  if (n.type.dtype != DType::f32) return "the accumulator is not f32";
  const auto* va = n.a.as<ir::Var>();
  const auto* vb = n.b.as<ir::Var>();
  if (!va || !vb || !plan.staged_values.count(va->id) || !plan.staged_values.count(vb->id))
    return "an operand is not a loaded tile";
  const ir::Expr& a = plan.staged_values.at(va->id);
  const ir::Expr& b = plan.staged_values.at(vb->id);
  if (!a.as<ir::Load>() || !b.as<ir::Load>()) return "an operand is converted after loading";
  if (a.dtype() != b.dtype()) return "the operands' types differ";
  const std::vector<Axis> o = Printer::real_axes(n.type.axes), ax = Printer::real_axes(a.type().axes),
                          bx = Printer::real_axes(b.type().axes);
  if (o.size() != 2 || ax.size() != 2 || bx.size() != 2 || !(ax[0] == o[0]) || !(bx[1] == o[1]) || !(ax[1] == bx[0]) ||
      o[0] == o[1])
    return "the operands are not [M, K] x [K, N] tiles";
  const std::int64_t bm = p.shape_of({o[0]}, false)[0], bn = p.shape_of({o[1]}, false)[0],
                     bk = p.shape_of({ax[1]}, false)[0];
  // matrix_instr_nonkdim: 16 or 32 as given; 0 or absent: 32 where the tile fits, else 16.
  // WMMA has 16 only (explain says the field is not used there).
  const std::int64_t asked = p.config.matrix_instr_nonkdim().value_or(0);
  std::vector<int> sizes = d.wmma ? std::vector<int>{16}
                           : asked == 16 ? std::vector<int>{16}
                           : asked == 32 ? std::vector<int>{32}
                                         : std::vector<int>{32, 16};
  std::string why;
  for (int nk : sizes) {
    const MfmaInstr ins = mfma_instr(d, a.dtype(), nk);
    if (ins.fn.empty()) {
      why = std::string(d.wmma ? "no WMMA" : "no MFMA") + " instruction for " + std::string(dtype_name(a.dtype())) +
            " operands on " + d.target;
      continue;
    }
    MfmaPlan m;
    if (!split_waves(bm, bn, nk, p.num_warps, &m.wm, &m.wn)) {
      why = "the tile " + std::to_string(bm) + "x" + std::to_string(bn) + " does not split into " + std::to_string(nk) +
            "x" + std::to_string(nk) + " instructions over " + std::to_string(p.num_warps) + " wavefronts";
      continue;
    }
    if (bk % ins.kin != 0) {
      why = "the K tile " + std::to_string(bk) + " is not a multiple of " + std::to_string(ins.kin);
      continue;
    }
    m.nonkdim = nk;
    m.kin = ins.kin;
    m.tm = static_cast<int>(bm / (std::int64_t{nk} * m.wm));
    m.tn = static_cast<int>(bn / (std::int64_t{nk} * m.wn));
    m.bk = bk;
    m.dtype = a.dtype();
    m.wmma = d.wmma;
    m.m_key = axis_key(o[0]);
    m.n_key = axis_key(o[1]);
    *out = m;
    return "";
  }
  return why;
}

}  // namespace

void plan_mfma(const lower::Program& p, const Dialect& d, const std::vector<ir::Expr>& dots, ThreadPlan& plan) {
  for (const ir::Expr& e : dots) {
    MfmaPlan m;
    std::string why = mfma_blocker(p, d, e, plan, &m);
    if (why.empty() && plan.mfma &&
        (plan.mfma->m_key != m.m_key || plan.mfma->n_key != m.n_key || plan.mfma->wm != m.wm ||
         plan.mfma->wn != m.wn || plan.mfma->nonkdim != m.nonkdim))
      why = "another dot already fixed a different matrix-instruction layout";
    if (!why.empty()) {
      plan.notes.push_back(std::string("dot: FMA, not ") + (d.wmma ? "WMMA: " : "MFMA: ") + why);
      continue;
    }
    const auto& n = *e.as<ir::Dot>();
    const std::vector<Axis> o = Printer::real_axes(n.type.axes);
    if (!plan.mfma) {
      const int L = m.wmma ? 32 : 64, D = m.nonkdim, G = L / D;
      AxisDist dm;  // M: 4 rows (WMMA: 1) per thread, G lane groups at tid stride D, wm wavefronts at L
      dm.block = p.shape_of({o[0]}, false)[0];
      dm.spt = m.wmma ? 1 : 4;
      dm.thr = G * m.wm;
      dm.stride = D;
      if (m.wm > 1) dm.lo_thr = G, dm.hi_stride = L;
      dm.masked = axis_masked(p, o[0]);
      AxisDist dn;  // N: 1 column per thread, D lanes at tid stride 1, wn wavefronts at L·wm
      dn.block = p.shape_of({o[1]}, false)[0];
      dn.spt = 1;
      dn.thr = D * m.wn;
      dn.stride = 1;
      if (m.wn > 1) dn.lo_thr = D, dn.hi_stride = L * m.wm;
      dn.masked = axis_masked(p, o[1]);
      plan.axes[m.m_key] = dm;
      plan.axes[m.n_key] = dn;
      plan.mfma = m;
    }
    plan.mfma_dots.insert(e.get());
  }
}

std::string explain_matrix_instr(const lower::Program& p, const Dialect& d, const ThreadPlan& plan) {
  const std::string asked = p.config.matrix_instr_nonkdim() ? std::to_string(*p.config.matrix_instr_nonkdim()) : "unset";
  if (!d.mfma && !d.wmma) return "ignored: " + d.target + " has no MFMA instructions (an AMD CDNA field)";
  if (plan.mfma) {
    const MfmaPlan& m = *plan.mfma;
    const MfmaInstr ins = mfma_instr(d, m.dtype, m.nonkdim);
    return (d.wmma ? "not used (" + asked + "): RDNA3 WMMA has one shape; dot on "
                   : "used (" + asked + "): dot on ") + ins.mnemonic + " (" + ins.atom + "), wavefronts " + std::to_string(m.wm) +
           "x" + std::to_string(m.wn) + ", " + std::to_string(m.tm) + "x" + std::to_string(m.tn) +
           " instruction tiles each";
  }
  for (const std::string& n : plan.notes)
    if (n.rfind("dot: FMA, not ", 0) == 0) return "value " + asked + "; " + n;
  return "ignored: the kernel has no dot";
}

void Printer::emit_mfma_dot(const ir::Dot& d, const std::string& acc, const StagedOperand& a, const StagedOperand& b) {
  const MfmaPlan& m = *plan_.mfma;
  const MfmaInstr ins = mfma_instr(d_, m.dtype, m.nonkdim);
  const int L = m.wmma ? 32 : 64, D = m.nonkdim, G = L / D, kpl = m.wmma ? m.kin : m.kin / G;
  const std::string s = std::to_string(D), WM = std::to_string(m.wm), WN = std::to_string(m.wn),
                    TM = std::to_string(m.tm), TN = std::to_string(m.tn), KPL = std::to_string(kpl),
                    RN = std::to_string(dist(real_axes(d.type.axes)[1]).regs()), R = std::to_string(D * D / L);
  const std::string frag = D == 32 ? "ts::f32x16" : m.wmma ? "ts::f32x8" : "ts::f32x4";
  const std::string elem = m.dtype == DType::f32 ? "float" : "ts::u16";
  line("// dot: " + ins.atom + " (" + ins.mnemonic + "), wavefronts " + WM + "x" + WN + ", " + TM + "x" + TN +
       " instruction tiles per wavefront");
  open("");
  line(m.wmma ? "const int lane = tid & 31, wave = tid >> 5;" : "const int lane = tid & 63, wave = tid >> 6;");
  line("const int wm_i = wave % " + WM + ", wn_i = (wave / " + WM + ") % " + WN + ";");
  if (m.wmma) line("const int lr = lane % 16;  // lanes 16-31 repeat the operands of lanes 0-15");
  else line("const int lr = lane % " + s + ", lk = lane / " + s + ";");
  line("// A row of instruction row lr in tile t = 0 (printer_hip_mfma.cpp), B column of lane column lr");
  if (m.wmma)
    line("const int a_row = (lr / 2) * " + std::to_string(2 * m.wm) + " + 2 * wm_i + lr % 2;");
  else
    line("const int a_row = (lr / " + std::to_string(4 * G) + ") * " + std::to_string(4 * G * m.wm) + " + 4 * (" +
         std::to_string(G) + " * wm_i + (lr / 4) % " + std::to_string(G) + ") + lr % 4;");
  line("const int b_col = wn_i * " + s + " + lr;");
  line("const " + elem + "* sa = " + stage_ptr_.at(a.let_id) + ";");
  line("const " + elem + "* sb = " + stage_ptr_.at(b.let_id) + ";");
  line(frag + " c[" + TM + "][" + TN + "];");
  line("// result register r of tile (t, u) = this thread's M register " + R + "·t + r, N register u");
  line("#pragma unroll");
  line("for (int t = 0; t < " + TM + "; ++t)");
  line("#pragma unroll");
  line("  for (int u = 0; u < " + TN + "; ++u)");
  line("#pragma unroll");
  line("    for (int r = 0; r < " + R + "; ++r) c[t][u][r] = " + acc + "[(" + R + " * t + r) * " + RN + " + u];");
  line("#pragma unroll");
  open("for (int kk = 0; kk < " + std::to_string(m.bk / m.kin) + "; ++kk)");
  line("const int k0 = kk * " + std::to_string(m.kin) + (m.wmma ? std::string(";") : " + lk * " + KPL + ";"));
  const std::string xa = m.dtype == DType::f32 ? "xa[t]" : "xa[t][e]", xb = m.dtype == DType::f32 ? "xb[u]" : "xb[u][e]";
  line(elem + " xa[" + TM + "]" + (kpl > 1 ? "[" + KPL + "]" : "") + ", xb[" + TN + "]" + (kpl > 1 ? "[" + KPL + "]" : "") + ";");
  line("#pragma unroll");
  line("for (int t = 0; t < " + TM + "; ++t)");
  line("#pragma unroll");
  line("  for (int e = 0; e < " + KPL + "; ++e) " + xa + " = sa[" +
       smem_index(a, "a_row + t * " + std::to_string(D * m.wm), "k0 + e") + "];");
  line("#pragma unroll");
  line("for (int u = 0; u < " + TN + "; ++u)");
  line("#pragma unroll");
  line("  for (int e = 0; e < " + KPL + "; ++e) " + xb + " = sb[" +
       smem_index(b, "k0 + e", "b_col + u * " + std::to_string(D * m.wn)) + "];");
  line("#pragma unroll");
  line("for (int t = 0; t < " + TM + "; ++t)");
  line("#pragma unroll");
  line("  for (int u = 0; u < " + TN + "; ++u) " + ins.fn + "(c[t][u], xa[t], xb[u]);");
  close();
  line("#pragma unroll");
  line("for (int t = 0; t < " + TM + "; ++t)");
  line("#pragma unroll");
  line("  for (int u = 0; u < " + TN + "; ++u)");
  line("#pragma unroll");
  line("    for (int r = 0; r < " + R + "; ++r) " + acc + "[(" + R + " * t + r) * " + RN + " + u] = c[t][u][r];");
  close();
}

}  // namespace tessera::backend::gpu
