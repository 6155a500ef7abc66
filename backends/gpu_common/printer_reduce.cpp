// SPDX-License-Identifier: Apache-2.0
// Reductions: per-thread partials over the registers along the reduced axis, then butterfly
// shuffles over its lane digits, then one shared-memory round over its warp digits, so every
// thread holds the result (the slice layout). Looped reduction dimensions run in chunks, the
// values along them re-evaluated per chunk inside each consumer (printer.h).
#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/error.h"
#include "tessera/ir/visitor.h"

namespace tessera::backend::gpu {

using ir::Axis;

void Printer::cross_thread_combine(const std::string& acc, int regs, const AxisDist& d, const ReduceForm& form) {
  if (d.thr <= 1) return;
  auto at = [&](const std::string& q) { return acc + "[" + q + "]"; };
  const std::int64_t warp = d_.warp_size;
  // A two-digit axis (an mma accumulator's) has a lane digit and a warp digit: shuffles over
  // the first, the shared-memory round over the second.
  std::int64_t top = d.two_digit() ? std::int64_t{d.stride} * d.lo_thr : std::int64_t{d.stride} * d.thr;
  // Lane digits: butterfly shuffles, every lane ends with the combined value.
  if (d.stride < warp) {
    line("#pragma unroll");
    open("for (int q = 0; q < " + std::to_string(regs) + "; ++q)");
    for (std::int64_t o = d.stride; o < std::min(top, warp); o *= 2)
      line(at("q") + " = " + form.combine(at("q"), "ts::shfl_xor(" + at("q") + ", " + std::to_string(o) + ")") + ";");
    close();
  }
  std::int64_t lo = std::max<std::int64_t>(d.stride, warp);
  if (d.two_digit()) lo = d.hi_stride, top = d.top();
  if (top <= warp) return;
  // Warp digits: one round through shared memory, combined in a fixed order (reproducible).
  // Two barriers: after the writes, and after the reads so that the next round (the buffer is
  // used only here) cannot overwrite values another warp has not read yet.
  const std::int64_t wc = top / lo;
  const std::string T = std::to_string(plan_.threads);
  reduce_smem_floats_ = std::max<std::int64_t>(reduce_smem_floats_, std::int64_t{regs} * plan_.threads);
  open("");
  line(form.acc_type + "* red_buf = reinterpret_cast<" + form.acc_type + "*>(ts_red_smem);");
  line("#pragma unroll");
  line("for (int q = 0; q < " + std::to_string(regs) + "; ++q) red_buf[q * " + T + " + tid] = " + at("q") + ";");
  line("ts::barrier();");
  line("const int red_base = tid - ((tid / " + std::to_string(lo) + ") % " + std::to_string(wc) + ") * " + std::to_string(lo) + ";");
  line("#pragma unroll");
  open("for (int q = 0; q < " + std::to_string(regs) + "; ++q)");
  line(form.acc_type + " r = red_buf[q * " + T + " + red_base];");
  line("#pragma unroll");
  line("for (int j = 1; j < " + std::to_string(wc) + "; ++j) r = " +
       form.combine("r", "red_buf[q * " + T + " + red_base + j * " + std::to_string(lo) + "]") + ";");
  line(at("q") + " = r;");
  close();
  line("ts::barrier();");
  close();
}

void Printer::materialize_reduce(const ir::Reduce& r, const ir::Expr& self) {
  const std::vector<Axis>& in_axes = r.a.type().axes;
  const Axis red = in_axes[r.axis];
  if (red.kind == ir::AxisKind::broadcast) unsupported("a reduction along a broadcast axis");
  const ReduceForm form = reduce_form(r.op, r.a.dtype());
  const std::vector<Axis> out_axes = real_axes(self.type().axes);
  const std::string name = "red" + std::to_string(counter_++);
  const int regs = reg_count(out_axes);
  // Scalars are one-element arrays here too, so the combine steps index them uniformly.
  line(form.acc_type + " " + name + "[" + std::to_string(regs) + "];");
  line("#pragma unroll");
  line("for (int q = 0; q < " + std::to_string(regs) + "; ++q) " + name + "[q] = " + form.init + ";");
  const std::string acc = name + "[" + reg_index(out_axes) + "]";
  auto accumulate = [&] {
    prepare(r.a);
    reg_loops(out_axes, [&](const std::string&) {
      reg_loops({red}, [&](const std::string&) {
        const std::string v = lane_valid(red);
        const std::string x = acc + " = " + form.add(acc, elem(r.a)) + ";";
        line(v.empty() ? x : "if (" + v + ") " + x);
      });
    });
  };
  if (red.kind == ir::AxisKind::full && p_.rdims[red.id].strategy == lower::ReductionStrategy::kLooped) {
    with_chunks(red.id, r.a, accumulate);
  } else {
    accumulate();
  }
  cross_thread_combine(name, regs, dist(red), form);
  const DType t = r.a.dtype();
  const bool round = ir::is_half(t) && (r.op == ir::ReduceOp::sum || r.op == ir::ReduceOp::mean);
  if (r.op == ir::ReduceOp::mean || round) {
    const std::string total = red.kind == ir::AxisKind::full ? "r" + std::to_string(red.id) + "_extent" : count(red);
    line("#pragma unroll");
    open("for (int q = 0; q < " + std::to_string(regs) + "; ++q)");
    std::string v = name + "[q]";
    if (r.op == ir::ReduceOp::mean) v = "(" + v + " / (" + form.acc_type + ")(" + total + "))";
    line(name + "[q] = " + round_to(t, v) + ";");
    close();
  }
  temps_[self.get()] = out_axes.empty() ? name + "[0]" : name;
}

void Printer::with_chunks(int rd, const ir::Expr& root, const std::function<void()>& body) {
  const lower::RDimPlan& r = p_.rdims[rd];
  const std::string pre = "r" + std::to_string(rd), b = pre + "_base", n = pre + "_n";
  line("#pragma unroll 1");
  open("for (" + idx_t_ + " " + b + " = 0; " + b + " < " + pre + "_extent; " + b + " += " + std::to_string(r.block) + ")");
  line("const " + idx_t_ + " " + n + " = min((" + idx_t_ + ")" + std::to_string(r.block) + ", " + pre + "_extent - " + b + ");");
  auto saved_temps = temps_;
  auto saved_emitted = emitted_deferred_;
  emit_deferred(root);
  body();
  temps_ = saved_temps;
  emitted_deferred_ = saved_emitted;
  close();
}

void Printer::emit_deferred(const ir::Expr& root) {
  std::set<int> needed;
  std::function<void(const ir::Expr&)> walk = [&](const ir::Expr& e) {
    if (!e.defined()) return;
    ir::visit_with(e, [&](const ir::Expr& c) {
      if (const auto* v = c.as<ir::Var>()) {
        auto it = deferred_.find(v->id);
        if (it != deferred_.end() && needed.insert(v->id).second) walk(it->second);
      }
    });
  };
  walk(root);
  for (int id : needed) {  // Let ids increase in program order, so dependencies come first
    if (!emitted_deferred_.insert(id).second) continue;
    const ir::Expr& v = deferred_.at(id);
    const std::string name = "v" + std::to_string(id);
    if (const auto* load = v.as<ir::Load>()) {
      emit_load_let(name, *load, v);
      continue;
    }
    prepare(v);
    declare(name, v.type());
    reg_loops(v.type().axes, [&](const std::string&) { line(array_elem(name, v.type().axes) + " = " + elem(v) + ";"); });
  }
}

}  // namespace tessera::backend::gpu
