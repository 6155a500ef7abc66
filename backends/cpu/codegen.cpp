// SPDX-License-Identifier: Apache-2.0
// Lowered program -> host C++ (codegen.h describes the emitted code).
#include "cpu/codegen.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "cpu/codegen_lets.h"
#include "cpu/codegen_types.h"
#include "tessera/error.h"
#include "tessera/ir/visitor.h"
#include "tessera/numeric/float_formats.h"

namespace tessera::backend::cpu {

namespace {

using ir::Axis;
using ir::AxisKind;
using ir::Expr;
using lower::Program;
using lower::ReductionStrategy;

/// Arrays above this size live on the heap (a program runs on a worker thread's stack).
constexpr std::int64_t kMaxStackArrayBytes = 256 * 1024;
/// Independent partial accumulators of a reduction along the innermost axis: 64 (four AVX-512
/// vectors of f32) when the reduced axis has at least kManyPartialsFrom lanes, else 16. g++
/// keeps the partials in memory between iterations of the element loop (a store and a reload
/// per vector), so one vector of partials made every long reduction wait on store-to-load
/// forwarding plus the combine's latency per 16 elements: layer_norm's sum of squares took 46%
/// of its time (2026-11-22, perf); four independent vectors overlap those waits. Short axes keep
/// 16: the combining tree's last levels are scalar, and with 64 partials its two extra levels
/// made silu_and_mul_per_block_quant's 128-wide group amax cost 2.64 instead of 2.39 cycles per
/// element.
constexpr int kPartials = 64, kFewPartials = 16, kManyPartialsFrom = 512;

class Emitter {
 public:
  explicit Emitter(const Program& p) : p_(p), k_(*p.kernel), lets_(plan_lets(p)) {
    ir::visit_with(k_.body, [](const Expr&) {}, [&](const ir::Stmt& s) {
      if (const auto* l = s.as<ir::Let>()) let_values_.emplace(l->id, l->value);
    });
  }

  std::string run();

 private:
  void line(const std::string& s) { os_ << std::string(2 * indent_, ' ') << s << "\n"; }
  void open(const std::string& s) { line(s + " {"); ++indent_; }
  void close() { --indent_; line("}"); }

  [[noreturn]] void unsupported(const std::string& what) const {
    TS_USER_CHECK(false) << "kernel '" << k_.name << "': the CPU backend cannot compile " << what;
    throw;  // unreachable
  }

  // Names: tile t -> t<id>_base/_n, index i_t<id>; rdim r -> r<id>_base/_n, index i_r<id>.
  static std::string idx(const Axis& a) {
    if (a.kind == AxisKind::tile) return "i_t" + std::to_string(a.id);
    if (a.kind == AxisKind::full) return "i_r" + std::to_string(a.id);
    return "0";
  }
  static std::string count(const Axis& a) {
    if (a.kind == AxisKind::tile) return "t" + std::to_string(a.id) + "_n";
    if (a.kind == AxisKind::full) return "r" + std::to_string(a.id) + "_n";
    return "1";
  }
  std::optional<int> looped_rdim(const ir::Type& t) const {
    for (const Axis& a : t.axes)
      if (a.kind == AxisKind::full && p_.rdims[a.id].strategy == ReductionStrategy::kLooped) return a.id;
    return std::nullopt;
  }
  std::vector<std::int64_t> shape(const ir::Type& t) const { return p_.shape_of(t.axes, /*cpu=*/true); }

  /// Declares array `name` holding values of `t`.
  void declare(const std::string& name, const ir::Type& t) {
    const std::vector<std::int64_t> s = shape(t);
    std::string dims;
    std::int64_t n = 1;
    for (std::int64_t e : s) dims += "[" + std::to_string(e) + "]", n *= e;
    const std::string vt = value_type(t.dtype);
    if (n * 8 <= kMaxStackArrayBytes) {
      line("alignas(64) " + vt + " " + name + dims + ";");
    } else {
      line("std::unique_ptr<" + vt + "[]> " + name + "_mem(new " + vt + "[" + std::to_string(n) + "]);");
      line("auto& " + name + " = *reinterpret_cast<" + vt + "(*)" + dims + ">(" + name + "_mem.get());");
    }
  }
  static std::string element(const std::string& name, const std::vector<Axis>& axes) {
    std::string s = name;
    for (const Axis& a : axes) s += "[" + idx(a) + "]";
    return s;
  }

  /// Runs `body` inside loops over the valid lanes of `axes` (last axis innermost).
  void loop_nest(const std::vector<Axis>& axes, const std::function<void()>& body) {
    int opened = 0;
    for (const Axis& a : axes) {
      if (a.kind == AxisKind::broadcast) continue;
      open("for (std::int64_t " + idx(a) + " = 0; " + idx(a) + " < " + count(a) + "; ++" + idx(a) + ")");
      ++opened;
    }
    body();
    for (int i = 0; i < opened; ++i) close();
  }

  std::string size_cpp(const Expr& e) { return elem(e); }
  /// The value of an inlined Let's Var (followed through chains), or `e` itself.
  const Expr& resolve(const Expr& e) const {
    const auto* v = e.as<ir::Var>();
    const auto it = v ? inlined_.find(v->id) : inlined_.end();
    return it == inlined_.end() ? e : resolve(it->second);
  }
  const Expr& without_saturated_clamp(DType t, const Expr& v) const;
  const Expr& definition(const Expr& e) const;
  bool at_most_zero(const Expr& e) const;
  std::string stored(DType t, const Expr& value);
  std::string address(const std::string& tensor, const std::vector<ir::Index>& indices);
  std::string elem(const Expr& e);
  void prepare(const Expr& e);
  void materialize_reduce(const ir::Reduce& r, const Expr& self);
  void materialize_dot(const ir::Dot& d, const std::string& target, bool accumulate_in_place);
  void with_chunks(int rdim, const Expr& root, const std::function<void()>& body);
  void emit_deferred(const Expr& root);
  void emit(const ir::Stmt& s);
  void emit_device_loop(const ir::TileLoop& l);
  void set_tile(int tv, const std::string& tile_index);
  void emit_grid();

  const Program& p_;
  const ir::Kernel& k_;
  std::ostringstream os_;
  int indent_ = 0;
  int counter_ = 0;
  std::map<const ir::ExprNode*, std::string> temps_;  ///< materialized Reduce/Dot in scope
  std::map<int, Expr> deferred_;                      ///< Lets along a looped rdim
  std::set<int> emitted_deferred_;                    ///< deferred Lets emitted in this scope
  const LetPlan lets_;
  std::map<int, Expr> inlined_;        ///< inlined Lets in scope: id -> value
  std::map<int, std::string> aliases_;  ///< Lets bound to a materialized Reduce/Dot array
  std::map<int, Expr> let_values_;      ///< every Let's value, by id
};

std::string Emitter::address(const std::string& tensor, const std::vector<ir::Index>& indices) {
  std::string addr;
  int dim = 0;
  for (const ir::Index& i : indices) {
    std::string at;
    switch (i.kind) {
      case ir::IndexKind::tile:
        at = "(t" + std::to_string(i.id) + "_base + i_t" + std::to_string(i.id) +
             (i.value.defined() ? " + " + elem(i.value) : "") + ")";
        break;
      case ir::IndexKind::full: at = "(r" + std::to_string(i.id) + "_base + i_r" + std::to_string(i.id) + ")"; break;
      case ir::IndexKind::scalar:
      case ir::IndexKind::gather:  // the index tile's element at this lane (values follow axis identity)
        at = "static_cast<std::int64_t>(" + elem(i.value) + ")";
        break;
      case ir::IndexKind::new_axis: continue;
    }
    addr += (addr.empty() ? "" : " + ") + at + " * st_" + ident(tensor) + "_" + std::to_string(dim++);
  }
  return "p_" + ident(tensor) + "[" + (addr.empty() ? "0" : addr) + "]";
}

namespace {
/// The value of a constant (an immediate or a `full`), if `e` is one.
std::optional<double> constant_value(const Expr& e) {
  if (const auto* f = e.as<ir::FloatImm>()) return f->value;
  if (const auto* f = e.as<ir::Full>()) return f->value;
  return std::nullopt;
}
}  // namespace

/// `v` (an f32 value about to be encoded as `t`) without the clamps that the encoding makes
/// redundant. fp8 conversions saturate to the largest finite value and keep NaN, so for
/// m = that value, minimum(x, c) with c >= m and maximum(x, c) with c <= -m encode to the same
/// bits as x (NaN included): vLLM's `clamp(y, -fp8_max, fp8_max).to(fp8)` then costs nothing.
/// (The NaN-propagating minimum/maximum are three selects each; in a loop that narrows to
/// 8 bits g++ moved their masks through general registers, which made the quant kernels'
/// store loops compute-bound.)
const Expr& Emitter::without_saturated_clamp(DType t, const Expr& v) const {
  if (t != DType::f8e4m3fn && t != DType::f8e5m2) return v;
  const numeric::FloatFormat& f = t == DType::f8e4m3fn ? numeric::kF8E4M3FNFormat : numeric::kF8E5M2Format;
  const double m = numeric::decode_float(f.max_bits, f);
  const Expr& r = resolve(v);
  const auto* b = r.as<ir::Binary>();
  if (b == nullptr || r.dtype() != DType::f32 || b->a.dtype() != DType::f32) return v;
  const bool is_min = b->op == ir::BinaryOp::minimum, is_max = b->op == ir::BinaryOp::maximum;
  if (!is_min && !is_max) return v;
  for (const auto& [x, c] : {std::pair{&b->a, &b->b}, std::pair{&b->b, &b->a}}) {
    const std::optional<double> k = constant_value(resolve(*c));
    // The other operand must have every axis of the result (a constant broadcasts).
    if (k && x->type().axes == r.type().axes && (is_min ? *k >= m : *k <= -m)) return without_saturated_clamp(t, *x);
  }
  return v;
}

/// The value `e` stands for: through Vars of Lets (inlined or not) to the defining expression.
const Expr& Emitter::definition(const Expr& e) const {
  const auto* v = e.as<ir::Var>();
  const auto it = v ? let_values_.find(v->id) : let_values_.end();
  return it == let_values_.end() ? e : definition(it->second);
}

/// True when every lane of `e` is <= 0 or NaN because it is `x - max(x)` with the maximum taken
/// over an axis of the same value x and broadcast back (softmax's stable form): axis identity
/// lines each lane of x up with the maximum over a set that holds it, and x - m rounds to <= 0
/// for x <= m (NaN anywhere makes m NaN).
bool Emitter::at_most_zero(const Expr& e) const {
  const auto* sub = definition(e).as<ir::Binary>();
  if (sub == nullptr || sub->op != ir::BinaryOp::sub) return false;
  const Expr* m = &definition(sub->b);
  if (const auto* x = m->as<ir::ExpandDims>()) m = &definition(x->a);
  const auto* r = m->as<ir::Reduce>();
  return r != nullptr && r->op == ir::ReduceOp::max && definition(r->a).same_as(definition(sub->a));
}

/// `value` as a stored element of `t`. A cast to `t` right before the store is folded into
/// the conversion (encoding a value rounded to `t` gives the same bits as encoding it unrounded).
std::string Emitter::stored(DType t, const Expr& value) {
  const auto* c = resolve(value).as<ir::Cast>();
  if (c != nullptr && c->type.dtype == t && c->a.dtype() == DType::f32 && value_type(t) == "float") {
    return to_storage(t, elem(without_saturated_clamp(t, c->a)));
  }
  return to_storage(t, elem(without_saturated_clamp(t, value)));
}

namespace {
/// Whether `axes` holds `axis` (axis identity).
bool contains_axis(const std::vector<ir::Axis>& axes, const ir::Axis& axis) {
  return std::find(axes.begin(), axes.end(), axis) != axes.end();
}
}  // namespace

std::string Emitter::elem(const Expr& e) {
  if (auto it = temps_.find(e.get()); it != temps_.end()) {
    return e.type().is_scalar() ? it->second : element(it->second, e.type().axes);
  }
  if (const auto* n = e.as<ir::IntImm>()) {
    return e.dtype() == DType::boolean ? (n->value ? "true" : "false")
                                       : "static_cast<" + value_type(e.dtype()) + ">(" + int_literal(n->value) + ")";
  }
  if (const auto* n = e.as<ir::FloatImm>()) return float_literal(e.dtype(), n->value);
  if (const auto* n = e.as<ir::SizeVar>()) return "s_" + ident(n->name);
  if (const auto* n = e.as<ir::ScalarArg>()) return "a_" + ident(n->name);
  if (const auto* n = e.as<ir::Var>()) {
    if (auto it = inlined_.find(n->id); it != inlined_.end()) return elem(it->second);
    if (auto it = aliases_.find(n->id); it != aliases_.end()) return element(it->second, e.type().axes);
    return element("v" + std::to_string(n->id), e.type().axes);
  }
  if (const auto* n = e.as<ir::LocalRead>()) return element("l" + std::to_string(n->id), e.type().axes);
  if (const auto* n = e.as<ir::TileIndex>()) {
    return "(t" + std::to_string(n->tile_var) + "_base + i_t" + std::to_string(n->tile_var) + ")";
  }
  if (const auto* n = e.as<ir::Load>()) return from_storage(e.dtype(), address(n->tensor, n->indices));
  if (const auto* n = e.as<ir::Unary>()) {
    // exp of a value known to be <= 0 (softmax's x - max): the shorter exp with exp_fast's bits.
    if (n->op == ir::UnaryOp::exp && k_.math_mode == ir::MathMode::fast && e.dtype() == DType::f32 && at_most_zero(n->a)) {
      return "ts_cpu::exp_nonpositive_fast(" + elem(n->a) + ")";
    }
    return unary(n->op, e.dtype(), elem(n->a), k_.math_mode);
  }
  if (const auto* n = e.as<ir::Binary>()) {
    // Fast mode: a divisor constant along the innermost axis (a row's sum, a scale) becomes a
    // reciprocal the compiler hoists out of the element loop, and the loop multiplies: one
    // vdivps per row instead of one per 16 elements (softmax's normalization). Two roundings,
    // |error| <= 2 ulp for divisors in [2^-126, 2^126]: ops.h's fast division bound.
    if (n->op == ir::BinaryOp::div && k_.math_mode == ir::MathMode::fast && e.dtype() == DType::f32 &&
        !e.type().is_scalar() && e.type().axes.back().kind != ir::AxisKind::broadcast &&
        !contains_axis(n->b.type().axes, e.type().axes.back())) {
      return binary(ir::BinaryOp::mul, DType::f32, elem(n->a), "(1.0f / " + elem(n->b) + ")");
    }
    return binary(n->op, n->a.dtype(), elem(n->a), elem(n->b));
  }
  if (const auto* n = e.as<ir::Select>()) return "(" + elem(n->cond) + " ? " + elem(n->t) + " : " + elem(n->f) + ")";
  if (const auto* n = e.as<ir::Cast>()) return cast_value(n->a.dtype(), e.dtype(), elem(n->a));
  if (const auto* n = e.as<ir::ExpandDims>()) return elem(n->a);  // indices follow axis identity
  if (const auto* n = e.as<ir::Full>()) {
    return dtype_is_float(e.dtype()) ? float_literal(e.dtype(), n->value)
                                     : cast_value(DType::f64, e.dtype(), float_literal(DType::f64, n->value));
  }
  TS_INTERNAL_CHECK(false) << "CPU codegen: " << ir::node_kind_name(e.kind()) << " reached elem() unprepared";
  return "";
}

void Emitter::prepare(const Expr& e) {
  if (const auto* v = e.as<ir::Var>()) {
    if (auto it = inlined_.find(v->id); it != inlined_.end()) prepare(it->second);
    return;
  }
  if (!e.defined() || temps_.count(e.get()) || e.as<ir::LocalRead>()) return;
  auto each = [&](const Expr& c) { prepare(c); };
  if (const auto* n = e.as<ir::Load>()) {
    for (const ir::Index& i : n->indices) each(i.value);
  } else if (const auto* n = e.as<ir::Unary>()) {
    each(n->a);
  } else if (const auto* n = e.as<ir::Binary>()) {
    each(n->a), each(n->b);
  } else if (const auto* n = e.as<ir::Select>()) {
    each(n->cond), each(n->t), each(n->f);
  } else if (const auto* n = e.as<ir::Cast>()) {
    each(n->a);
  } else if (const auto* n = e.as<ir::ExpandDims>()) {
    each(n->a);
  } else if (const auto* n = e.as<ir::Reduce>()) {
    materialize_reduce(*n, e);
  } else if (const auto* n = e.as<ir::Dot>()) {
    const std::string name = "d" + std::to_string(counter_++);
    declare(name, e.type());
    materialize_dot(*n, name, false);
    temps_[e.get()] = name;
  }
}

void Emitter::materialize_reduce(const ir::Reduce& r, const Expr& self) {
  const std::vector<Axis>& in_axes = r.a.type().axes;
  const Axis red = in_axes[r.axis];
  const ReduceForm form = reduce_form(r.op, r.a.dtype());
  const std::string name = "red" + std::to_string(counter_++);
  const std::string acc = self.type().is_scalar() ? name : element(name, self.type().axes);
  if (self.type().is_scalar()) line(form.acc_type + " " + name + " = " + form.init + ";");
  else {
    declare(name, self.type());
    loop_nest(self.type().axes, [&] { line(acc + " = " + form.init + ";"); });
  }
  // The accumulation of one chunk (or of the whole axis) into `acc`.
  auto accumulate = [&] {
    prepare(r.a);
    const bool innermost = r.axis == static_cast<int>(in_axes.size()) - 1;
    if (innermost) {  // independent partials, combined as a fixed tree
      const int partials = p_.shape_of({red}, /*cpu=*/true)[0] >= kManyPartialsFrom ? kPartials : kFewPartials;
      const std::string np = std::to_string(partials);
      loop_nest(self.type().axes, [&] {
        const std::string n = count(red), i = idx(red), part = "part";
        line(form.acc_type + " " + part + "[" + np + "];");
        line("for (int l = 0; l < " + np + "; ++l) " + part + "[l] = " + form.init + ";");
        line("std::int64_t j = 0;");
        open("for (; j + " + np + " <= " + n + "; j += " + np + ")");
        // Kept as a loop: g++ vectorizes it with the partials in registers, while the fully
        // unrolled body (its default for 16 iterations) stays scalar when the combine is a
        // select (NaN-propagating max), which made every reduction scalar.
        line("#pragma GCC unroll 1");
        open("for (int l = 0; l < " + np + "; ++l)");
        line("const std::int64_t " + i + " = j + l;");
        line(part + "[l] = " + form.combine(part + "[l]", elem(r.a)) + ";");
        close();
        close();
        open("for (; j < " + n + "; ++j)");
        line("const std::int64_t " + i + " = j;");
        line(part + "[0] = " + form.combine(part + "[0]", elem(r.a)) + ";");
        close();
        for (int w = partials / 2; w >= 1; w /= 2) {
          line("for (int l = 0; l < " + std::to_string(w) + "; ++l) " + part + "[l] = " +
               form.merge(part + "[l]", part + "[l + " + std::to_string(w) + "]") + ";");
        }
        line(acc + " = " + form.merge(acc, part + "[0]") + ";");
      });
    } else {  // reduced axis outermost: sequential along it, vectorized across the others
      loop_nest({red}, [&] { loop_nest(self.type().axes, [&] { line(acc + " = " + form.combine(acc, elem(r.a)) + ";"); }); });
    }
  };
  if (red.kind == AxisKind::full && p_.rdims[red.id].strategy == ReductionStrategy::kLooped) {
    with_chunks(red.id, r.a, accumulate);
  } else {
    accumulate();
  }
  const DType t = r.a.dtype();
  if (r.op == ir::ReduceOp::mean || ((r.op == ir::ReduceOp::sum) && t != DType::f32 && dtype_is_float(t))) {
    const std::string total = red.kind == AxisKind::full ? "r" + std::to_string(red.id) + "_extent" : count(red);
    loop_nest(self.type().axes, [&] {
      std::string v = acc;
      if (r.op == ir::ReduceOp::mean) v = "(" + v + " / static_cast<" + form.acc_type + ">(" + total + "))";
      line(acc + " = " + round_to(t, v) + ";");
    });
  }
  temps_[self.get()] = name;
}

void Emitter::materialize_dot(const ir::Dot& d, const std::string& target, bool in_place) {
  const std::vector<Axis>& out = d.type.axes;  // [M, N]
  const Axis m = out[0], n = out[1], kx = d.a.type().axes[1];
  if (!in_place) {
    prepare(d.acc);
    loop_nest(out, [&] { line(element(target, out) + " = " + (d.acc.defined() ? elem(d.acc) : "0.0f") + ";"); });
  }
  prepare(d.a);
  prepare(d.b);
  loop_nest({m}, [&] {
    loop_nest({kx}, [&] {
      line("const float a_mk = " + cast_value(d.a.dtype(), DType::f32, elem(d.a)) + ";");
      loop_nest({n}, [&] {
        const std::string c = element(target, out);
        line(c + " = std::fma(a_mk, " + cast_value(d.b.dtype(), DType::f32, elem(d.b)) + ", " + c + ");");
      });
    });
  });
}

void Emitter::with_chunks(int rd, const Expr& root, const std::function<void()>& body) {
  const lower::RDimPlan& r = p_.rdims[rd];
  const std::string b = "r" + std::to_string(rd) + "_base", n = "r" + std::to_string(rd) + "_n";
  open("for (std::int64_t " + b + " = 0; " + b + " < r" + std::to_string(rd) + "_extent; " + b + " += " +
       std::to_string(r.block) + ")");
  line("const std::int64_t " + n + " = std::min<std::int64_t>(" + std::to_string(r.block) + ", r" +
       std::to_string(rd) + "_extent - " + b + ");");
  auto saved_temps = temps_;
  auto saved_emitted = emitted_deferred_;
  emit_deferred(root);
  body();
  temps_ = saved_temps;
  emitted_deferred_ = saved_emitted;
  close();
}

void Emitter::emit_deferred(const Expr& root) {
  std::set<int> needed;
  std::function<void(const Expr&)> walk = [&](const Expr& e) {
    if (!e.defined()) return;
    if (const auto* v = e.as<ir::Var>()) {
      if (auto in = inlined_.find(v->id); in != inlined_.end()) return walk(in->second);
      auto it = deferred_.find(v->id);
      if (it != deferred_.end() && !needed.count(v->id)) needed.insert(v->id), walk(it->second);
      return;
    }
    ir::visit_with(e, [&](const Expr& c) {
      if (!c.same_as(e) && c.as<ir::Var>()) walk(c);
    });
  };
  walk(root);
  for (int id : needed) {  // Let ids increase in program order, so dependencies come first
    if (emitted_deferred_.count(id)) continue;
    emitted_deferred_.insert(id);
    const Expr& v = deferred_.at(id);
    prepare(v);
    declare("v" + std::to_string(id), v.type());
    loop_nest(v.type().axes, [&] { line(element("v" + std::to_string(id), v.type().axes) + " = " + elem(v) + ";"); });
  }
}

void Emitter::emit(const ir::Stmt& s) {
  if (const auto* b = s.as<ir::Block>()) {
    for (const ir::Stmt& c : b->stmts) emit(c);
  } else if (const auto* l = s.as<ir::TileLoop>()) {
    emit_device_loop(*l);
  } else if (const auto* let = s.as<ir::Let>()) {
    const Expr& v = let->value;
    if (lets_.inlined.count(let->id)) {  // spliced into its uses (codegen_lets.h)
      inlined_[let->id] = v;
      return;
    }
    if (looped_rdim(v.type())) {
      deferred_[let->id] = v;  // evaluated chunk by chunk inside each consumer's loop
      return;
    }
    prepare(v);
    const std::string name = "v" + std::to_string(let->id);
    line("// " + (let->name.empty() ? name : let->name));
    if (v.type().is_scalar()) {
      line("const " + value_type(v.dtype()) + " " + name + " = " + elem(v) + ";");
    } else if (auto t = temps_.find(v.get()); t != temps_.end()) {
      aliases_[let->id] = t->second;  // a Reduce/Dot result: use its array, no copy
    } else {
      declare(name, v.type());
      loop_nest(v.type().axes, [&] { line(element(name, v.type().axes) + " = " + elem(v) + ";"); });
    }
  } else if (const auto* st = s.as<ir::Store>()) {
    std::vector<Axis> axes;
    for (const ir::Index& i : st->indices)
      if (auto a = i.axis(); a && a->kind != AxisKind::broadcast) axes.push_back(*a);
    const ir::TensorParam* t = k_.find_tensor(st->tensor);
    auto store = [&] {
      prepare(st->value);
      loop_nest(axes, [&] { line(address(st->tensor, st->indices) + " = " + stored(t->dtype, st->value) + ";"); });
    };
    line("// store " + st->tensor);
    if (auto rd = looped_rdim(ir::Type{st->value.dtype(), axes})) with_chunks(*rd, st->value, store);
    else store();
  } else if (const auto* d = s.as<ir::LocalDecl>()) {
    if (looped_rdim(d->init.type())) unsupported("local '" + d->name + "' along a looped reduction dimension");
    prepare(d->init);
    const std::string name = "l" + std::to_string(d->id);
    line("// local " + d->name);
    declare(name, d->init.type());
    loop_nest(d->init.type().axes, [&] { line(element(name, d->init.type().axes) + " = " + elem(d->init) + ";"); });
  } else if (const auto* a = s.as<ir::LocalAssign>()) {
    const std::string name = "l" + std::to_string(a->id);
    const auto* dot = a->value.as<ir::Dot>();
    const auto* acc = dot ? dot->acc.as<ir::LocalRead>() : nullptr;
    if (dot && acc && acc->id == a->id) {  // acc = dot(x, y, acc): accumulate in place
      materialize_dot(*dot, name, true);
      return;
    }
    prepare(a->value);
    const std::string tmp = "n" + std::to_string(counter_++);
    declare(tmp, a->type);
    loop_nest(a->type.axes, [&] { line(element(tmp, a->type.axes) + " = " + elem(a->value) + ";"); });
    loop_nest(a->type.axes, [&] { line(element(name, a->type.axes) + " = " + element(tmp, a->type.axes) + ";"); });
  }
}

void Emitter::set_tile(int tv, const std::string& tile_index) {
  const lower::TilePlan& t = p_.tiles[tv];
  const std::string pre = "t" + std::to_string(tv);
  line("const std::int64_t " + pre + "_base = " + tile_index + " * " + std::to_string(t.block) + ";");
  line("const std::int64_t " + pre + "_n = std::min<std::int64_t>(" + std::to_string(t.block) + ", " +
       pre + "_extent - " + pre + "_base);");
}

void Emitter::emit_device_loop(const ir::TileLoop& l) {
  const auto& plans = p_.device_loops;
  const auto loops = k_.loops();
  const auto it = std::find_if(plans.begin(), plans.end(), [&](const auto& d) { return loops[d.loop] == &l; });
  TS_INTERNAL_CHECK(it != plans.end()) << "CPU codegen: a device loop without a plan";
  open("");
  auto saved = temps_;
  for (int tv : l.tile_vars) {
    line("const std::int64_t t" + std::to_string(tv) + "_tiles = (t" + std::to_string(tv) + "_extent + " +
         std::to_string(p_.tiles[tv].block - 1) + ") / " + std::to_string(p_.tiles[tv].block) + ";");
  }
  if (it->unroll > 0) line("#pragma GCC unroll " + std::to_string(it->unroll));
  int opened = 0;
  if (it->flatten && l.tile_vars.size() > 1) {
    std::string total = "1";
    for (int tv : l.tile_vars) total += " * t" + std::to_string(tv) + "_tiles";
    open("for (std::int64_t flat = 0; flat < " + total + "; ++flat)");
    ++opened;
    line("std::int64_t rest = flat;");
    for (auto o = it->order.rbegin(); o != it->order.rend(); ++o) {  // last in order varies fastest
      const int tv = l.tile_vars[*o];
      line("const std::int64_t t" + std::to_string(tv) + "_idx = rest % t" + std::to_string(tv) + "_tiles;");
      line("rest /= t" + std::to_string(tv) + "_tiles;");
    }
  } else {
    for (int o : it->order) {
      const int tv = l.tile_vars[o];
      const std::string i = "t" + std::to_string(tv) + "_idx";
      open("for (std::int64_t " + i + " = 0; " + i + " < t" + std::to_string(tv) + "_tiles; ++" + i + ")");
      ++opened;
    }
  }
  for (int tv : l.tile_vars) set_tile(tv, "t" + std::to_string(tv) + "_idx");
  emit(l.body);
  for (int i = 0; i < opened; ++i) close();
  temps_ = saved;
  close();
}

void Emitter::emit_grid() {
  const ir::TileLoop& grid = *k_.loops()[0];
  const lower::GridPlan& g = p_.grid;
  std::vector<std::string> counts(grid.tile_vars.size());
  for (std::size_t i = 0; i < grid.tile_vars.size(); ++i) {
    const int tv = grid.tile_vars[i];
    counts[i] = "g" + std::to_string(i);
    line("const std::int64_t " + counts[i] + " = (t" + std::to_string(tv) + "_extent + " +
         std::to_string(p_.tiles[tv].block - 1) + ") / " + std::to_string(p_.tiles[tv].block) + ";");
  }
  auto tile_idx = [&](int pos) { return "t" + std::to_string(grid.tile_vars[pos]) + "_idx"; };
  // pid -> one index per grid dimension, order[0] fastest; Triton's grouped order with l2.
  auto decode = [&](const std::string& pid) {
    const std::vector<int>& o = g.order;
    std::size_t first_plain = 0;
    line("std::int64_t rest = " + pid + ";");
    if (g.l2_grouping > 1 && o.size() >= 2) {
      const std::string G = std::to_string(g.l2_grouping), c0 = counts[o[0]], c1 = counts[o[1]];
      line("const std::int64_t inner = rest % (" + c0 + " * " + c1 + ");");
      line("rest /= " + c0 + " * " + c1 + ";");
      line("const std::int64_t in_group = " + G + " * " + c1 + ";");
      line("const std::int64_t first = (inner / in_group) * " + G + ";");
      line("const std::int64_t group_size = std::min<std::int64_t>(" + c0 + " - first, " + G + ");");
      line("const std::int64_t " + tile_idx(o[0]) + " = first + (inner % in_group) % group_size;");
      line("const std::int64_t " + tile_idx(o[1]) + " = (inner % in_group) / group_size;");
      first_plain = 2;
    }
    for (std::size_t i = first_plain; i < o.size(); ++i) {
      line("const std::int64_t " + tile_idx(o[i]) + " = rest % " + counts[o[i]] + ";");
      line("rest /= " + counts[o[i]] + ";");
    }
  };
  const bool persistent = g.pid_type == PidType::kPersistentBlocked || g.pid_type == PidType::kPersistentInterleaved;
  int opened = 0;
  if (persistent) {
    std::string total = "1";
    for (const std::string& c : counts) total += " * " + c;
    line("const std::int64_t total_tiles = " + total + ";");
    if (g.pid_type == PidType::kPersistentBlocked) {
      line("const std::int64_t per_program = (total_tiles + num_programs - 1) / num_programs;");
      open("for (std::int64_t vt = pid_x * per_program; vt < std::min<std::int64_t>(total_tiles, (pid_x + 1) * per_program); ++vt)");
    } else {
      open("for (std::int64_t vt = pid_x; vt < total_tiles; vt += num_programs)");
    }
    ++opened;
    decode("vt");
  } else if (g.pid_type == PidType::kXyz && !g.flatten) {
    const char* pids[3] = {"pid_x", "pid_y", "pid_z"};
    for (std::size_t i = 0; i < g.order.size(); ++i) line("const std::int64_t " + tile_idx(g.order[i]) + " = " + pids[i] + ";");
  } else {
    open("");
    ++opened;
    decode("pid_x");
  }
  for (std::size_t i = 0; i < grid.tile_vars.size(); ++i) set_tile(grid.tile_vars[i], tile_idx(static_cast<int>(i)));
  emit(grid.body);
  for (int i = 0; i < opened; ++i) close();
}

std::string Emitter::run() {
  const std::string symbol = "ts_" + ident(k_.name);
  os_ << "// " << kCpuCodegenVersion << ": kernel " << k_.name << "\n";
  std::istringstream summary(p_.describe());
  for (std::string l; std::getline(summary, l);) os_ << "// " << l << "\n";
  os_ << "#define TS_CPU_GENERATED_SOURCE 1\n#include <algorithm>\n#include <cmath>\n#include <cstdint>\n"
         "#include <limits>\n#include <memory>\n\n"
      << embedded_float_formats_header() << "\n" << embedded_codegen_prelude() << "\n";
  open("extern \"C\" void " + symbol +
       "(void* const* args, std::int64_t pid_x, std::int64_t pid_y, std::int64_t pid_z)");
  line("(void)pid_x; (void)pid_y; (void)pid_z;");
  for (const auto& [name, value] : p_.spec.sizes) line("constexpr std::int64_t s_" + ident(name) + " = " + int_literal(value) + ";");
  for (const auto& [name, strides] : p_.spec.strides)
    for (std::size_t d = 0; d < strides.size(); ++d)
      line("constexpr std::int64_t st_" + ident(name) + "_" + std::to_string(d) + " = " + int_literal(strides[d]) + ";");
  for (std::size_t i = 0; i < p_.params.size(); ++i) {
    const lower::Param& prm = p_.params[i];
    const std::string arg = "args[" + std::to_string(i) + "]";
    switch (prm.kind) {
      case lower::ParamKind::kTensor: {
        const ir::TensorParam* t = k_.find_tensor(prm.name);
        const std::string c = t->role == ir::TensorRole::input ? "const " : "";
        line(c + storage_type(prm.dtype) + "* __restrict__ p_" + ident(prm.name) + " = static_cast<" + c +
             storage_type(prm.dtype) + "*>(*static_cast<void* const*>(" + arg + "));");
        break;
      }
      case lower::ParamKind::kScalar:
        line("const " + value_type(prm.dtype) + " a_" + ident(prm.name) + " = " +
             from_storage(prm.dtype, "*static_cast<const " + storage_type(prm.dtype) + "*>(" + arg + ")") + ";");
        break;
      case lower::ParamKind::kSize:
        line("const std::int64_t s_" + ident(prm.name) + " = *static_cast<const std::int64_t*>(" + arg + ");");
        break;
      case lower::ParamKind::kStride:
        line("const std::int64_t st_" + ident(prm.name) + "_" + std::to_string(prm.dim) +
             " = *static_cast<const std::int64_t*>(" + arg + ");");
        break;
      case lower::ParamKind::kNumPrograms:
        line("const std::int64_t num_programs = *static_cast<const std::int64_t*>(" + arg + ");");
        break;
    }
  }
  for (const ir::TileVar& tv : k_.tile_vars)
    line("const std::int64_t t" + std::to_string(tv.id) + "_extent = " + elem(tv.extent) + ";");
  for (const ir::RDim& r : k_.rdims) {
    const std::string pre = "r" + std::to_string(r.id);
    line("const std::int64_t " + pre + "_extent = " + elem(r.extent) + ";");
    if (p_.rdims[r.id].strategy == ReductionStrategy::kPersistent) {
      line("constexpr std::int64_t " + pre + "_base = 0;");
      line("const std::int64_t " + pre + "_n = " + pre + "_extent;");
    }
  }
  emit_grid();
  close();
  return os_.str();
}

class CpuCodegen final : public Codegen {
 public:
  Source emit(const lower::Program& program, const Caps&) const override { return emit_cpu_source(program); }
};

}  // namespace

Source emit_cpu_source(const lower::Program& program) {
  TS_INTERNAL_CHECK(program.kernel != nullptr) << "emit_cpu_source: program without kernel";
  Source s;
  s.kernel_name = "ts_" + ident(program.kernel->name);
  s.language = "c++";
  s.text = Emitter(program).run();
  return s;
}

std::unique_ptr<Codegen> make_cpu_codegen() { return std::make_unique<CpuCodegen>(); }

}  // namespace tessera::backend::cpu
