// SPDX-License-Identifier: Apache-2.0
// `tessera codegen KERNEL --target cpu|sm_*|gfx* [--config FILE_OR_JSON] [--size NAME=VALUE ...]`: prints
// the source the code generator emits for an example kernel and one config.
#include <filesystem>
#include <iostream>

#include "args.h"
#include "command.h"
#if TS_ENABLE_CUDA || TS_ENABLE_HIP
#include "cmd_compile.h"
#endif
#include "cpu/codegen.h"
#include "examples/examples.h"
#include "tessera/error.h"
#include "tessera/lower/program.h"
#include "tessera/support/atomic_file.h"
#include "tessera/support/python_json.h"

namespace tessera::tool {

void add_codegen_commands(CommandTable& table) {
  table.push_back(
      {"codegen", "KERNEL --target cpu|sm_*|gfx* [--config FILE_OR_JSON] [--size NAME=VALUE ...]",
       "print the generated source of an example kernel (sizes not given stay run-time values)",
       [](const std::vector<std::string>& argv) {
         Args args("codegen", argv, {"--target", "--config", "--size"}, {});
         args.expect_positional(1, 1, "KERNEL");
         const std::string target = args.value("--target").value_or("cpu");
#if TS_ENABLE_CUDA || TS_ENABLE_HIP
         if (target != "cpu") return print_gpu_codegen(args);  // cmd_compile.cpp
#endif
         TS_USER_CHECK(target == "cpu") << "tessera codegen: --target '" << target
                                        << "' has no code generator in this build; available: cpu";
         Config config;
         if (auto c = args.value("--config")) {
           const bool inline_json = !c->empty() && c->front() == '{';
           std::string text = inline_json ? *c : read_file_if_exists(*c).value_or("");
           TS_USER_CHECK(inline_json || std::filesystem::exists(*c))
               << "tessera codegen: --config '" << *c << "' is neither a JSON object nor an existing file";
           config = Config::from_json(json::parse(text, inline_json ? "--config argument" : *c),
                                      inline_json ? "--config" : *c);
         }
         lower::Specialization spec;
         for (const std::string& s : args.values("--size")) {
           const auto eq = s.find('=');
           TS_USER_CHECK(eq != std::string::npos && eq > 0)
               << "tessera codegen: --size '" << s << "' must be NAME=VALUE, e.g. --size m=4096";
           spec.sizes[s.substr(0, eq)] = std::stoll(s.substr(eq + 1));
         }
         const std::string& name = args.positional()[0];
         std::string names;
         for (const auto& e : examples::example_kernels()) {
           if (e.name != name) {
             names += (names.empty() ? "" : ", ") + e.name;
             continue;
           }
           auto kernel = std::make_shared<const ir::Kernel>(e.make());
           lower::Program program = lower::lower(kernel, config, spec, "host", 1);
           std::cout << backend::cpu::emit_cpu_source(program).text;
           return kExitOk;
         }
         user_error(cat("unknown kernel '", name, "'; the example kernels are: ", names));
       }});
}

}  // namespace tessera::tool
