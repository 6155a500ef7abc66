// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Runs a shell command for the codegen tests that drive external tools (hipcc, clang++,
/// llvm-objdump) on generated source.

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace tessera::test {

/// Runs `command` through the shell with stderr folded into stdout. Returns the output; sets
/// `*status` to the exit code (-1 when the command could not start or did not exit normally).
inline std::string run_command(const std::string& command, int* status) {
  std::string out;
  *status = -1;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int st = pclose(pipe);
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

}  // namespace tessera::test
