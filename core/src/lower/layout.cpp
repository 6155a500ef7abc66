// SPDX-License-Identifier: Apache-2.0
#include "tessera/lower/layout.h"

#include <algorithm>
#include <sstream>

#include "tessera/error.h"

namespace tessera::lower {

namespace {

std::string list(const std::vector<int>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

std::string list64(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

/// Parses the compute capability of "sm_90a" (90) or 0 for other targets.
int sm_version(const std::string& target) {
  if (target.rfind("sm_", 0) != 0) return 0;
  int v = 0;
  for (std::size_t i = 3; i < target.size() && std::isdigit(static_cast<unsigned char>(target[i])); ++i)
    v = v * 10 + (target[i] - '0');
  return v;
}

}  // namespace

const char* layout_kind_name(LayoutKind k) {
  switch (k) {
    case LayoutKind::kScalar: return "scalar";
    case LayoutKind::kBlocked: return "blocked";
    case LayoutKind::kSlice: return "slice";
    case LayoutKind::kMma: return "mma";
    case LayoutKind::kDotOperand: return "dot_operand";
    case LayoutKind::kShared: return "shared";
  }
  return "?";
}

namespace {
/// Elements one thread holds along dimension `d` of a blocked layout (repeats included).
std::int64_t per_thread_along(const Layout& l, std::size_t d) {
  const std::int64_t per_cta =
      std::int64_t{l.size_per_thread[d]} * l.threads_per_warp[d] * l.warps_per_cta[d];
  return std::max<std::int64_t>(1, (l.shape[d] + per_cta - 1) / per_cta) * l.size_per_thread[d];
}
}  // namespace

std::int64_t Layout::elements_per_thread() const {
  if (kind == LayoutKind::kSlice) {
    TS_INTERNAL_CHECK(parent) << "slice layout without parent";
    if (parent->kind != LayoutKind::kBlocked) return parent->elements_per_thread();
    std::int64_t n = 1;
    for (std::size_t d = 0; d < parent->shape.size(); ++d)
      if (static_cast<int>(d) != slice_dim) n *= per_thread_along(*parent, d);
    return n;
  }
  if (kind != LayoutKind::kBlocked) {  // fragments: the tile spread over every thread
    std::int64_t n = 1, threads = 32;
    for (std::int64_t e : shape) n *= e;
    for (int w : warps_per_cta) threads *= w;
    return std::max<std::int64_t>(1, n / threads);
  }
  std::int64_t n = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) n *= per_thread_along(*this, d);
  return n;
}

std::string Layout::to_string() const {
  std::ostringstream os;
  os << "#" << layout_kind_name(kind) << "<";
  switch (kind) {
    case LayoutKind::kScalar: break;
    case LayoutKind::kBlocked:
      os << "spt=" << list(size_per_thread) << " tpw=" << list(threads_per_warp)
         << " wpc=" << list(warps_per_cta) << " order=" << list(order);
      break;
    case LayoutKind::kSlice: os << "dim=" << slice_dim << " parent=" << parent->to_string(); break;
    case LayoutKind::kMma:
      os << "v" << mma_version << " instr=" << list(instr_shape) << " wpc=" << list(warps_per_cta);
      break;
    case LayoutKind::kDotOperand:
      os << "op=" << operand_index << " k_width=" << k_width << " parent=" << parent->to_string();
      break;
    case LayoutKind::kShared:
      os << "vec=" << vec << " per_phase=" << per_phase << " max_phase=" << max_phase
         << " order=" << list(order) << " buffers=" << num_buffers;
      break;
  }
  os << "> " << list64(shape);
  return os.str();
}

Layout blocked_layout(const std::vector<std::int64_t>& shape, DType dtype, int num_warps,
                      int warp_size) {
  Layout l;
  const int rank = static_cast<int>(shape.size());
  if (rank == 0) return l;  // scalar
  l.kind = LayoutKind::kBlocked;
  l.shape = shape;
  l.size_per_thread.assign(rank, 1);
  l.threads_per_warp.assign(rank, 1);
  l.warps_per_cta.assign(rank, 1);
  for (int d = rank - 1; d >= 0; --d) l.order.push_back(d);
  if (warp_size <= 1) {  // CPU: one thread holds the whole tile
    for (int d = 0; d < rank; ++d) l.size_per_thread[d] = static_cast<int>(shape[d]);
    return l;
  }
  const int fastest = rank - 1;
  l.size_per_thread[fastest] = static_cast<int>(
      std::clamp<std::int64_t>(16 / std::max(1, dtype_size(dtype)), 1, shape[fastest]));
  // Lanes, fastest dimension first; leftovers replicate along the slowest dimension.
  int lanes = warp_size;
  for (int d : l.order) {
    const std::int64_t room = std::max<std::int64_t>(1, shape[d] / l.size_per_thread[d]);
    const int t = static_cast<int>(std::min<std::int64_t>(lanes, room));
    l.threads_per_warp[d] = t;
    lanes /= t;
  }
  l.threads_per_warp[l.order.back()] *= lanes;
  // Warps the same way, after the lanes.
  int warps = num_warps;
  for (int d : l.order) {
    const std::int64_t room = std::max<std::int64_t>(
        1, shape[d] / (std::int64_t{l.size_per_thread[d]} * l.threads_per_warp[d]));
    const int w = static_cast<int>(std::min<std::int64_t>(warps, room));
    l.warps_per_cta[d] = w;
    warps /= w;
  }
  l.warps_per_cta[l.order.back()] *= warps;
  return l;
}

Layout slice_layout(const Layout& parent, int dim) {
  TS_INTERNAL_CHECK(dim >= 0 && dim < static_cast<int>(parent.shape.size()))
      << "slice_layout: dim " << dim << " of a rank-" << parent.shape.size() << " layout";
  Layout l;
  l.kind = LayoutKind::kSlice;
  l.parent = std::make_shared<const Layout>(parent);
  l.slice_dim = dim;
  l.shape = parent.shape;
  l.shape.erase(l.shape.begin() + dim);
  if (l.shape.empty()) l.kind = LayoutKind::kScalar;
  return l;
}

Layout mma_layout(std::int64_t m, std::int64_t n, const std::string& target, int num_warps,
                  int warp_size) {
  const int sm = sm_version(target);
  const bool cdna = target.rfind("gfx9", 0) == 0;
  if (warp_size <= 1 || (sm < 80 && !cdna)) return blocked_layout({m, n}, DType::f32, num_warps, warp_size);
  Layout l;
  l.kind = LayoutKind::kMma;
  l.shape = {m, n};
  l.order = {1, 0};
  // wgmma (v3) on sm_90a only: wgmma.mma_async is one of the arch-specific sm_90a features (PTX
  // ISA "wgmma.mma_async" target notes; sm_100a has tcgen05 instead). A warpgroup is 4
  // consecutive warps and one instruction covers m64 x N x k16 (N a multiple of 8 up to 256), so
  // the warpgroups stack along M, each over whole m64 tiles: M a multiple of 64 per warpgroup.
  // N of one instruction: the largest multiple of 8 up to 256 that divides the tile's N.
  if (target == "sm_90a" && num_warps % 4 == 0 && m % (16 * std::int64_t{num_warps}) == 0 && n % 8 == 0) {
    std::int64_t instr_n = std::min<std::int64_t>(256, n) / 8 * 8;
    while (n % instr_n != 0) instr_n -= 8;
    l.mma_version = 3;
    l.instr_shape = {64, static_cast<int>(instr_n)};
    l.warps_per_cta = {num_warps, 1};
    return l;
  }
  // mma.sync m16n8k16 on every other sm_80+ target and tile, and MFMA on CDNA.
  l.mma_version = cdna ? 4 : 2;
  l.instr_shape = cdna ? std::vector<int>{32, 32} : std::vector<int>{16, 8};
  // Triton's warpsPerTileV2: double the warps along whichever dimension has more instruction
  // tiles left per warp (N counted in pairs of n8 tiles), so warp tiles stay near square and
  // each ldmatrix'd operand fragment feeds as many mma as possible.
  const std::int64_t im = l.instr_shape[0], in = l.instr_shape[1];
  std::int64_t wm = 1, wn = 1;
  while (wm * wn < num_warps) {
    if (m / im / wm >= n / (in * 2) / wn) {
      if (wm < std::max<std::int64_t>(1, m / im)) wm *= 2;
      else wn *= 2;
    } else {
      wn *= 2;
    }
  }
  l.warps_per_cta = {static_cast<int>(wm), static_cast<int>(wn)};
  return l;
}

Layout dot_operand_layout(const Layout& parent, int index, const std::vector<std::int64_t>& shape,
                          DType dtype) {
  TS_INTERNAL_CHECK(index == 0 || index == 1) << "dot operand index " << index;
  if (parent.kind != LayoutKind::kMma) {  // no matrix instructions: FMA on blocked operands
    int warps = 1, lanes = 1;
    for (int w : parent.warps_per_cta) warps *= w;
    for (int t : parent.threads_per_warp) lanes *= t;
    return blocked_layout(shape, dtype, warps, lanes);
  }
  Layout l;
  l.kind = LayoutKind::kDotOperand;
  l.shape = shape;
  l.parent = std::make_shared<const Layout>(parent);
  l.operand_index = index;
  l.k_width = std::max(1, 4 / std::max(1, dtype_size(dtype)));  // 32 bits of K per register
  return l;
}

Layout shared_layout(const std::vector<std::int64_t>& shape, DType dtype, int num_buffers) {
  Layout l;
  l.kind = LayoutKind::kShared;
  l.shape = shape;
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) l.order.push_back(d);
  // 16-byte vectors; rows of 128 bytes rotate through 8 phases (the usual 128B swizzle).
  l.vec = std::max(1, 16 / std::max(1, dtype_size(dtype)));
  const std::int64_t row_bytes = shape.empty() ? 0 : shape.back() * dtype_size(dtype);
  l.per_phase = static_cast<int>(std::max<std::int64_t>(1, 128 / std::max<std::int64_t>(1, row_bytes)));
  l.max_phase = static_cast<int>(std::clamp<std::int64_t>(row_bytes / 16, 1, 8));
  l.num_buffers = std::max(1, num_buffers);
  return l;
}

}  // namespace tessera::lower
