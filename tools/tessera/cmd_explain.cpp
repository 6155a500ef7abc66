// SPDX-License-Identifier: Apache-2.0
// `tessera configs explain KERNEL --target T [--config ...]`: how the code generator for T uses
// each config field, or why it ignores it (DESIGN.md "Config semantics per backend").
#include <iostream>

#include "args.h"
#include "cmd_compile.h"
#include "command.h"
#include "cuda/codegen.h"
#include "tessera/error.h"

namespace tessera::tool {

void add_explain_command(CommandTable& table) {
  table.push_back({"configs explain", "KERNEL [--target sm_90a] [--config JSON|FILE] [--size NAME=N]...",
                   "say how each config field is used (or why ignored) for a kernel on a target",
                   [](const std::vector<std::string>& argv) {
                     Args args("configs explain", argv, kernel_options(), {});
                     const lower::Program p = program_from_args("configs explain", args);
                     TS_USER_CHECK(p.target.rfind("sm_", 0) == 0)
                         << "configs explain: target '" << p.target
                         << "' has no GPU code generator in this build (NVIDIA sm_* targets)";
                     std::cout << "kernel " << p.kernel->name << " on " << p.target << "\n";
                     for (const std::string& line : backend::gpu::explain_config(p, backend::cuda::cuda_dialect(p.target)))
                       std::cout << "  " << line << "\n";
                     return kExitOk;
                   }});
}

}  // namespace tessera::tool
