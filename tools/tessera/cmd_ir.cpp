// SPDX-License-Identifier: Apache-2.0
// `tessera ir KERNEL`: prints the verified IR of an example kernel.
#include <iostream>

#include "args.h"
#include "command.h"
#include "examples/examples.h"
#include "tessera/error.h"
#include "tessera/ir/printer.h"

namespace tessera::tool {

void add_ir_commands(CommandTable& table) {
  table.push_back({"ir", "KERNEL", "print the tile IR of an example kernel (no KERNEL: list them)",
                   [](const std::vector<std::string>& argv) {
                     Args args("ir", argv, {}, {});
                     args.expect_positional(0, 1, "KERNEL");
                     const auto& all = examples::example_kernels();
                     if (args.positional().empty()) {
                       for (const auto& e : all) std::cout << e.name << "\n";
                       return kExitOk;
                     }
                     const std::string& name = args.positional()[0];
                     std::string names;
                     for (const auto& e : all) {
                       if (e.name == name) {
                         ir::print(std::cout, e.make());
                         return kExitOk;
                       }
                       names += (names.empty() ? "" : ", ") + e.name;
                     }
                     user_error(cat("unknown kernel '", name, "'; the example kernels are: ", names));
                   }});
}

}  // namespace tessera::tool
