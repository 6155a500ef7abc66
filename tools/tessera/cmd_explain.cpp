// SPDX-License-Identifier: Apache-2.0
// `tessera configs explain KERNEL --target T [--config ...]`: how the code generator for T uses
// each config field, or why it ignores it (DESIGN.md "Config semantics per backend").
#include <iostream>

#include "args.h"
#include "cmd_compile.h"
#include "command.h"
#include "gpu_common/printer.h"
#include "tessera/error.h"

namespace tessera::tool {

void add_explain_command(CommandTable& table) {
  table.push_back({"configs explain", "KERNEL [--target sm_90a|gfx90a] [--config JSON|FILE] [--size NAME=N]...",
                   "say how each config field is used (or why ignored) for a kernel on a target",
                   [](const std::vector<std::string>& argv) {
                     Args args("configs explain", argv, kernel_options(), {});
                     const lower::Program p = program_from_args("configs explain", args);
                     const backend::gpu::Dialect dialect = gpu_dialect(p);  // cmd_compile.cpp
                     std::cout << "kernel " << p.kernel->name << " on " << p.target << "\n";
                     for (const std::string& line : backend::gpu::explain_config(p, dialect))
                       std::cout << "  " << line << "\n";
                     return kExitOk;
                   }});
}

}  // namespace tessera::tool
