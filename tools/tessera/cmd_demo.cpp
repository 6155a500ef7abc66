// SPDX-License-Identifier: Apache-2.0
// `tessera demo` (being written).
#include "command.h"

namespace tessera::tool {
void add_demo_command(CommandTable&) {}
}  // namespace tessera::tool
