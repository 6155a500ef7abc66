// SPDX-License-Identifier: Apache-2.0
#include "tessera/error.h"

namespace tessera::detail {

std::string internal_prefix(const char* file, int line, const char* cond) {
  return cat("Internal error (a Tessera bug; please report it) at ", file, ":", line,
             ": check failed: ", cond, ". ");
}

}  // namespace tessera::detail
