// SPDX-License-Identifier: Apache-2.0
// `dot`: operands staged in shared memory (each row padded by 16 bytes against bank conflicts),
// zero-filled at invalid lanes so they add nothing; the accumulator in the blocked layout of its
// [M, N] tile, each thread's registers updated by FMA from the staged tiles.
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

/// A staged element (raw storage) converted to f32 through the operand's casts.
std::string staged_value(const ir::Expr& v, const std::string& raw) {
  if (const auto* c = v.as<ir::Cast>()) return cast_value(c->a.dtype(), v.dtype(), staged_value(c->a, raw));
  return from_storage(v.dtype(), raw);
}

}  // namespace

void Printer::declare_staging() {
  for (const auto& [id, v] : plan_.staged_values) {
    const ir::Load* load = staged_load(v);
    if (load == nullptr || v.type().rank() != 2) unsupported("a dot operand that is not a 2-D loaded tile (let " + std::to_string(id) + ")");
    const DType t = k_.find_tensor(load->tensor)->dtype;
    const auto shape = p_.shape_of(v.type().axes, false);
    const std::int64_t pad = std::max(1, 16 / dtype_size(t));
    smem_decls_.push_back("__shared__ __align__(16) " + storage_type(t) + " sm_v" + std::to_string(id) + "[" +
                          std::to_string(shape[0]) + "][" + std::to_string(shape[1] + pad) + "];");
    smem_bytes_ += shape[0] * (shape[1] + pad) * dtype_size(t);
  }
}

void Printer::emit_staged_load(int let_id, const ir::Expr& value) {
  const ir::Load& load = *staged_load(value);
  const DType t = k_.find_tensor(load.tensor)->dtype;
  const std::vector<Axis> axes = real_axes(value.type().axes);
  const auto shape = p_.shape_of(value.type().axes, false);
  const std::string buf = "sm_v" + std::to_string(let_id), st = storage_type(t);
  const std::string r_tag = axis_tag(axis_key(axes[0])), c_tag = axis_tag(axis_key(axes[1]));
  std::int64_t vec = std::min<std::int64_t>(16 / dtype_size(t), shape[1]);
  // Vectors of the staging layout: `vec` along columns, aligned when the strides are constants
  // (rows multiples of vec, columns contiguous) and the column offset is a multiple of vec.
  std::string why = "strides are run-time values";
  bool aligned = false;
  if (auto s = p_.spec.strides.find(load.tensor); s != p_.spec.strides.end()) {
    aligned = s->second.back() == 1;
    for (std::size_t d = 0; d + 1 < s->second.size(); ++d) aligned = aligned && s->second[d] % vec == 0;
    const ir::Index& last = load.indices.back();
    if (last.kind == ir::IndexKind::tile && last.value.defined()) {
      const auto off = lower::eval_size(last.value, p_.spec.sizes);
      aligned = aligned && off && *off % vec == 0;
    }
    why = "unaligned rows or offset";
  }
  if (!aligned) vec = 1;
  const std::int64_t per_row = shape[1] / vec, total = shape[0] * per_row;
  const std::int64_t iters = (total + plan_.threads - 1) / plan_.threads;
  line("// stage " + buf + " <- " + load.tensor + (vec > 1 ? " (" + std::to_string(vec) + "-wide vectors)" : " (scalar: " + why + ")"));
  line("ts::barrier();  // the previous tile's readers are done");
  line("#pragma unroll");
  open("for (int it = 0; it < " + std::to_string(iters) + "; ++it)");
  line("const int vi = it * " + std::to_string(plan_.threads) + " + tid;");
  if (total % plan_.threads != 0) line("if (vi >= " + std::to_string(total) + ") break;");
  line("const int i_" + r_tag + " = vi / " + std::to_string(per_row) + ";");
  line("const int iv_" + c_tag + " = (vi % " + std::to_string(per_row) + ") * " + std::to_string(vec) + ";");
  line(st + "* dst = &" + buf + "[i_" + r_tag + "][iv_" + c_tag + "];");
  const std::string row_ok = "i_" + r_tag + " < " + count(axes[0]);
  if (vec > 1) {
    open("if (" + row_ok + " && iv_" + c_tag + " + " + std::to_string(vec) + " <= " + count(axes[1]) + ")");
    line("const int i_" + c_tag + " = iv_" + c_tag + ";");
    line("ts::vstore<" + st + ", " + std::to_string(vec) + ">(dst, ts::vload<" + st + ", " + std::to_string(vec) + ", " +
         load_hint(&load) + ">(&" + address(load.tensor, load.indices) + "));");
    close();
    open("else");
  } else {
    open("");
  }
  line("#pragma unroll");
  open("for (int e = 0; e < " + std::to_string(vec) + "; ++e)");
  line("const int i_" + c_tag + " = iv_" + c_tag + " + e;");
  line("dst[e] = (" + row_ok + " && i_" + c_tag + " < " + count(axes[1]) + ") ? " + address(load.tensor, load.indices) +
       " : " + st + "(0);");
  close();
  close();
  close();
}

void Printer::materialize_dot(const ir::Dot& d, const std::string& target, bool in_place) {
  const std::vector<Axis> out = real_axes(d.type.axes);
  const auto* va = d.a.as<ir::Var>();
  const auto* vb = d.b.as<ir::Var>();
  if (!va || !vb || !plan_.staged_lets.count(va->id) || !plan_.staged_lets.count(vb->id))
    unsupported("a dot whose operands are not loaded tiles bound by let");
  if (!in_place) {
    prepare(d.acc);
    declare(target, d.type);
    reg_loops(d.type.axes, [&](const std::string&) {
      line(array_elem(target, d.type.axes) + " = " + (d.acc.defined() ? elem(d.acc) : "0.0f") + ";");
    });
  }
  const ir::Expr& a = plan_.staged_values.at(va->id);
  const ir::Expr& b = plan_.staged_values.at(vb->id);
  const std::int64_t kblock = p_.shape_of({a.type().axes[1]}, false)[0];
  const std::string m_lane = lane(out[0]), n_lane = lane(out[1]);
  line("ts::barrier();  // staged operands visible");
  line("// dot: FMA over the staged tiles");
  line("#pragma unroll 4");
  open("for (int kk = 0; kk < " + std::to_string(kblock) + "; ++kk)");
  reg_loops(d.type.axes, [&](const std::string&) {
    const std::string x = staged_value(a, "sm_v" + std::to_string(va->id) + "[" + m_lane + "][kk]");
    const std::string y = staged_value(b, "sm_v" + std::to_string(vb->id) + "[kk][" + n_lane + "]");
    const std::string c = array_elem(target, d.type.axes);
    line(c + " = fmaf(" + x + ", " + y + ", " + c + ");");
  });
  close();
}

}  // namespace tessera::backend::gpu
