// SPDX-License-Identifier: Apache-2.0
// The IR printer; one `print_node` per node kind, dispatched by the node X-macro.
#include "tessera/ir/printer.h"

#include <cstdio>
#include <cstdlib>
#include <ostream>
#include <sstream>

#include "tessera/error.h"
#include "tessera/ir/size_expr.h"
#include "tessera/ir/stmt.h"

namespace tessera::ir {
namespace {

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // keep floats recognizable
  // Round-trip exactly when 9 digits are not enough (f64 constants).
  if (std::strtod(s.c_str(), nullptr) != v) {
    std::snprintf(buf, sizeof buf, "%.17g", v);
    s = buf;
  }
  return s;
}

class Printer {
 public:
  explicit Printer(std::ostream& os) : os_(os) {}

  void expr(const Expr& e) {
    if (!e.defined()) {
      os_ << "<undef>";
      return;
    }
    if (e.dtype() == DType::i64 && e.type().is_scalar() && e.kind() == NodeKind::Binary && is_size_expr(e)) {
      os_ << canonical_size(e);
      return;
    }
    switch (e.kind()) {
#define TS_IMPL_CASE(n) \
  case NodeKind::n: print_node(*e.as<n>()); return;
      TS_FOR_EACH_IR_EXPR(TS_IMPL_CASE)
#undef TS_IMPL_CASE
      default: TS_INTERNAL_CHECK(false) << "not an expression";
    }
  }

  void stmt(const Stmt& s, int indent) {
    indent_ = indent;
    switch (s.kind()) {
#define TS_IMPL_CASE(n) \
  case NodeKind::n: print_node(*s.as<n>()); return;
      TS_FOR_EACH_IR_STMT(TS_IMPL_CASE)
#undef TS_IMPL_CASE
      default: TS_INTERNAL_CHECK(false) << "not a statement";
    }
  }

  void access(const std::string& tensor, const std::vector<Index>& indices) {
    os_ << tensor << "[";
    for (std::size_t i = 0; i < indices.size(); ++i) {
      const Index& ix = indices[i];
      if (i) os_ << ", ";
      switch (ix.kind) {
        case IndexKind::tile:
          os_ << ix.name;
          if (ix.value.defined()) {
            os_ << " + ";
            expr(ix.value);
          }
          break;
        case IndexKind::full: os_ << ":" << ix.name; break;
        case IndexKind::scalar: expr(ix.value); break;
        case IndexKind::new_axis: os_ << "none"; break;
        case IndexKind::gather:
          os_ << "gather(";
          expr(ix.value);
          os_ << ")";
          break;
      }
    }
    os_ << "]";
  }

 private:
  void pad() { os_ << std::string(2 * static_cast<std::size_t>(indent_), ' '); }

  void print_node(const IntImm& n) {
    os_ << n.value;
    if (n.type.dtype != DType::i64) os_ << ":" << dtype_name(n.type.dtype);
  }
  void print_node(const FloatImm& n) { os_ << number(n.value) << ":" << dtype_name(n.type.dtype); }
  void print_node(const SizeVar& n) { os_ << n.name; }
  void print_node(const ScalarArg& n) { os_ << n.name; }
  void print_node(const Var& n) { os_ << "%" << n.id; }
  void print_node(const LocalRead& n) { os_ << "$" << n.name; }
  void print_node(const TileIndex& n) { os_ << "index(" << n.type.axes[0].name << ")"; }
  void print_node(const Load& n) {
    os_ << "load ";
    access(n.tensor, n.indices);
  }
  void print_node(const Unary& n) {
    os_ << op_name(n.op) << "(";
    expr(n.a);
    os_ << ")";
  }
  void print_node(const Binary& n) {
    os_ << op_name(n.op) << "(";
    expr(n.a);
    os_ << ", ";
    expr(n.b);
    os_ << ")";
  }
  void print_node(const Select& n) {
    os_ << "where(";
    expr(n.cond);
    os_ << ", ";
    expr(n.t);
    os_ << ", ";
    expr(n.f);
    os_ << ")";
  }
  void print_node(const Cast& n) {
    os_ << "cast<" << dtype_name(n.type.dtype) << ">(";
    expr(n.a);
    os_ << ")";
  }
  void print_node(const Reduce& n) {
    os_ << op_name(n.op) << "(";
    expr(n.a);
    os_ << ", axis=" << n.axis << ")";
  }
  void print_node(const ExpandDims& n) {
    os_ << "expand_dims(";
    expr(n.a);
    os_ << ", [";
    for (std::size_t i = 0; i < n.new_axes.size(); ++i) os_ << (i ? ", " : "") << n.new_axes[i];
    os_ << "])";
  }
  void print_node(const Full& n) { os_ << "full<" << to_string(n.type) << ">(" << number(n.value) << ")"; }
  void print_node(const Dot& n) {
    os_ << "dot(";
    expr(n.a);
    os_ << ", ";
    expr(n.b);
    if (n.acc.defined()) {
      os_ << ", acc=";
      expr(n.acc);
    }
    os_ << ")";
  }

  void print_node(const Block& n) {
    const int ind = indent_;
    for (const Stmt& s : n.stmts) stmt(s, ind);
    indent_ = ind;
  }
  void print_node(const TileLoop& n) {
    const int ind = indent_;
    pad();
    os_ << (n.is_grid ? "grid" : "device") << " tile (";
    for (std::size_t i = 0; i < n.tile_vars.size(); ++i) os_ << (i ? ", " : "") << tile_name(n.tile_vars[i]);
    os_ << ") {\n";
    stmt(n.body, ind + 1);
    indent_ = ind;
    pad();
    os_ << "}\n";
  }
  void print_node(const Let& n) {
    pad();
    os_ << "%" << n.id << ": " << to_string(n.value.type()) << " = ";
    expr(n.value);
    os_ << "\n";
  }
  void print_node(const Store& n) {
    pad();
    os_ << "store ";
    access(n.tensor, n.indices);
    os_ << " = ";
    expr(n.value);
    os_ << "\n";
  }
  void print_node(const LocalDecl& n) {
    pad();
    os_ << "local $" << n.name << ": " << to_string(n.init.type()) << " = ";
    expr(n.init);
    os_ << "\n";
  }
  void print_node(const LocalAssign& n) {
    pad();
    os_ << "$" << n.name << " = ";
    expr(n.value);
    os_ << "\n";
  }

 public:
  const Kernel* kernel = nullptr;

 private:
  std::string tile_name(int id) const {
    if (kernel && id >= 0 && id < static_cast<int>(kernel->tile_vars.size())) return kernel->tile_vars[id].name;
    return "t" + std::to_string(id);
  }

  std::ostream& os_;
  int indent_ = 0;
};

std::string dims_text(const TensorParam& t) {
  std::string s = std::string(dtype_name(t.dtype)) + "[";
  for (std::size_t i = 0; i < t.dims.size(); ++i) s += (i ? ", " : "") + canonical_size(t.dims[i]);
  return s + "]";
}

}  // namespace

void print(std::ostream& os, const Kernel& k) {
  os << "kernel " << k.name << "(";
  bool first = true;
  for (const auto& t : k.inputs) {
    os << (first ? "" : ", ") << t.name << ": " << dims_text(t);
    first = false;
  }
  for (const auto& s : k.scalars) {
    os << (first ? "" : ", ") << s.name << ": " << dtype_name(s.dtype);
    first = false;
  }
  os << ") -> (";
  for (std::size_t i = 0; i < k.outputs.size(); ++i)
    os << (i ? ", " : "") << k.outputs[i].name << ": " << dims_text(k.outputs[i]);
  os << ")  math=" << math_mode_name(k.math_mode) << "\n";
  if (!k.size_vars.empty()) {
    os << "  sizes";
    for (std::size_t i = 0; i < k.size_vars.size(); ++i)
      os << (i ? ", " : " ") << k.size_vars[i].name << (k.size_vars[i].specialized ? " (specialized)" : "");
    os << "\n";
  }
  for (const TileVar& t : k.tile_vars) {
    os << "  tile " << t.name << " over " << canonical_size(t.extent) << ": ";
    if (t.fixed_block_size)
      os << "block size " << *t.fixed_block_size;
    else
      os << "block_sizes[" << t.block_size_slot << "]";
    os << (t.is_grid ? " (grid)" : "") << "\n";
  }
  for (const RDim& r : k.rdims)
    os << "  rdim " << r.name << " = " << canonical_size(r.extent) << ": reduction_loops[" << r.id << "]\n";
  Printer p(os);
  p.kernel = &k;
  if (k.body.defined()) p.stmt(k.body, 1);
}

std::string to_string(const Kernel& k) {
  std::ostringstream os;
  print(os, k);
  return os.str();
}

std::string to_string(const Expr& e) {
  std::ostringstream os;
  Printer(os).expr(e);
  return os.str();
}

std::string to_string(const Stmt& s, int indent) {
  std::ostringstream os;
  Printer(os).stmt(s, indent);
  return os.str();
}

std::string to_string(const std::string& tensor, const std::vector<Index>& indices) {
  std::ostringstream os;
  Printer(os).access(tensor, indices);
  return os.str();
}

}  // namespace tessera::ir
