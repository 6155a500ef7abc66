// SPDX-License-Identifier: Apache-2.0
#include "tessera/ir/node.h"

namespace tessera::ir {

std::string_view node_kind_name(NodeKind k) {
  switch (k) {
#define TS_IMPL_CASE(n) case NodeKind::n: return #n;
    TS_FOR_EACH_IR_NODE(TS_IMPL_CASE)
#undef TS_IMPL_CASE
  }
  return "?";
}

bool is_expr_kind(NodeKind k) {
  switch (k) {
#define TS_IMPL_CASE(n) case NodeKind::n: return true;
    TS_FOR_EACH_IR_EXPR(TS_IMPL_CASE)
#undef TS_IMPL_CASE
    default: return false;
  }
}

}  // namespace tessera::ir
