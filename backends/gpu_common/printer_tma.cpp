// SPDX-License-Identifier: Apache-2.0
// TMA copies of dot operands (sm_90+): where the config's `indexing` entry of a load says
// "tensor_descriptor" (Helion's name for TMA), a pipelined wgmma operand is copied by
// cp.async.bulk.tensor instead of per-thread cp.async.
//
// Why: a cp.async pipeline spends issue slots on every thread for every 16-byte chunk (address,
// swizzle and bounds arithmetic: ~1/3 of the instructions of a 128x256x64 wgmma tile, RESULTS.md
// "whole 16-byte copies"); with TMA one thread issues a few box copies per stage and the copy
// engine applies the swizzle and zero-fills what lies outside the tensor (ragged edges).
//
// Layout. The operand's buffer keeps the wgmma layout (printer_wgmma.cpp): panels of P columns
// (one 32/64/128-byte swizzle row), each [rows][P], chunks XOR-swizzled by row — exactly a TMA
// box of {P, rows} with CU_TENSOR_MAP_SWIZZLE_{32,64,128}B landing at a 8·S-byte aligned
// address. B (rows in order) takes one box per panel. A's rows are in accumulator order
// (wgmma_row): tile rows 8u..8u+7 stay together, at buffer row wgmma_row(8u), so A takes one
// 8-row box per 8 rows per panel.
//
// Synchronisation (printer_mma_stage.cpp runs the loop): one mbarrier per stage, initialised
// by thread 0 before the prologue (arrival count 1) and invalidated after the loop. Filling a
// stage: thread 0 arrives with expect_tx(bytes of every box of the stage), then issues the
// boxes, which complete_tx on the same mbarrier. Consuming tile kt: every thread waits for the
// phase of its buffer (parity = (kt / S) % 2), which makes the bytes visible to it and to the
// wgmma it issues; the loop's barrier still orders the refill of a buffer after everyone's
// last read of it, as for cp.async.
#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/ir/config_space.h"

namespace tessera::backend::gpu {

namespace {

/// The config's `indexing` for the access `load` (Helion's per-access list over loads and
/// stores in program order, or one value for all); pointer when absent or out of range.
Indexing indexing_of(const lower::Program& p, const ir::ExprNode* load) {
  const auto ix = p.config.indexing();
  if (!ix) return Indexing::kPointer;
  if (const auto* all = std::get_if<Indexing>(&*ix)) return *all;
  const auto& list = std::get<std::vector<Indexing>>(*ix);
  const ir::ConfigSpace space = ir::ConfigSpace::of(*p.kernel, p.spec.sizes);
  const auto& accesses = space.accesses();
  for (std::size_t i = 0; i < accesses.size() && i < list.size(); ++i)
    if (accesses[i].load == load) return list[i];
  return Indexing::kPointer;
}

/// Why the load of `op` cannot be a 2-D TMA box copy, or "".
std::string tma_blocker(const StagedOperand& op, const ir::Kernel& k, const Dialect& d, bool wgmma_operand) {
  if (!d.tma) return d.target + " has no TMA (sm_90+)";
  if (!wgmma_operand) return "only wgmma operands are copied by TMA (their swizzled panels are TMA's box layout)";
  if (!op.pipelined) return "the operand is not in a cp.async pipeline (num_stages >= 2 in a device loop)";
  if (!op.async) return "its rows are not 16-byte aligned (" + op.why_scalar + ")";
  const ir::TensorParam* t = k.find_tensor(op.load->tensor);
  std::vector<const ir::Index*> dims;
  for (const ir::Index& i : op.load->indices)
    if (i.kind != ir::IndexKind::new_axis) dims.push_back(&i);
  if (t == nullptr || t->rank() != 2 || dims.size() != 2) return "the tensor is not 2-D";
  for (std::size_t d = 0; d < 2; ++d) {
    const ir::Index& i = *dims[d];
    if ((i.kind != ir::IndexKind::tile && i.kind != ir::IndexKind::full) || !(*i.axis() == op.axes[d]))
      return "the load is not a plain tile of the tensor in its own dimension order";
  }
  if (op.rows % 8 != 0 || op.rows > 256) return "the tile has " + std::to_string(op.rows) + " rows (a multiple of 8, at most 256)";
  return "";
}

/// The element coordinate of the tile's first row/column along index `i`: the tile base plus
/// the index's offset.
std::string tile_origin(Printer& pr, const ir::Index& i) {
  const std::string b = Printer::base(*i.axis());
  return i.kind == ir::IndexKind::tile && i.value.defined() ? "(int)(" + b + " + " + pr.elem(i.value) + ")" : "(int)" + b;
}

}  // namespace

void Printer::plan_tma() {
  for (auto& [id, op] : staged_) {
    if (indexing_of(p_, op.load) != Indexing::kTensorDescriptor) continue;
    const std::string why = tma_blocker(op, k_, d_, plan_.wgmma_roles.count(id) > 0);
    if (!why.empty()) {
      notes_.push_back("indexing: the load of " + op.load->tensor + " says tensor_descriptor but uses cp.async: " + why);
      continue;
    }
    const int esize = dtype_size(op.dtype);
    TensorMapParam m;
    m.tensor = op.load->tensor;
    m.element_bytes = esize;
    m.box_cols = static_cast<std::uint32_t>(op.panel);
    m.box_rows = static_cast<std::uint32_t>(op.perm_warps > 0 ? 8 : op.rows);
    m.swizzle_bytes = op.max_phase > 1 ? static_cast<int>(op.panel * esize) : 0;
    op.tma = true;
    op.tma_map = static_cast<int>(tensor_maps_.size());
    tensor_maps_.push_back(m);
    const std::int64_t boxes = (op.cols / op.panel) * (op.rows / m.box_rows);
    notes_.push_back("indexing: the load of " + op.load->tensor + " is a TMA copy (tensor_descriptor): " +
                     std::to_string(boxes) + " box(es) of " + std::to_string(m.box_rows) + " x " +
                     std::to_string(m.box_cols) + " per stage, swizzle " + std::to_string(m.swizzle_bytes) + " B");
  }
}

void Printer::emit_tma_stage(const std::vector<int>& lets, const std::string& stage, const std::string& bar) {
  std::int64_t bytes = 0;
  for (int id : lets)
    if (const StagedOperand& op = staged_.at(id); op.tma) bytes += op.elems() * dtype_size(op.dtype);
  if (bytes == 0) return;
  open("if (tid == 0)");
  line("ts::mbar_arrive_expect_tx(&" + bar + "[" + stage + "], " + std::to_string(bytes) + ");");
  for (int id : lets) {
    const StagedOperand& op = staged_.at(id);
    if (!op.tma) continue;
    const TensorMapParam& m = tensor_maps_.at(static_cast<std::size_t>(op.tma_map));
    std::vector<const ir::Index*> dims;
    for (const ir::Index& i : op.load->indices)
      if (i.kind != ir::IndexKind::new_axis) dims.push_back(&i);
    const std::string row0 = tile_origin(*this, *dims[0]), col0 = tile_origin(*this, *dims[1]);
    const std::string map = "&tm" + std::to_string(op.tma_map) + "_" + ident(op.load->tensor);
    const std::string buf = op.buf + " + (" + stage + ") * " + std::to_string(op.elems());
    line("// " + op.buf + " <- " + op.load->tensor + " (TMA: " + std::to_string(m.box_rows) + " x " +
         std::to_string(m.box_cols) + " boxes)");
    for (std::int64_t pnl = 0; pnl < op.cols / op.panel; ++pnl) {
      for (std::int64_t r = 0; r < op.rows; r += m.box_rows) {
        const std::int64_t at_row = op.perm_warps > 0 ? wgmma_row_value(r, op.perm_warps) : r;
        line("ts::tma_load_2d(" + buf + " + " + std::to_string(pnl * op.rows * op.panel + at_row * op.panel) + ", " + map +
             ", " + col0 + " + " + std::to_string(pnl * op.panel) + ", " + row0 + " + " + std::to_string(r) + ", &" + bar +
             "[" + stage + "]);");
      }
    }
  }
  close();
}

}  // namespace tessera::backend::gpu
