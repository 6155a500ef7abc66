// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The command table of the `tessera` tool. Each command group lives in its own file
/// (`cmd_<group>.cpp`) and registers its commands through one `add_<group>_commands` call made
/// from main.cpp (explicit registration, no static initialisers).
///
/// Exit codes: 0 success; 1 a check found problems (e.g. `configs fmt --check`);
/// 2 bad input (a `UserError`: message on stderr); 3 internal error.

#include <functional>
#include <string>
#include <vector>

namespace tessera::tool {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInternal = 3;

struct Command {
  std::string path;     ///< words that select it, e.g. "configs list"
  std::string usage;    ///< argument synopsis, e.g. "[--config-dir D]"
  std::string summary;  ///< one line for `tessera help`
  /// Runs with the arguments after the command words; returns the exit code. Throws
  /// `UserError` for bad input (main turns it into exit code 2).
  std::function<int(const std::vector<std::string>& args)> run;
};

using CommandTable = std::vector<Command>;

void add_platform_commands(CommandTable& table);
void add_configs_commands(CommandTable& table);
void add_demo_command(CommandTable& table);
void add_codegen_commands(CommandTable& table);
void add_ir_commands(CommandTable& table);
void add_compile_commands(CommandTable& table);
void add_explain_command(CommandTable& table);
void add_devices_commands(CommandTable& table);
void add_run_command(CommandTable& table);
void add_pick_command(CommandTable& table);
void add_tune_command(CommandTable& table);

}  // namespace tessera::tool
