// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// What the two C-like code generators (backends/cpu: host C++; backends/gpu_common: CUDA and
/// HIP C++) spell alike: the operators C writes infix. Everything that depends on types or on
/// the target (casts, math functions, narrow formats, NaN-propagating maximum/minimum, fast
/// division) each spells itself.

#include <string>

#include "tessera/ir/ops.h"

namespace tessera::backend {

/// C's infix operator for `op` ("+", "<", ...), or nullptr for the ops spelled as calls.
inline const char* c_infix(ir::BinaryOp op) {
  switch (op) {
    case ir::BinaryOp::add: return "+";
    case ir::BinaryOp::sub: return "-";
    case ir::BinaryOp::mul: return "*";
    case ir::BinaryOp::div: return "/";
    case ir::BinaryOp::eq: return "==";
    case ir::BinaryOp::ne: return "!=";
    case ir::BinaryOp::lt: return "<";
    case ir::BinaryOp::le: return "<=";
    case ir::BinaryOp::gt: return ">";
    case ir::BinaryOp::ge: return ">=";
    case ir::BinaryOp::maximum: case ir::BinaryOp::minimum: case ir::BinaryOp::pow: return nullptr;
  }
  return nullptr;
}

/// `(a op b)` for an op with a C infix operator (`c_infix(op)` not null).
inline std::string infix(ir::BinaryOp op, const std::string& a, const std::string& b) {
  return "(" + a + " " + c_infix(op) + " " + b + ")";
}

}  // namespace tessera::backend
