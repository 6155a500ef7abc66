// SPDX-License-Identifier: Apache-2.0
// The GPU printer's driver: kernel signature, thread components, grid decoding, statements and
// device loops (printer.h describes the emitted code).
#include "gpu_common/printer.h"

#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/error.h"

namespace tessera::backend::gpu {

using ir::Axis;
using ir::AxisKind;
using ir::Expr;
using lower::ReductionStrategy;

Printer::Printer(const lower::Program& p, const Dialect& d)
    : p_(p), k_(*p.kernel), d_(d), idx_t_(p.spec.index64 ? "long long" : "int") {}

void Printer::unsupported(const std::string& what) const {
  TS_USER_CHECK(false) << "kernel '" << k_.name << "': the GPU code generator (" << d_.target
                       << ") cannot compile " << what;
  throw;  // unreachable
}

// ---- axes and registers --------------------------------------------------------------------

const AxisDist& Printer::dist(const Axis& a) const {
  auto it = plan_.axes.find(axis_key(a));
  TS_INTERNAL_CHECK(it != plan_.axes.end()) << "GPU printer: axis " << a.name << " has no distribution";
  return it->second;
}

std::vector<Axis> Printer::real_axes(const std::vector<Axis>& axes) {
  std::vector<Axis> out;
  for (const Axis& a : axes)
    if (a.kind != AxisKind::broadcast) out.push_back(a);
  return out;
}

int Printer::reg_count(const std::vector<Axis>& axes) const {
  int n = 1;
  for (const Axis& a : real_axes(axes)) n *= dist(a).regs();
  return n;
}

std::string Printer::reg_index(const std::vector<Axis>& axes) const {
  std::string s;
  for (const Axis& a : real_axes(axes)) {
    const std::string q = "q_" + axis_tag(axis_key(a));
    s = s.empty() ? q : "(" + s + ") * " + std::to_string(dist(a).regs()) + " + " + q;
  }
  return s.empty() ? "0" : s;
}

std::string Printer::lane(const Axis& a) { return "i_" + axis_tag(axis_key(a)); }
std::string Printer::count(const Axis& a) { return axis_tag(axis_key(a)) + "_n"; }
std::string Printer::base(const Axis& a) { return axis_tag(axis_key(a)) + "_base"; }

std::string Printer::lane_valid(const Axis& a) const {
  const AxisDist& d = dist(a);
  return d.masked || d.overhang() ? lane(a) + " < " + count(a) : "";
}

void Printer::reg_loops(const std::vector<Axis>& axes, const std::function<void(const std::string&)>& body) {
  const std::vector<Axis> real = real_axes(axes);
  std::string valid;
  for (const Axis& a : real) {
    const AxisDist& d = dist(a);
    const std::string tag = axis_tag(axis_key(a));
    line("#pragma unroll");
    open("for (int q_" + tag + " = 0; q_" + tag + " < " + std::to_string(d.regs()) + "; ++q_" + tag + ")");
    std::string i = "q_" + tag;
    if (d.thr > 1 || d.spt > 1) {
      const std::string per = std::to_string(std::int64_t{d.spt} * d.thr), spt = std::to_string(d.spt);
      i = d.spt == 1 ? "q_" + tag + " * " + per + " + c_" + tag
                     : "(q_" + tag + " / " + spt + ") * " + per + " + c_" + tag + " * " + spt + " + q_" + tag + " % " + spt;
    }
    line("const int i_" + tag + " = " + i + ";");
    const std::string v = lane_valid(a);
    if (!v.empty()) valid += (valid.empty() ? "" : " && ") + v;
  }
  body(valid);
  for (std::size_t i = 0; i < real.size(); ++i) close();
}

std::string Printer::owner_condition(const std::vector<Axis>& axes) const {
  std::string sum;
  std::int64_t covered = 1;
  for (const Axis& a : real_axes(axes)) {
    const AxisDist& d = dist(a);
    if (d.thr <= 1) continue;
    covered *= d.thr;
    const std::string c = "c_" + axis_tag(axis_key(a));
    const std::string term = d.two_digit() ? "(" + c + " % " + std::to_string(d.lo_thr) + ") * " + std::to_string(d.stride) +
                                                 " + (" + c + " / " + std::to_string(d.lo_thr) + ") * " + std::to_string(d.hi_stride)
                                           : c + " * " + std::to_string(d.stride);
    sum += (sum.empty() ? "" : " + ") + term;
  }
  if (covered == plan_.threads) return "";  // every thread owns distinct elements
  return "(int)threadIdx.x == " + (sum.empty() ? std::string("0") : "(" + sum + ")");
}

// ---- statements ----------------------------------------------------------------------------

namespace {
std::optional<int> looped_rdim(const lower::Program& p, const ir::Type& t) {
  for (const Axis& a : t.axes)
    if (a.kind == AxisKind::full && p.rdims[a.id].strategy == ReductionStrategy::kLooped) return a.id;
  return std::nullopt;
}
}  // namespace

void Printer::emit(const ir::Stmt& s) {
  if (const auto* b = s.as<ir::Block>()) {
    plan_load_reuse(*b);
    plan_in_place_dots(*b);
    for (const ir::Stmt& c : b->stmts) emit(c);
  } else if (const auto* l = s.as<ir::TileLoop>()) {
    emit_device_loop(*l);
  } else if (const auto* let = s.as<ir::Let>()) {
    const Expr& v = let->value;
    if (auto op = staged_.find(let->id); op != staged_.end()) {
      if (op->second.pipelined) {
        line("// " + op->second.buf + ": tile of " + op->second.load->tensor + " (cp.async pipeline)");
        return;
      }
      line("ts::barrier();  // the previous tile's readers are done");
      emit_stage_copy(op->second, "0");
      if (op->second.async) {
        line("ts::cp_async_commit();");
        line("ts::cp_async_wait<0>();");
      }
      return;
    }
    if (emit_reused_let(*let)) return;
    if (in_place_reads_.count(let->id)) return;  // accumulated in place below (plan_in_place_dots)
    if (auto ip = in_place_dots_.find(let->id); ip != in_place_dots_.end()) {
      materialize_dot(*v.as<ir::Dot>(), v, "l" + std::to_string(ip->second), true);
      return;
    }
    if (looped_rdim(p_, v.type())) {
      deferred_[let->id] = v;  // evaluated chunk by chunk inside each consumer's loop
      return;
    }
    const std::string name = "v" + std::to_string(let->id);
    let_values_[let->id] = v;
    line("// " + (let->name.empty() ? name : let->name) + ": " + ir::to_string(v.type()));
    if (v.type().is_scalar()) {
      prepare(v);
      line("const " + value_type(v.dtype()) + " " + name + " = " + elem(v) + ";");
    } else if (const auto* load = v.as<ir::Load>()) {
      emit_load_let(name, *load, v);
    } else {
      prepare(v);
      declare(name, v.type());
      // A bf16 result is computed unrounded and then rounded two registers per conversion
      // (conversions issue at a fraction of the FP32 rate; bf16 chains were conversion-bound).
      const int regs = reg_count(v.type().axes);
      std::string pair;
      reg_loops(v.type().axes, [&](const std::string&) {
        std::string x = elem(v);
        if (regs % 2 == 0)
          if (auto raw = unrounded(v.dtype(), x, &pair)) x = *raw;
        line(array_elem(name, v.type().axes) + " = " + x + ";");
      });
      if (!pair.empty()) {
        line("#pragma unroll");
        line("for (int q = 0; q < " + std::to_string(regs) + "; q += 2) " + pair + "(" + name + "[q], " + name + "[q + 1]);");
      }
    }
  } else if (const auto* st = s.as<ir::Store>()) {
    std::vector<Axis> axes;
    for (const ir::Index& i : st->indices)
      if (auto a = i.axis(); a && a->kind != AxisKind::broadcast) axes.push_back(*a);
    line("// store " + st->tensor);
    auto store = [&] {
      prepare(st->value);
      emit_store(*st);
    };
    if (auto rd = looped_rdim(p_, ir::Type{st->value.dtype(), axes})) with_chunks(*rd, st->value, store);
    else store();
  } else if (const auto* d = s.as<ir::LocalDecl>()) {
    if (looped_rdim(p_, d->init.type())) unsupported("local '" + d->name + "' along a looped reduction dimension");
    const std::string name = "l" + std::to_string(d->id);
    line("// local " + d->name + ": " + ir::to_string(d->init.type()));
    prepare(d->init);
    if (d->init.type().is_scalar()) {
      line(value_type(d->init.dtype()) + " " + name + " = " + elem(d->init) + ";");
      return;
    }
    declare(name, d->init.type());
    reg_loops(d->init.type().axes, [&](const std::string&) {
      line(array_elem(name, d->init.type().axes) + " = " + elem(d->init) + ";");
    });
  } else if (const auto* a = s.as<ir::LocalAssign>()) {
    if (in_place_assigns_.count(s.get())) return;  // the dot above accumulated into the local
    const std::string name = "l" + std::to_string(a->id);
    const auto* dot = a->value.as<ir::Dot>();
    const auto* acc = dot ? dot->acc.as<ir::LocalRead>() : nullptr;
    if (dot && acc && acc->id == a->id) {  // acc = dot(x, y, acc): accumulate in place
      materialize_dot(*dot, a->value, name, true);
      return;
    }
    if (looped_rdim(p_, a->type)) unsupported("an assignment to local '" + a->name + "' along a looped reduction dimension");
    prepare(a->value);
    if (a->type.is_scalar()) {
      line(name + " = " + elem(a->value) + ";");
      return;
    }
    const std::string tmp = "n" + std::to_string(counter_++);
    declare(tmp, a->type);
    reg_loops(a->type.axes, [&](const std::string&) { line(array_elem(tmp, a->type.axes) + " = " + elem(a->value) + ";"); });
    line("#pragma unroll");
    line("for (int q = 0; q < " + std::to_string(reg_count(a->type.axes)) + "; ++q) " + name + "[q] = " + tmp + "[q];");
  }
}

void Printer::set_tile(int tv, const std::string& tile_index) {
  const lower::TilePlan& t = p_.tiles[tv];
  const std::string pre = "t" + std::to_string(tv);
  line("const " + idx_t_ + " " + pre + "_base = (" + idx_t_ + ")(" + tile_index + ") * " + std::to_string(t.block) + ";");
  line("const " + idx_t_ + " " + pre + "_n = min((" + idx_t_ + ")" + std::to_string(t.block) + ", " + pre +
       "_extent - " + pre + "_base);");
  line("(void)" + pre + "_n;");
}

void Printer::emit_device_loop(const ir::TileLoop& l) {
  const auto loops = k_.loops();
  const auto it = std::find_if(p_.device_loops.begin(), p_.device_loops.end(),
                               [&](const auto& d) { return loops[d.loop] == &l; });
  TS_INTERNAL_CHECK(it != p_.device_loops.end()) << "GPU printer: a device loop without a plan";
  if (pipelined(l)) {
    emit_pipelined_loop(l, *it);
    return;
  }
  emit_reuse_fill(l);
  // A loop that reads a register cache runs its compile-time trip count fully unrolled, so the
  // cache is indexed by constants (printer_memory_reuse.cpp).
  const auto full = unrolled_loops_.find(&l);
  open("");
  auto saved = temps_;
  for (int tv : l.tile_vars) {
    const std::string t = "t" + std::to_string(tv);
    line("const " + idx_t_ + " " + t + "_tiles = (" + t + "_extent + " + std::to_string(p_.tiles[tv].block - 1) +
         ") / " + std::to_string(p_.tiles[tv].block) + ";");
  }
  const std::string unroll = full != unrolled_loops_.end() ? "#pragma unroll"
                             : it->unroll > 0               ? "#pragma unroll " + std::to_string(it->unroll)
                                                            : "#pragma unroll 1";
  int opened = 0;
  if (it->flatten && l.tile_vars.size() > 1) {
    std::string total = "1";
    for (int tv : l.tile_vars) total += " * t" + std::to_string(tv) + "_tiles";
    line(unroll);
    open("for (" + idx_t_ + " flat = 0; flat < " + total + "; ++flat)");
    ++opened;
    line(idx_t_ + " rest = flat;");
    for (auto o = it->order.rbegin(); o != it->order.rend(); ++o) {  // last in order varies fastest
      const std::string t = "t" + std::to_string(l.tile_vars[*o]);
      line("const " + idx_t_ + " " + t + "_idx = rest % " + t + "_tiles;");
      line("rest /= " + t + "_tiles;");
    }
  } else {
    for (int o : it->order) {
      const std::string t = "t" + std::to_string(l.tile_vars[o]);
      line(unroll);
      const std::string bound = full != unrolled_loops_.end() ? std::to_string(full->second) : t + "_tiles";
      open("for (" + idx_t_ + " " + t + "_idx = 0; " + t + "_idx < " + bound + "; ++" + t + "_idx)");
      ++opened;
    }
  }
  for (int tv : l.tile_vars) set_tile(tv, "t" + std::to_string(tv) + "_idx");
  emit(l.body);
  for (int i = 0; i < opened; ++i) close();
  temps_ = saved;
  close();
}

void Printer::emit_grid() {
  const ir::TileLoop& grid = *k_.loops()[0];
  const lower::GridPlan& g = p_.grid;
  std::vector<std::string> counts(grid.tile_vars.size());
  for (std::size_t i = 0; i < grid.tile_vars.size(); ++i) {
    const int tv = grid.tile_vars[i];
    counts[i] = "g" + std::to_string(i);
    line("const " + idx_t_ + " " + counts[i] + " = (t" + std::to_string(tv) + "_extent + " +
         std::to_string(p_.tiles[tv].block - 1) + ") / " + std::to_string(p_.tiles[tv].block) + ";");
  }
  auto tile_idx = [&](int pos) { return "t" + std::to_string(grid.tile_vars[pos]) + "_idx"; };
  // pid -> one index per grid dimension, order[0] fastest; Triton's grouped order with l2.
  auto decode = [&](const std::string& pid) {
    const std::vector<int>& o = g.order;
    std::size_t first_plain = 0;
    line(idx_t_ + " rest = " + pid + ";");
    if (g.l2_grouping > 1 && o.size() >= 2) {
      const std::string G = std::to_string(g.l2_grouping), c0 = counts[o[0]], c1 = counts[o[1]];
      line("const " + idx_t_ + " inner = rest % (" + c0 + " * " + c1 + ");");
      line("rest /= " + c0 + " * " + c1 + ";");
      line("const " + idx_t_ + " in_group = " + G + " * " + c1 + ";");
      line("const " + idx_t_ + " first = (inner / in_group) * " + G + ";");
      line("const " + idx_t_ + " group_size = min(" + c0 + " - first, (" + idx_t_ + ")" + G + ");");
      line("const " + idx_t_ + " " + tile_idx(o[0]) + " = first + (inner % in_group) % group_size;");
      line("const " + idx_t_ + " " + tile_idx(o[1]) + " = (inner % in_group) / group_size;");
      first_plain = 2;
    }
    for (std::size_t i = first_plain; i < o.size(); ++i) {
      line("const " + idx_t_ + " " + tile_idx(o[i]) + " = rest % " + counts[o[i]] + ";");
      line("rest /= " + counts[o[i]] + ";");
    }
  };
  const bool persistent = g.pid_type == PidType::kPersistentBlocked || g.pid_type == PidType::kPersistentInterleaved;
  int opened = 0;
  if (persistent) {
    std::string total = "1";
    for (const std::string& c : counts) total += " * " + c;
    line("const " + idx_t_ + " total_tiles = " + total + ";");
    line("const " + idx_t_ + " programs = (" + idx_t_ + ")num_programs;");
    if (g.pid_type == PidType::kPersistentBlocked) {
      line("const " + idx_t_ + " per_program = (total_tiles + programs - 1) / programs;");
      line("const " + idx_t_ + " vt_end = min(total_tiles, ((" + idx_t_ + ")blockIdx.x + 1) * per_program);");
      line("#pragma unroll 1");
      open("for (" + idx_t_ + " vt = (" + idx_t_ + ")blockIdx.x * per_program; vt < vt_end; ++vt)");
    } else {
      line("#pragma unroll 1");
      open("for (" + idx_t_ + " vt = blockIdx.x; vt < total_tiles; vt += programs)");
    }
    ++opened;
    decode("vt");
  } else if (g.pid_type == PidType::kXyz && !g.flatten) {
    const char* pids[3] = {"blockIdx.x", "blockIdx.y", "blockIdx.z"};
    for (std::size_t i = 0; i < g.order.size(); ++i)
      line("const " + idx_t_ + " " + tile_idx(g.order[i]) + " = " + pids[i] + ";");
  } else {
    open("");
    ++opened;
    decode("(" + idx_t_ + ")blockIdx.x");
  }
  for (std::size_t i = 0; i < grid.tile_vars.size(); ++i) set_tile(grid.tile_vars[i], tile_idx(static_cast<int>(i)));
  if (split_.steps > 1) {  // sub-tiles of the split axis one after the other (plan_row_split)
    const std::string t = "t" + std::to_string(split_.tile_var);
    const std::string rows = std::to_string(p_.tiles[split_.tile_var].block / split_.steps);
    line("const " + idx_t_ + " " + t + "_program_base = " + t + "_base;");
    line("#pragma unroll 1");
    open("for (int " + t + "_step = 0; " + t + "_step < " + std::to_string(split_.steps) + "; ++" + t + "_step)");
    ++opened;
    line("const " + idx_t_ + " " + t + "_base = " + t + "_program_base + (" + idx_t_ + ")" + t + "_step * " + rows + ";");
    line("const " + idx_t_ + " " + t + "_n = min((" + idx_t_ + ")" + rows + ", " + t + "_extent - " + t + "_base);");
    line("if (" + t + "_n <= 0) break;");
  }
  emit(grid.body);
  for (int i = 0; i < opened; ++i) close();
}

void Printer::emit_signature(std::ostringstream& os) const {
  os << "extern \"C\" __global__ void __launch_bounds__(" << plan_.threads << ") "
     << (d_.kernel_attributes.empty() ? "" : d_.kernel_attributes + " ") << kernel_symbol(k_.name) << "(";
  for (std::size_t i = 0; i < p_.params.size(); ++i) {
    const lower::Param& prm = p_.params[i];
    os << (i ? ",\n    " : "\n    ");
    switch (prm.kind) {
      case lower::ParamKind::kTensor: {
        const ir::TensorParam* t = k_.find_tensor(prm.name);
        os << (t->role == ir::TensorRole::input ? "const " : "") << storage_type(prm.dtype)
           << "* __restrict__ p_" << ident(prm.name);
        break;
      }
      case lower::ParamKind::kScalar: os << storage_type(prm.dtype) << " raw_" << ident(prm.name); break;
      case lower::ParamKind::kSize: os << "long long s_" << ident(prm.name); break;
      case lower::ParamKind::kStride: os << "long long raw_st_" << ident(prm.name) << "_" << prm.dim; break;
      case lower::ParamKind::kNumPrograms: os << "long long num_programs"; break;
    }
  }
  // TMA tensor maps by value (the launcher encodes them per call: Source::tensor_maps).
  for (std::size_t i = 0; i < tensor_maps_.size(); ++i)
    os << (p_.params.empty() && i == 0 ? "\n    " : ",\n    ") << "const __grid_constant__ ts::tensor_map tm" << i << "_"
       << ident(tensor_maps_[i].tensor);
  os << ")";
}

KernelSource Printer::run() {
  const std::int64_t threads = p_.num_warps * d_.warp_size;
  TS_USER_CHECK(threads >= d_.warp_size && threads <= d_.max_threads)
      << "kernel '" << k_.name << "': num_warps = " << p_.num_warps << " gives " << threads
      << " threads per block; " << d_.target << " allows " << d_.max_threads / d_.warp_size
      << " warps of " << d_.warp_size;
  plan_ = plan_threads(p_, d_);
  std::string split_note;
  split_ = plan_row_split(p_, plan_, &split_note);
  if (split_.steps > 1) {  // the threads spread one step's sub-tile, not the whole tile
    lower::Program step = p_;
    step.tiles[split_.tile_var].block /= split_.steps;
    plan_ = plan_threads(step, d_);
    notes_.push_back(split_note);
  }
  for (const std::string& n : plan_.notes) notes_.push_back(n);
  declare_staging();

  ++indent_;
  line("const int tid = threadIdx.x;");
  line("(void)tid;");
  for (const auto& [key, d] : plan_.axes) {
    const std::string tag = axis_tag(key);
    if (d.two_digit()) {
      line("const int c_" + tag + " = (tid / " + std::to_string(d.stride) + ") % " + std::to_string(d.lo_thr) + " + " +
           std::to_string(d.lo_thr) + " * ((tid / " + std::to_string(d.hi_stride) + ") % " +
           std::to_string(d.thr / d.lo_thr) + ");");
    } else if (d.thr > 1) {
      line("const int c_" + tag + " = (tid / " + std::to_string(d.stride) + ") % " + std::to_string(d.thr) + ";");
    } else {
      line("constexpr int c_" + tag + " = 0;");
    }
    line("(void)c_" + tag + ";");
  }
  for (const auto& [name, value] : p_.spec.sizes)
    line("constexpr long long s_" + ident(name) + " = " + std::to_string(value) + "ll;");
  for (const auto& [name, strides] : p_.spec.strides)
    for (std::size_t d = 0; d < strides.size(); ++d)
      line("constexpr " + idx_t_ + " st_" + ident(name) + "_" + std::to_string(d) + " = " + std::to_string(strides[d]) + ";");
  for (const lower::Param& prm : p_.params) {
    if (prm.kind == lower::ParamKind::kStride) {
      line("const " + idx_t_ + " st_" + ident(prm.name) + "_" + std::to_string(prm.dim) + " = (" + idx_t_ + ")raw_st_" +
           ident(prm.name) + "_" + std::to_string(prm.dim) + ";");
    } else if (prm.kind == lower::ParamKind::kScalar) {
      line("const " + value_type(prm.dtype) + " a_" + ident(prm.name) + " = " + from_storage(prm.dtype, "raw_" + ident(prm.name)) + ";");
    }
  }
  for (const ir::TileVar& tv : k_.tile_vars)
    line("const " + idx_t_ + " t" + std::to_string(tv.id) + "_extent = (" + idx_t_ + ")(" + elem(tv.extent) + ");");
  for (const ir::RDim& r : k_.rdims) {
    const std::string pre = "r" + std::to_string(r.id);
    line("const " + idx_t_ + " " + pre + "_extent = (" + idx_t_ + ")(" + elem(r.extent) + ");");
    if (p_.rdims[r.id].strategy == ReductionStrategy::kPersistent) {
      line("constexpr " + idx_t_ + " " + pre + "_base = 0;");
      line("const " + idx_t_ + " " + pre + "_n = " + pre + "_extent;");
    }
  }
  emit_grid();
  --indent_;

  if (reduce_smem_floats_ > 0) {
    smem_decls_.push_back("__shared__ __align__(16) unsigned char ts_red_smem[" +
                          std::to_string(reduce_smem_floats_ * 8) + "];");
    smem_bytes_ += reduce_smem_floats_ * 8;
  }
  TS_USER_CHECK(smem_bytes_ <= d_.max_static_smem)
      << "kernel '" << k_.name << "' needs " << smem_bytes_ << " bytes of shared memory on " << d_.target
      << ", more than the " << d_.max_static_smem << " a block may declare statically; use smaller "
      << "block_sizes or num_stages";
  TS_USER_CHECK(smem_bytes_ + dynamic_smem_bytes_ <= std::max(d_.max_static_smem, d_.max_dynamic_smem))
      << "kernel '" << k_.name << "' needs " << smem_bytes_ + dynamic_smem_bytes_ << " bytes of shared memory on "
      << d_.target << ", more than the " << d_.max_dynamic_smem << " a block may use; use smaller block_sizes";

  std::ostringstream os;
  os << "// tessera-gpu-printer-1 (" << d_.language << ", " << d_.target << "): kernel " << k_.name << "\n";
  std::istringstream summary(p_.describe());
  for (std::string l; std::getline(summary, l);) os << "// " << l << "\n";
  os << "// threads " << threads << "; axis distributions (elements per thread x threads @ digit):\n";
  for (const auto& [key, d] : plan_.axes)
    os << "//   " << axis_tag(key) << ": block " << d.block << " = " << d.regs() << " regs, spt " << d.spt
       << " x thr " << d.thr << " @ " << d.stride
       << (d.two_digit() ? " (" + std::to_string(d.lo_thr) + " lanes, then warps @ " + std::to_string(d.hi_stride) + ")" : "")
       << (d.masked ? ", masked" : "") << "\n";
  for (const std::string& n : notes_) os << "// note: " << n << "\n";
  os << d_.device_header << "\n";
  os << preamble_.str();
  emit_signature(os);
  os << " {\n";
  for (const std::string& s : smem_decls_) os << "  " << s << "\n";
  os << body_.str() << "}\n";

  KernelSource out;
  out.source.kernel_name = kernel_symbol(k_.name);
  out.source.language = d_.language;
  out.source.text = os.str();
  out.threads = static_cast<int>(threads);
  out.smem_bytes = smem_bytes_;
  // The launch shape travels with the source (backend.h): one block of `threads` along x, and
  // the dynamic buffer of the dot operands when they did not fit static arrays.
  out.source.launch.block[0] = static_cast<std::uint32_t>(threads);
  out.source.launch.dynamic_smem_bytes = static_cast<std::uint32_t>(dynamic_smem_bytes_);
  out.source.tensor_maps = tensor_maps_;
  out.notes = notes_;
  return out;
}

KernelSource print_kernel(const lower::Program& program, const Dialect& dialect) {
  TS_INTERNAL_CHECK(program.kernel != nullptr) << "print_kernel: program without kernel";
  Printer printer(program, dialect);
  return printer.run();
}

}  // namespace tessera::backend::gpu
