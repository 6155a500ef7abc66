// SPDX-License-Identifier: Apache-2.0
#include "tessera/ir/type.h"

#include <sstream>

namespace tessera::ir {

Axis Axis::tile(int tile_var, std::string name) { return Axis{AxisKind::tile, tile_var, std::move(name)}; }
Axis Axis::full(int rdim, std::string name) { return Axis{AxisKind::full, rdim, std::move(name)}; }
Axis Axis::broadcast() { return Axis{AxisKind::broadcast, -1, "1"}; }

std::string axes_to_string(const std::vector<Axis>& axes) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < axes.size(); ++i) {
    if (i) os << ", ";
    os << (axes[i].kind == AxisKind::broadcast ? "1" : axes[i].name);
  }
  os << "]";
  return os.str();
}

std::string to_string(const Type& t) {
  std::string s(dtype_name(t.dtype));
  return t.is_scalar() ? s : s + axes_to_string(t.axes);
}

std::optional<std::vector<Axis>> broadcast_axes(const std::vector<Axis>& a,
                                                const std::vector<Axis>& b) {
  const std::vector<Axis>& longer = a.size() >= b.size() ? a : b;
  const std::vector<Axis>& shorter = a.size() >= b.size() ? b : a;
  std::vector<Axis> out = longer;
  const std::size_t lead = longer.size() - shorter.size();
  for (std::size_t i = 0; i < shorter.size(); ++i) {
    const Axis& x = longer[lead + i];
    const Axis& y = shorter[i];
    if (x == y || y.kind == AxisKind::broadcast) continue;
    if (x.kind == AxisKind::broadcast) {
      out[lead + i] = y;
      continue;
    }
    return std::nullopt;
  }
  return out;
}

bool broadcasts_to(const std::vector<Axis>& from, const std::vector<Axis>& to) {
  if (from.size() > to.size()) return false;
  const std::size_t lead = to.size() - from.size();
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (from[i] != to[lead + i] && from[i].kind != AxisKind::broadcast) return false;
  }
  return true;
}

bool is_arithmetic(DType t) {
  switch (t) {
    case DType::f64:
    case DType::f32:
    case DType::f16:
    case DType::bf16:
    case DType::i64:
    case DType::i32: return true;
    default: return false;
  }
}

}  // namespace tessera::ir
