// SPDX-License-Identifier: Apache-2.0
// The float64 reference interpreter (contract in interpreter.h, semantics in ir.h).
#include "tessera/ir/interpreter.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "tessera/error.h"
#include "tessera/ir/printer.h"
#include "tessera/ir/size_expr.h"
#include "tessera/ir/stmt.h"
#include "tessera/numeric/float_formats.h"

namespace tessera::ir {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A tile value: row-major lanes over the extents of its type's axes.
struct Value {
  Type type;
  std::vector<std::int64_t> shape;
  std::vector<double> data;
  std::int64_t size() const { return static_cast<std::int64_t>(data.size()); }
};

struct TileState {
  std::int64_t begin = 0, block = 1, extent = 0;
  bool active = false;
};

double wrap_int(double v, DType t) {
  if (t == DType::i32) return static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(
      static_cast<std::int64_t>(v))));
  return v;
}

double apply_unary(UnaryOp op, double x) {
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::abs: return std::fabs(x);
    case UnaryOp::exp: return std::exp(x);
    case UnaryOp::exp2: return std::exp2(x);
    case UnaryOp::log: return std::log(x);
    case UnaryOp::log2: return std::log2(x);
    case UnaryOp::sqrt: return std::sqrt(x);
    case UnaryOp::rsqrt: return 1.0 / std::sqrt(x);
    case UnaryOp::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case UnaryOp::silu: return x / (1.0 + std::exp(-x));
    case UnaryOp::gelu_erf: return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
    case UnaryOp::gelu_tanh: {
      const double k = std::sqrt(2.0 / M_PI);
      return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
    }
    case UnaryOp::tanh: return std::tanh(x);
    case UnaryOp::erf: return std::erf(x);
    case UnaryOp::sin: return std::sin(x);
    case UnaryOp::cos: return std::cos(x);
    case UnaryOp::floor: return std::floor(x);
    case UnaryOp::ceil: return std::ceil(x);
    case UnaryOp::round: return numeric::round_half_even(x);
  }
  return kNaN;
}

double apply_binary(BinaryOp op, double a, double b, DType t) {
  const bool is_int = !dtype_is_float(t);
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div:
      if (is_int) return b == 0 ? 0.0 : std::trunc(a / b);
      return a / b;
    case BinaryOp::maximum: return std::isnan(a) || std::isnan(b) ? kNaN : std::max(a, b);
    case BinaryOp::minimum: return std::isnan(a) || std::isnan(b) ? kNaN : std::min(a, b);
    case BinaryOp::pow: return std::pow(a, b);
    case BinaryOp::eq: return a == b;
    case BinaryOp::ne: return a != b;
    case BinaryOp::lt: return a < b;
    case BinaryOp::le: return a <= b;
    case BinaryOp::gt: return a > b;
    case BinaryOp::ge: return a >= b;
  }
  return kNaN;
}

class Interpreter {
 public:
  Interpreter(const Kernel& k, const InterpretArgs& args, const InterpretOptions& opts)
      : k_(k), args_(args), opts_(opts), tiles_(k.tile_vars.size()) {}

  void run() {
    bind_sizes();
    for (const TileVar& t : k_.tile_vars) {
      std::int64_t b = t.fixed_block_size ? *t.fixed_block_size
                       : opts_.block_sizes.empty() ? 16
                                                   : slot_size(t.block_size_slot);
      TS_USER_CHECK(b > 0) << "block size of tile " << t.name << " must be positive, got " << b;
      tiles_[t.id].block = b;
    }
    lets_.assign(static_cast<std::size_t>(k_.num_lets), Value{});
    locals_.assign(static_cast<std::size_t>(k_.num_locals), Value{});
    exec(k_.body);
  }

 private:
  std::int64_t slot_size(int slot) const {
    TS_USER_CHECK(slot >= 0 && slot < static_cast<int>(opts_.block_sizes.size()))
        << "interpret: " << opts_.block_sizes.size() << " block sizes given, kernel needs " << k_.num_block_sizes();
    return opts_.block_sizes[static_cast<std::size_t>(slot)];
  }

  HostTensor& tensor(const std::string& name) const {
    auto it = args_.tensors.find(name);
    TS_USER_CHECK(it != args_.tensors.end() && it->second) << "interpret: no tensor given for '" << name << "'";
    return *it->second;
  }

  void bind_sizes() {
    auto each_param = [&](auto&& fn) {
      for (const auto& t : k_.inputs) fn(t);
      for (const auto& t : k_.outputs) fn(t);
    };
    each_param([&](const TensorParam& p) {
      HostTensor& t = tensor(p.name);
      TS_USER_CHECK(t.dtype == p.dtype) << "tensor '" << p.name << "' has dtype " << dtype_name(t.dtype)
                                        << ", the kernel expects " << dtype_name(p.dtype);
      TS_USER_CHECK(t.rank() == p.rank()) << "tensor '" << p.name << "' has rank " << t.rank()
                                          << ", the kernel expects " << p.rank();
      for (int d = 0; d < p.rank(); ++d)
        if (const auto* s = p.dims[d].as<SizeVar>()) sizes_.emplace(s->name, t.shape[d]);
    });
    each_param([&](const TensorParam& p) {
      const HostTensor& t = tensor(p.name);
      for (int d = 0; d < p.rank(); ++d) {
        const std::int64_t want = eval_size(p.dims[d], sizes_);
        TS_USER_CHECK(t.shape[d] == want) << "tensor '" << p.name << "' dimension " << d << " is " << t.shape[d]
                                          << " but the kernel needs " << canonical_size(p.dims[d]) << " = " << want;
      }
    });
  }

  // Extent of one axis in the current state.
  std::int64_t axis_extent(const Axis& a) const {
    switch (a.kind) {
      case AxisKind::tile: return tiles_[a.id].block;
      case AxisKind::full: return eval_size(k_.rdims[a.id].extent, sizes_);
      case AxisKind::broadcast: return 1;
    }
    return 1;
  }
  bool lane_valid(const Axis& a, std::int64_t j) const {
    if (a.kind != AxisKind::tile) return true;
    const TileState& t = tiles_[a.id];
    TS_INTERNAL_CHECK(t.active) << "tile " << a.name << " used outside its loop";
    return t.begin + j < t.extent;
  }

  Value make_value(const Type& t, double fill) const {
    Value v{t, {}, {}};
    std::int64_t n = 1;
    for (const Axis& a : t.axes) {
      v.shape.push_back(axis_extent(a));
      n *= v.shape.back();
    }
    v.data.assign(static_cast<std::size_t>(n), fill);
    return v;
  }

  // Rounds a computed lane to the value's dtype (ir.h "Numbers").
  double fix(double x, DType t) const {
    if (t == DType::f64) return x;
    if (t == DType::f32) return opts_.round_f32 ? round_to_dtype(x, t) : x;
    if (t == DType::i32 || t == DType::i64) return wrap_int(x, t);
    return round_to_dtype(x, t);
  }

  // For each lane of `out` (row-major), the flat index into `in` under right-aligned
  // broadcasting.
  static std::vector<std::int64_t> broadcast_map(const Value& in, const Value& out) {
    const std::size_t r = out.shape.size(), lead = r - in.shape.size();
    std::vector<std::int64_t> stride(r, 0);
    std::int64_t s = 1;
    for (std::size_t i = in.shape.size(); i-- > 0;) {
      stride[lead + i] = in.shape[i] == 1 ? 0 : s;
      s *= in.shape[i];
    }
    std::vector<std::int64_t> map(static_cast<std::size_t>(out.size()));
    std::vector<std::int64_t> idx(r, 0);
    for (std::int64_t flat = 0; flat < out.size(); ++flat) {
      std::int64_t off = 0;
      for (std::size_t d = 0; d < r; ++d) off += idx[d] * stride[d];
      map[static_cast<std::size_t>(flat)] = off;
      for (std::size_t d = r; d-- > 0;) {
        if (++idx[d] < out.shape[d]) break;
        idx[d] = 0;
      }
    }
    return map;
  }

  // Calls fn(flat, multi_index) for every lane of a shape.
  template <typename F>
  static void for_each_lane(const std::vector<std::int64_t>& shape, F&& fn) {
    std::int64_t n = 1;
    for (auto s : shape) n *= s;
    std::vector<std::int64_t> idx(shape.size(), 0);
    for (std::int64_t flat = 0; flat < n; ++flat) {
      fn(flat, idx);
      for (std::size_t d = shape.size(); d-- > 0;) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
  }

  bool lanes_valid(const std::vector<Axis>& axes, const std::vector<std::int64_t>& idx) const {
    for (std::size_t d = 0; d < axes.size(); ++d)
      if (!lane_valid(axes[d], idx[d])) return false;
    return true;
  }

  std::int64_t scalar_index(const Expr& e) {
    Value v = eval(e);
    return static_cast<std::int64_t>(v.data.at(0));
  }

  // The tensor element offsets for every lane of an access; -1 for invalid lanes.
  std::vector<std::int64_t> access_offsets(const HostTensor& t, const std::string& name,
                                           const std::vector<Index>& indices, const Type& lane_type,
                                           const char* what) {
    std::vector<std::int64_t> base(indices.size(), 0);
    std::vector<Value> gathered(indices.size());  // gather indices: the index tile, one axis
    for (std::size_t i = 0; i < indices.size(); ++i) {
      const Index& ix = indices[i];
      if (ix.kind == IndexKind::tile) base[i] = tiles_[ix.id].begin + (ix.value.defined() ? scalar_index(ix.value) : 0);
      if (ix.kind == IndexKind::scalar) base[i] = scalar_index(ix.value);
      if (ix.kind == IndexKind::gather) gathered[i] = eval(ix.value);
    }
    Value shape_only = make_value(lane_type.with_dtype(DType::f32), 0);
    std::vector<std::int64_t> offs(static_cast<std::size_t>(shape_only.size()), -1);
    for_each_lane(shape_only.shape, [&](std::int64_t flat, const std::vector<std::int64_t>& idx) {
      if (!lanes_valid(lane_type.axes, idx)) return;
      std::int64_t off = 0;
      std::size_t axis = 0;
      int dim = 0;
      for (std::size_t i = 0; i < indices.size(); ++i) {
        const Index& ix = indices[i];
        if (ix.kind == IndexKind::new_axis) {
          ++axis;
          continue;
        }
        std::int64_t pos = base[i];
        if (ix.kind == IndexKind::gather) pos = static_cast<std::int64_t>(gathered[i].data.at(idx[axis++]));
        else if (ix.kind != IndexKind::scalar) pos += idx[axis++];
        TS_USER_CHECK(pos >= 0 && pos < t.shape[static_cast<std::size_t>(dim)])
            << what << " " << to_string(name, indices) << ": index " << pos << " is out of bounds of dimension "
            << dim << " (size " << t.shape[static_cast<std::size_t>(dim)] << ") at a valid lane";
        off += pos * t.strides[static_cast<std::size_t>(dim)];
        ++dim;
      }
      offs[static_cast<std::size_t>(flat)] = off;
    });
    return offs;
  }

  Value eval(const Expr& e);
  Value eval_reduce(const Reduce& n);
  Value eval_dot(const Dot& n);
  void exec(const Stmt& s);
  void exec_loop(const TileLoop& l, std::size_t dim);

  const Kernel& k_;
  const InterpretArgs& args_;
  const InterpretOptions& opts_;
  SizeBindings sizes_;
  std::vector<TileState> tiles_;
  std::vector<Value> lets_, locals_;
};

Value Interpreter::eval(const Expr& e) {
  if (const auto* n = e.as<IntImm>()) return Value{n->type, {}, {static_cast<double>(n->value)}};
  if (const auto* n = e.as<FloatImm>()) return Value{n->type, {}, {n->value}};
  if (const auto* n = e.as<SizeVar>()) return Value{n->type, {}, {static_cast<double>(eval_size(e, sizes_))}};
  if (const auto* n = e.as<ScalarArg>()) {
    auto it = args_.scalars.find(n->name);
    TS_USER_CHECK(it != args_.scalars.end()) << "interpret: no value given for scalar argument '" << n->name << "'";
    return Value{n->type, {}, {round_to_dtype(it->second, n->type.dtype)}};
  }
  if (const auto* n = e.as<Var>()) return lets_.at(static_cast<std::size_t>(n->id));
  if (const auto* n = e.as<LocalRead>()) return locals_.at(static_cast<std::size_t>(n->id));
  if (const auto* n = e.as<TileIndex>()) {
    Value v = make_value(n->type, 0);
    for (std::int64_t j = 0; j < v.size(); ++j) v.data[static_cast<std::size_t>(j)] = static_cast<double>(tiles_[n->tile_var].begin + j);
    return v;
  }
  if (const auto* n = e.as<Full>()) return make_value(n->type, n->value);
  if (const auto* n = e.as<Load>()) {
    const HostTensor& t = tensor(n->tensor);
    auto offs = access_offsets(t, n->tensor, n->indices, n->type, "load");
    Value v = make_value(n->type, kNaN);
    for (std::size_t i = 0; i < offs.size(); ++i)
      if (offs[i] >= 0) v.data[i] = t.load(offs[i]);
    return v;
  }
  if (const auto* n = e.as<Unary>()) {
    Value a = eval(n->a);
    for (double& x : a.data) x = fix(apply_unary(n->op, x), n->type.dtype);
    return a;
  }
  if (const auto* n = e.as<Binary>()) {
    Value a = eval(n->a), b = eval(n->b);
    Value out = make_value(n->type, 0);
    auto ma = broadcast_map(a, out), mb = broadcast_map(b, out);
    const DType t = n->a.dtype();
    for (std::size_t i = 0; i < out.data.size(); ++i)
      out.data[i] = fix(apply_binary(n->op, a.data[static_cast<std::size_t>(ma[i])], b.data[static_cast<std::size_t>(mb[i])], t),
                        n->type.dtype);
    return out;
  }
  if (const auto* n = e.as<Select>()) {
    Value c = eval(n->cond), a = eval(n->t), b = eval(n->f);
    Value out = make_value(n->type, 0);
    auto mc = broadcast_map(c, out), ma = broadcast_map(a, out), mb = broadcast_map(b, out);
    for (std::size_t i = 0; i < out.data.size(); ++i)
      out.data[i] = c.data[static_cast<std::size_t>(mc[i])] != 0 ? a.data[static_cast<std::size_t>(ma[i])]
                                                                  : b.data[static_cast<std::size_t>(mb[i])];
    return out;
  }
  if (const auto* n = e.as<Cast>()) {
    Value a = eval(n->a);
    for (double& x : a.data) x = round_to_dtype(x, n->type.dtype);
    a.type = n->type;
    return a;
  }
  if (const auto* n = e.as<ExpandDims>()) {
    Value a = eval(n->a);
    a.type = n->type;
    a.shape.clear();
    for (const Axis& ax : n->type.axes) a.shape.push_back(axis_extent(ax));
    return a;
  }
  if (const auto* n = e.as<Reduce>()) return eval_reduce(*n);
  if (const auto* n = e.as<Dot>()) return eval_dot(*n);
  TS_INTERNAL_CHECK(false) << "interpret: unhandled expression " << node_kind_name(e.kind());
  return {};
}

Value Interpreter::eval_reduce(const Reduce& n) {
  Value a = eval(n.a);
  Value out = make_value(n.type, 0);
  const std::size_t ax = static_cast<std::size_t>(n.axis);
  const Axis& red_axis = n.a.type().axes[ax];
  std::int64_t inner = 1;
  for (std::size_t d = ax + 1; d < a.shape.size(); ++d) inner *= a.shape[d];
  const std::int64_t len = a.shape[ax];
  for (std::int64_t o = 0; o < out.size(); ++o) {
    const std::int64_t outer = o / inner, in = o % inner;
    double acc = n.op == ReduceOp::max ? -HUGE_VAL : n.op == ReduceOp::min ? HUGE_VAL : 0.0;
    std::int64_t count = 0;
    bool nan = false;
    for (std::int64_t j = 0; j < len; ++j) {
      if (!lane_valid(red_axis, j)) continue;
      const double x = a.data[static_cast<std::size_t>((outer * len + j) * inner + in)];
      ++count;
      nan |= std::isnan(x);
      switch (n.op) {
        case ReduceOp::sum:
        case ReduceOp::mean: acc += x; break;
        case ReduceOp::max: acc = std::max(acc, x); break;
        case ReduceOp::min: acc = std::min(acc, x); break;
        case ReduceOp::amax: acc = std::max(acc, std::fabs(x)); break;
      }
    }
    if (n.op == ReduceOp::mean) acc = count ? acc / static_cast<double>(count) : kNaN;
    if (nan) acc = kNaN;
    out.data[static_cast<std::size_t>(o)] = fix(acc, n.type.dtype);
  }
  return out;
}

Value Interpreter::eval_dot(const Dot& n) {
  Value a = eval(n.a), b = eval(n.b);
  Value out = make_value(n.type, 0);
  if (n.acc.defined()) {
    Value c = eval(n.acc);
    auto mc = broadcast_map(c, out);
    for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = c.data[static_cast<std::size_t>(mc[i])];
  }
  const Axis& kaxis = n.a.type().axes[1];
  const std::int64_t M = a.shape[0], K = a.shape[1], N = b.shape[1];
  for (std::int64_t m = 0; m < M; ++m)
    for (std::int64_t c = 0; c < N; ++c) {
      double s = out.data[static_cast<std::size_t>(m * N + c)];
      for (std::int64_t kk = 0; kk < K; ++kk)
        if (lane_valid(kaxis, kk))
          s += a.data[static_cast<std::size_t>(m * K + kk)] * b.data[static_cast<std::size_t>(kk * N + c)];
      out.data[static_cast<std::size_t>(m * N + c)] = fix(s, DType::f32);
    }
  return out;
}

void Interpreter::exec_loop(const TileLoop& l, std::size_t dim) {
  if (dim == l.tile_vars.size()) {
    exec(l.body);
    return;
  }
  TileState& t = tiles_[static_cast<std::size_t>(l.tile_vars[dim])];
  t.extent = eval_size(k_.tile_vars[static_cast<std::size_t>(l.tile_vars[dim])].extent, sizes_);
  t.active = true;
  for (t.begin = 0; t.begin < t.extent; t.begin += t.block) exec_loop(l, dim + 1);
  t.active = false;
}

void Interpreter::exec(const Stmt& s) {
  if (const auto* b = s.as<Block>()) {
    for (const Stmt& c : b->stmts) exec(c);
  } else if (const auto* l = s.as<TileLoop>()) {
    exec_loop(*l, 0);
  } else if (const auto* let = s.as<Let>()) {
    lets_[static_cast<std::size_t>(let->id)] = eval(let->value);
  } else if (const auto* d = s.as<LocalDecl>()) {
    locals_[static_cast<std::size_t>(d->id)] = eval(d->init);
  } else if (const auto* a = s.as<LocalAssign>()) {
    Value v = eval(a->value);
    Value out = make_value(a->type, 0);
    auto m = broadcast_map(v, out);
    for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = v.data[static_cast<std::size_t>(m[i])];
    locals_[static_cast<std::size_t>(a->id)] = std::move(out);
  } else if (const auto* st = s.as<Store>()) {
    HostTensor& t = tensor(st->tensor);
    Type access{t.dtype, {}};
    for (const Index& ix : st->indices)
      if (auto ax = ix.axis()) access.axes.push_back(*ax);
    Value v = eval(st->value);
    auto offs = access_offsets(t, st->tensor, st->indices, access, "store");
    Value shape = make_value(access, 0);
    auto m = broadcast_map(v, shape);
    for (std::size_t i = 0; i < offs.size(); ++i)
      if (offs[i] >= 0) t.store(offs[i], v.data[static_cast<std::size_t>(m[i])]);
  }
}

}  // namespace

void interpret(const Kernel& k, const InterpretArgs& args, const InterpretOptions& opts) {
  try {
    Interpreter(k, args, opts).run();
  } catch (const UserError& e) {
    throw UserError(cat("kernel '", k.name, "': ", e.what()));
  }
}

}  // namespace tessera::ir
