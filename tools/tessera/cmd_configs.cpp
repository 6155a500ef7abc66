// SPDX-License-Identifier: Apache-2.0
// The `tessera configs` commands (being written).
#include "command.h"

namespace tessera::tool {
void add_configs_commands(CommandTable&) {}
}  // namespace tessera::tool
