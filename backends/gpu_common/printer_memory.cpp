// SPDX-License-Identifier: Apache-2.0
// Global memory: addresses, vectorized masked loads and stores along the contiguous dimension,
// eviction hints, and the staging of dot operands into shared memory.
#include <algorithm>

#include "gpu_common/printer_internal.h"
#include "tessera/error.h"

namespace tessera::backend::gpu {

using ir::Axis;

std::string Printer::address(const std::string& tensor, const std::vector<ir::Index>& indices) {
  std::string addr;
  int dim = 0;
  for (const ir::Index& i : indices) {
    std::string at;
    switch (i.kind) {
      case ir::IndexKind::tile: {
        const Axis a = *i.axis();
        at = "(" + base(a) + " + " + lane(a) + (i.value.defined() ? " + (" + idx_t_ + ")" + elem(i.value) : "") + ")";
        break;
      }
      case ir::IndexKind::full: {
        const Axis a = *i.axis();
        at = "(" + base(a) + " + " + lane(a) + ")";
        break;
      }
      case ir::IndexKind::scalar:
      case ir::IndexKind::gather:  // the index tile's register for this lane (axis identity)
        at = "(" + idx_t_ + ")(" + elem(i.value) + ")";
        break;
      case ir::IndexKind::new_axis: continue;
    }
    addr += (addr.empty() ? "" : " + ") + at + " * st_" + ident(tensor) + "_" + std::to_string(dim++);
  }
  return "p_" + ident(tensor) + "[" + (addr.empty() ? "0" : addr) + "]";
}

bool Printer::vectorizable(const std::string& tensor, const std::vector<ir::Index>& idx, std::string* why) {
  auto no = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  const ir::TensorParam* t = k_.find_tensor(tensor);
  const ir::Index* last = nullptr;
  for (const ir::Index& i : idx)
    if (i.kind != ir::IndexKind::new_axis) last = &i;
  if (!t || !last || (last->kind != ir::IndexKind::tile && last->kind != ir::IndexKind::full))
    return no("the last dimension is not a tile axis");
  const int spt = dist(*last->axis()).spt;
  if (spt <= 1) return no("one element per thread along the last axis");
  auto st = p_.spec.strides.find(tensor);
  if (st != p_.spec.strides.end()) {
    if (st->second.back() != 1) return no("the last dimension is not contiguous");
    for (std::size_t d = 0; d + 1 < st->second.size(); ++d)
      if (st->second[d] % spt != 0) return no("a row stride is not a multiple of the vector width");
  } else if (p_.spec.aligned_rows.count(tensor)) {
    // Run-time strides, but every row starts 16-byte aligned: each access of chunk_elems
    // elements lies at a multiple of its own size when that size divides 16 bytes.
    const int ce = std::min(spt, std::max(1, 16 / dtype_size(t->dtype)));
    if ((16 / dtype_size(t->dtype)) % ce != 0) return no("the vector width does not divide 16 bytes");
  } else {
    return no("strides are run-time values and rows are not known to be 16-byte aligned");
  }
  if (last->kind == ir::IndexKind::tile && last->value.defined()) {
    const auto off = lower::eval_size(last->value, p_.spec.sizes);
    if (!off || *off % spt != 0) return no("the tile offset is not a compile-time multiple of the vector width");
  }
  return true;
}

std::string Printer::load_hint(const ir::ExprNode* load) const {
  if (!d_.eviction_hints) return "0";
  const auto policies = p_.config.load_eviction_policies();
  auto it = plan_.load_order.find(load);
  if (!policies || it == plan_.load_order.end() || it->second >= static_cast<int>(policies->size())) return "0";
  switch ((*policies)[it->second]) {
    case EvictionPolicy::kFirst: return "1";
    case EvictionPolicy::kLast: return "2";
    default: return "0";
  }
}

namespace {
/// Elements of one memory access: a 16-byte chunk, or the whole vector when it is smaller.
int chunk_elems(int spt, DType t) { return std::min(spt, std::max(1, 16 / dtype_size(t))); }
}  // namespace

void Printer::emit_load_let(const std::string& name, const ir::Load& load, const ir::Expr& self) {
  const std::vector<Axis> axes = real_axes(self.type().axes);
  const ir::TensorParam* t = k_.find_tensor(load.tensor);
  declare(name, self.type(), value_type(t->dtype) + "(0)");
  std::string why;
  if (!vectorizable(load.tensor, load.indices, &why)) {
    line("// scalar loads: " + why);
    reg_loops(axes, [&](const std::string& valid) {
      const std::string x = array_elem(name, axes) + " = " + from_storage(t->dtype, address(load.tensor, load.indices)) + ";";
      line(valid.empty() ? x : "if (" + valid + ") " + x);
    });
    return;
  }
  const Axis last = axes.back();
  const AxisDist& d = dist(last);
  const std::vector<Axis> outer(axes.begin(), axes.end() - 1);
  const std::string tag = axis_tag(axis_key(last)), st = storage_type(t->dtype);
  const int ce = chunk_elems(d.spt, t->dtype);
  const std::string hint = load_hint(&load);
  reg_loops(outer, [&](const std::string& outer_valid) {
    line("#pragma unroll");
    open("for (int qv_" + tag + " = 0; qv_" + tag + " < " + std::to_string(d.regs() / d.spt) + "; ++qv_" + tag + ")");
    line("const int iv_" + tag + " = qv_" + tag + " * " + std::to_string(std::int64_t{d.spt} * d.thr) + " + c_" + tag +
         " * " + std::to_string(d.spt) + ";");
    const std::string lane_decl = "const int i_" + tag + " = iv_" + tag;
    const std::string ov = outer_valid.empty() ? "" : outer_valid + " && ";
    const bool edge = d.masked || d.overhang();
    open("if (" + ov + (edge ? "iv_" + tag + " + " + std::to_string(d.spt) + " <= " + count(last) : "true") + ")");
    line(lane_decl + ";");
    line("const " + st + "* ptr = &" + address(load.tensor, load.indices) + ";");
    for (int c = 0; c < d.spt / ce; ++c) {
      open("");
      line("const ts::vec<" + st + ", " + std::to_string(ce) + "> raw = ts::vload<" + st + ", " + std::to_string(ce) +
           ", " + hint + ">(ptr + " + std::to_string(c * ce) + ");");
      for (int e = 0; e < ce; ++e) {
        line("{ const int q_" + tag + " = qv_" + tag + " * " + std::to_string(d.spt) + " + " + std::to_string(c * ce + e) +
             "; " + array_elem(name, axes) + " = " + from_storage(t->dtype, "raw.v[" + std::to_string(e) + "]") + "; }");
      }
      close();
    }
    close();
    if (edge) {  // the partial vector at a ragged edge: element by element
      open("else if (" + ov + "iv_" + tag + " < " + count(last) + ")");
      line("#pragma unroll");
      open("for (int e = 0; e < " + std::to_string(d.spt) + "; ++e)");
      line("const int q_" + tag + " = qv_" + tag + " * " + std::to_string(d.spt) + " + e;");
      line(lane_decl + " + e;");
      line("if (i_" + tag + " < " + count(last) + ") " + array_elem(name, axes) + " = " +
           from_storage(t->dtype, address(load.tensor, load.indices)) + ";");
      close();
      close();
    }
    close();
  });
}

ir::Expr Printer::store_source(const ir::Expr& v, DType to) const {
  const auto* var = v.as<ir::Var>();
  if (!var || to == DType::f32 || !dtype_is_float(to) || value_type(to) != "float") return v;
  const auto it = let_values_.find(var->id);
  const auto* cast = it == let_values_.end() ? nullptr : it->second.as<ir::Cast>();
  if (!cast || it->second.dtype() != to) return v;
  // An f32-held source (f32 or a narrow float) rounds exactly once either way; a source that
  // is itself a register Let is in scope wherever its cast is.
  const auto* src = cast->a.as<ir::Var>();
  if (!src || value_type(cast->a.dtype()) != "float" || !let_values_.count(src->id)) return v;
  return cast->a;
}

namespace {
/// The pair conversion of the device headers (ts::f32x2_to_*) for a narrow float format, or "".
std::string pair_conversion(DType t) {
  switch (t) {
    case DType::bf16: return "ts::f32x2_to_bf16";
    case DType::f16: return "ts::f32x2_to_f16";
    case DType::f8e4m3fn: return "ts::f32x2_to_f8e4m3fn";
    case DType::f8e5m2: return "ts::f32x2_to_f8e5m2";
    default: return "";
  }
}
}  // namespace

void Printer::emit_store(const ir::Store& st) {
  std::vector<Axis> axes;
  for (const ir::Index& i : st.indices)
    if (auto a = i.axis(); a && a->kind != ir::AxisKind::broadcast) axes.push_back(*a);
  const ir::TensorParam* t = k_.find_tensor(st.tensor);
  // The stored value without a rounding Let in front of the conversion (same bits, half the
  // conversions: they issue at a fraction of the FP32 rate).
  const ir::Expr value = store_source(st.value, t->dtype);
  const std::string owner = owner_condition(axes);
  std::string why;
  if (axes.empty()) {
    line(std::string(owner.empty() ? "" : "if (" + owner + ") ") + address(st.tensor, st.indices) + " = " +
         to_storage(t->dtype, elem(value)) + ";");
    return;
  }
  if (!vectorizable(st.tensor, st.indices, &why)) {
    line("// scalar stores: " + why);
    reg_loops(axes, [&](const std::string& valid) {
      std::string cond = valid;
      if (!owner.empty()) cond = cond.empty() ? owner : cond + " && " + owner;
      const std::string x = address(st.tensor, st.indices) + " = " + to_storage(t->dtype, elem(value)) + ";";
      line(cond.empty() ? x : "if (" + cond + ") " + x);
    });
    return;
  }
  const Axis last = axes.back();
  const AxisDist& d = dist(last);
  const std::vector<Axis> outer(axes.begin(), axes.end() - 1);
  const std::string tag = axis_tag(axis_key(last)), sty = storage_type(t->dtype);
  const int ce = chunk_elems(d.spt, t->dtype);
  reg_loops(outer, [&](const std::string& outer_valid) {
    line("#pragma unroll");
    open("for (int qv_" + tag + " = 0; qv_" + tag + " < " + std::to_string(d.regs() / d.spt) + "; ++qv_" + tag + ")");
    line("const int iv_" + tag + " = qv_" + tag + " * " + std::to_string(std::int64_t{d.spt} * d.thr) + " + c_" + tag +
         " * " + std::to_string(d.spt) + ";");
    std::string pre = outer_valid;
    if (!owner.empty()) pre = pre.empty() ? owner : pre + " && " + owner;
    const std::string ov = pre.empty() ? "" : pre + " && ";
    const bool edge = d.masked || d.overhang();
    open("if (" + ov + (edge ? "iv_" + tag + " + " + std::to_string(d.spt) + " <= " + count(last) : "true") + ")");
    line("const int i_" + tag + " = iv_" + tag + ";");
    line(sty + "* ptr = &" + address(st.tensor, st.indices) + ";");
    for (int c = 0; c < d.spt / ce; ++c) {
      open("");
      line("ts::vec<" + sty + ", " + std::to_string(ce) + "> raw;");
      const std::string pair = ce % 2 == 0 ? pair_conversion(t->dtype) : "";
      for (int e = 0; e < ce; ++e) {
        const bool first_of_pair = !pair.empty() && e % 2 == 0;
        if (first_of_pair) {
          open("");
          line("float pr[2];");
        }
        open("");
        line("const int q_" + tag + " = qv_" + tag + " * " + std::to_string(d.spt) + " + " + std::to_string(c * ce + e) + ";");
        line("const int i_" + tag + " = iv_" + tag + " + " + std::to_string(c * ce + e) + ";");
        line("(void)i_" + tag + ";");
        if (pair.empty()) line("raw.v[" + std::to_string(e) + "] = " + to_storage(t->dtype, elem(value)) + ";");
        else line("pr[" + std::to_string(e % 2) + "] = " + elem(value) + ";");
        close();
        if (!pair.empty() && e % 2 == 1) {  // one instruction converts the pair
          line(pair + "(pr[0], pr[1], raw.v[" + std::to_string(e - 1) + "], raw.v[" + std::to_string(e) + "]);");
          close();
        }
      }
      line("ts::vstore<" + sty + ", " + std::to_string(ce) + ">(ptr + " + std::to_string(c * ce) + ", raw);");
      close();
    }
    close();
    if (edge) {
      open("else if (" + ov + "iv_" + tag + " < " + count(last) + ")");
      line("#pragma unroll");
      open("for (int e = 0; e < " + std::to_string(d.spt) + "; ++e)");
      line("const int q_" + tag + " = qv_" + tag + " * " + std::to_string(d.spt) + " + e;");
      line("const int i_" + tag + " = iv_" + tag + " + e;");
      line("if (i_" + tag + " < " + count(last) + ") " + address(st.tensor, st.indices) + " = " +
           to_storage(t->dtype, elem(value)) + ";");
      close();
      close();
    }
    close();
  });
}

}  // namespace tessera::backend::gpu
