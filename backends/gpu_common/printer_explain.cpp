// SPDX-License-Identifier: Apache-2.0
// `tessera configs explain`: what the GPU printer does with each config field (DESIGN.md
// "Config semantics per backend": every field has one meaning, or is ignored with a reason).
#include <sstream>

#include "gpu_common/printer_internal.h"

namespace tessera::backend::gpu {

namespace {

template <typename T>
std::string list(const std::vector<T>& v) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
  os << "]";
  return os.str();
}

}  // namespace

std::vector<std::string> explain_config(const lower::Program& p, const Dialect& d) {
  const ir::Kernel& k = *p.kernel;
  const Config& c = p.config;
  const ThreadPlan plan = plan_threads(p, d);
  std::vector<std::string> out;
  auto add = [&](const std::string& field, const std::string& text) { out.push_back(field + ": " + text); };

  std::ostringstream bs;
  for (const lower::TilePlan& t : p.tiles) {
    bs << t.name << "=" << t.block << (t.is_grid ? " (grid)" : " (device loop)") << (t.needs_mask ? " masked" : "") << "; ";
  }
  add("block_sizes", (c.block_sizes() ? "used: " : "default: ") + bs.str() + "each axis is spread as spt x threads (see the source header)");
  add("num_warps", "used: " + std::to_string(p.num_warps) + " " + d.warp_name + "s of " + std::to_string(d.warp_size) +
                       " = " + std::to_string(p.num_warps * d.warp_size) + " threads per block (__launch_bounds__)");
  const bool has_dot = !plan.staged_lets.empty();
  std::string stages;  // the printer's decisions (printer_mma_stage.cpp): pipelines, clamps, reasons
  bool pipelined = false;
  if (has_dot) {
    for (const std::string& n : print_kernel(p, d).notes) {
      if (n.find("num_stages") == std::string::npos && n.find("cp.async pipeline") == std::string::npos) continue;
      pipelined = pipelined || n.find("cp.async pipeline") != std::string::npos;
      stages += (stages.empty() ? "" : "; ") + n;
    }
  }
  add("num_stages", !has_dot ? "ignored: no dot operands to pipeline (loads of the loop body are issued together)"
                    : pipelined ? "used: cp.async pipeline of the dot operands' tiles: " + stages
                                : "dot operands are staged through shared memory in one stage" +
                                      (stages.empty() ? std::string(" (num_stages 1)") : ": " + stages));
  add("pid_type", std::string("used: ") + std::string(to_string(p.grid.pid_type)) +
                      (p.grid.pid_type == PidType::kPersistentBlocked || p.grid.pid_type == PidType::kPersistentInterleaved
                           ? " (grid = min(tiles, SMs x num_sm_multiplier), programs loop over tiles)"
                           : ""));
  add("l2_groupings", p.grid.l2_grouping > 1 ? "used: Triton's grouped pid order in groups of " + std::to_string(p.grid.l2_grouping)
                                             : "1 (no swizzle)");
  add("loop_orders", "used: grid order (fastest first) " + list(p.grid.order));
  add("flatten_loops", p.grid.flatten ? "used: one pid dimension" : "grid not flattened (xyz uses blockIdx.x/y/z)");
  std::string red;
  for (const lower::RDimPlan& r : p.rdims)
    red += r.name + (r.strategy == lower::ReductionStrategy::kLooped ? " looped in chunks of " + std::to_string(r.block)
                                                                     : " persistent (tile " + std::to_string(r.block) + ")") + "; ";
  add("reduction_loops", red.empty() ? "ignored: the kernel has no reduction dimension" : "used: " + red);
  std::string hints = "ignored: " + d.target + " has no load eviction hints";
  if (d.eviction_hints) {
    hints = "used: load i in program order gets ld.global.L1::evict_first/evict_last; this kernel has " +
            std::to_string(plan.load_order.size()) + " loads";
  }
  add("load_eviction_policies", hints);
  std::string tma;  // the printer's per-load decisions (printer_tma.cpp)
  if (d.tma && has_dot)
    for (const std::string& n : print_kernel(p, d).notes)
      if (n.rfind("indexing: ", 0) == 0) tma += (tma.empty() ? "" : "; ") + n.substr(10);
  add("indexing", d.language != "cuda" ? "ignored: tensor descriptors have no AMD meaning; pointers with 16-byte vectors"
                  : !tma.empty()       ? "used: " + tma + "; every other access uses pointers with 16-byte vectors"
                                       : "pointers with 16-byte vectors for every access; tensor_descriptor (TMA) applies "
                                         "to pipelined wgmma dot operands on sm_90+ and no load here is one that asks for it");
  std::string unroll;
  for (const lower::DeviceLoopPlan& l : p.device_loops) unroll += std::to_string(l.unroll) + " ";
  add("range_unroll_factors", p.device_loops.empty() ? "ignored: no device loops"
                                                     : "used: #pragma unroll N per device loop (0 = 1): " + unroll);
  add("range_num_stages", "used per device loop when set (else num_stages): see num_stages");
  add("range_warp_specializes", "ignored: no warp specialization");
  add("range_multi_buffers", "ignored: staging buffers are single");
  add("range_flattens", "ignored: use flatten_loops");
  add("maxnreg", c.maxnreg() ? "ignored: register caps are not passed to NVRTC yet" : "not set");
  add("num_sm_multiplier", "used for persistent pid types: " + std::to_string(p.grid.num_sm_multiplier));
  // AMD-only fields (Triton's AMD backend): honoured on HIP, meaningless on NVIDIA.
  if (d.language == "hip") {
    add("waves_per_eu", d.kernel_attributes.empty()
                            ? std::string("not set: the compiler picks the occupancy")
                            : "used: " + d.kernel_attributes + " (minimum wavefronts per SIMD)");
  } else {
    add("waves_per_eu", "ignored: an AMD occupancy hint; NVIDIA uses __launch_bounds__ and maxnreg");
  }
  add("matrix_instr_nonkdim", explain_matrix_instr(p, d, plan));
  // The vendor's facts: the device header's fast forms, and the unit `dot` runs on (the plan).
  std::string math = std::string("kernel math mode ") +
                     (k.math_mode == ir::MathMode::fast ? "fast (" + d.fast_math + ")" : "exact");
  if (has_dot)
    math += std::string("; dot accumulates in f32 on ") +
            (plan.mfma ? (d.wmma ? "WMMA (see matrix_instr_nonkdim)" : "MFMA (see matrix_instr_nonkdim)")
             : plan.mma ? (plan.mma->wgmma ? "wgmma" : "mma.sync m16n8k16")
                        : "FMA (fmaf per product: " + d.target + " has no usable matrix instruction, see the notes)");
  add("math", math);
  for (const std::string& n : p.notes) add("note", n);
  return out;
}

}  // namespace tessera::backend::gpu
