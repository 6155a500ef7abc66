// SPDX-License-Identifier: Apache-2.0
// The `tessera platform` commands (being written).
#include "command.h"

namespace tessera::tool {
void add_platform_commands(CommandTable&) {}
}  // namespace tessera::tool
