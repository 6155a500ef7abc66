// SPDX-License-Identifier: Apache-2.0
// Size expressions: canonical polynomial forms for equality, and evaluation.
#include "tessera/ir/size_expr.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "tessera/error.h"

namespace tessera::ir {
namespace {

// A polynomial with integer coefficients over atoms (symbols or opaque quotients). The key is
// the sorted list of atoms of a monomial (repeats = powers); the empty key is the constant.
using Monomial = std::vector<std::string>;
using Poly = std::map<Monomial, std::int64_t>;

void add_term(Poly& p, const Monomial& m, std::int64_t c) {
  if (c == 0) return;
  auto& v = p[m];
  v += c;
  if (v == 0) p.erase(m);
}

std::string poly_text(const Poly& p) {
  if (p.empty()) return "0";
  std::ostringstream os;
  bool first = true;
  for (const auto& [m, c] : p) {
    std::int64_t mag = c < 0 ? -c : c;
    if (first) {
      if (c < 0) os << "-";
    } else {
      os << (c < 0 ? " - " : " + ");
    }
    first = false;
    if (m.empty()) {
      os << mag;
      continue;
    }
    if (mag != 1) os << mag << "*";
    for (std::size_t i = 0; i < m.size(); ++i) os << (i ? "*" : "") << m[i];
  }
  return os.str();
}

Poly constant(std::int64_t v) {
  Poly p;
  add_term(p, {}, v);
  return p;
}

Poly to_poly(const Expr& e) {
  TS_USER_CHECK(e.defined()) << "size expression: undefined";
  if (const auto* i = e.as<IntImm>()) return constant(i->value);
  if (const auto* s = e.as<SizeVar>()) {
    Poly p;
    add_term(p, {s->name}, 1);
    return p;
  }
  const auto* b = e.as<Binary>();
  TS_USER_CHECK(b != nullptr && e.dtype() == DType::i64 && e.type().is_scalar())
      << "not a size expression (integer constants, size symbols, + - * /): a "
      << node_kind_name(e.kind()) << " of type " << to_string(e.type());
  Poly a = to_poly(b->a), c = to_poly(b->b), out;
  switch (b->op) {
    case BinaryOp::add:
      out = a;
      for (const auto& [m, k] : c) add_term(out, m, k);
      return out;
    case BinaryOp::sub:
      out = a;
      for (const auto& [m, k] : c) add_term(out, m, -k);
      return out;
    case BinaryOp::mul:
      for (const auto& [ma, ka] : a)
        for (const auto& [mc, kc] : c) {
          Monomial m = ma;
          m.insert(m.end(), mc.begin(), mc.end());
          std::sort(m.begin(), m.end());
          add_term(out, m, ka * kc);
        }
      return out;
    case BinaryOp::div: {
      // Exact division by a constant divides every coefficient; anything else is an atom.
      if (c.size() == 1 && c.begin()->first.empty() && c.begin()->second > 0) {
        const std::int64_t d = c.begin()->second;
        bool exact = true;
        for (const auto& [m, k] : a) exact &= (k % d == 0);
        if (a.empty()) return a;
        if (exact) {
          for (const auto& [m, k] : a) add_term(out, m, k / d);
          return out;
        }
      }
      const std::string an = poly_text(a), cn = poly_text(c);
      const bool simple_a = a.size() == 1 && a.begin()->second == 1;
      const bool simple_c = c.size() == 1 && (c.begin()->first.empty() || c.begin()->second == 1);
      add_term(out, {(simple_a ? an : "(" + an + ")") + "/" + (simple_c ? cn : "(" + cn + ")")}, 1);
      return out;
    }
    default:
      TS_USER_CHECK(false) << "not a size expression: operator " << op_name(b->op)
                           << " (sizes use + - * / only)";
  }
  return out;
}

}  // namespace

bool is_size_expr(const Expr& e) {
  try {
    to_poly(e);
    return true;
  } catch (const UserError&) {
    return false;
  }
}

std::string canonical_size(const Expr& e) { return poly_text(to_poly(e)); }

bool size_equal(const Expr& a, const Expr& b) { return to_poly(a) == to_poly(b); }

std::optional<std::int64_t> size_constant(const Expr& e) {
  Poly p = to_poly(e);
  if (p.empty()) return 0;
  if (p.size() == 1 && p.begin()->first.empty()) return p.begin()->second;
  return std::nullopt;
}

std::int64_t eval_size(const Expr& e, const SizeBindings& bindings) {
  if (const auto* i = e.as<IntImm>()) return i->value;
  if (const auto* s = e.as<SizeVar>()) {
    auto it = bindings.find(s->name);
    TS_USER_CHECK(it != bindings.end()) << "size symbol '" << s->name << "' has no value";
    return it->second;
  }
  const auto* b = e.as<Binary>();
  TS_USER_CHECK(b != nullptr) << "not a size expression: " << node_kind_name(e.kind());
  const std::int64_t x = eval_size(b->a, bindings), y = eval_size(b->b, bindings);
  switch (b->op) {
    case BinaryOp::add: return x + y;
    case BinaryOp::sub: return x - y;
    case BinaryOp::mul: return x * y;
    case BinaryOp::div:
      TS_USER_CHECK(y != 0) << "size expression " << canonical_size(e) << ": division by zero";
      return x / y;  // truncation, as i64 division (ir.h); sizes are >= 0
    default: TS_USER_CHECK(false) << "not a size expression: operator " << op_name(b->op);
  }
  return 0;
}

}  // namespace tessera::ir
