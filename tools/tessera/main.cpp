// SPDX-License-Identifier: Apache-2.0
// `tessera`: the command-line tool. Finds the command whose words match the longest prefix of
// argv, runs it, and maps errors to exit codes (command.h).
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "command.h"
#include "tessera/error.h"

namespace {

using tessera::tool::Command;
using tessera::tool::CommandTable;

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream is(s);
  std::vector<std::string> words;
  for (std::string w; is >> w;) words.push_back(w);
  return words;
}

void print_help(const CommandTable& table, std::ostream& os) {
  os << "usage: tessera COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command& c : table) {
    os << "  tessera " << c.path << (c.usage.empty() ? "" : " ") << c.usage << "\n      "
       << c.summary << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  CommandTable table;
  tessera::tool::add_demo_command(table);
  tessera::tool::add_platform_commands(table);
  tessera::tool::add_configs_commands(table);
  tessera::tool::add_codegen_commands(table);
  tessera::tool::add_ir_commands(table);
#if TS_ENABLE_CUDA || TS_ENABLE_HIP
  tessera::tool::add_compile_commands(table);
  tessera::tool::add_explain_command(table);
#endif
  tessera::tool::add_devices_commands(table);
  tessera::tool::add_run_command(table);
  tessera::tool::add_pick_command(table);
  tessera::tool::add_tune_command(table);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    print_help(table, args.empty() ? std::cerr : std::cout);
    return args.empty() ? tessera::tool::kExitBadInput : tessera::tool::kExitOk;
  }

  const Command* best = nullptr;
  std::size_t best_len = 0;
  for (const Command& c : table) {
    auto words = split_words(c.path);
    if (words.size() > args.size() || words.size() <= best_len) continue;
    if (std::equal(words.begin(), words.end(), args.begin())) {
      best = &c;
      best_len = words.size();
    }
  }
  if (!best) {
    std::cerr << "tessera: unknown command '" << args[0] << "'\n\n";
    print_help(table, std::cerr);
    return tessera::tool::kExitBadInput;
  }
  try {
    return best->run(std::vector<std::string>(args.begin() + best_len, args.end()));
  } catch (const tessera::UserError& e) {
    std::cerr << "tessera " << best->path << ": error: " << e.what() << "\n";
    return tessera::tool::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "tessera " << best->path << ": " << e.what() << "\n";
    return tessera::tool::kExitInternal;
  }
}
