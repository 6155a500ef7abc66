// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Shared by cmd_compile.cpp and cmd_explain.cpp: lowering an example kernel from the command
/// line (`KERNEL --target T --config JSON|FILE --size NAME=N`).

#include <set>
#include <string>

#include "args.h"
#include "gpu_common/printer.h"
#include "tessera/lower/program.h"

namespace tessera::tool {

/// The valued options `program_from_args` reads.
const std::set<std::string>& kernel_options();

/// Lowers the example kernel named by the one positional argument for `--target` (default
/// sm_90a) with `--config` (a JSON object or a file holding one; default: empty config). Every
/// size is a compile-time constant (4096 unless `--size NAME=N`) and tensors are contiguous.
lower::Program program_from_args(const std::string& command, const Args& args);

/// `tessera codegen KERNEL --target sm_*|gfx*`: prints the CUDA or HIP source (sizes 4096
/// unless --size).
int print_gpu_codegen(const Args& args);

/// The GPU target forms this build has code generators for ("NVIDIA sm_*, AMD gfx*").
std::string gpu_targets();

/// The printer dialect of the program's target (CUDA or HIP, with the config's AMD fields).
/// Throws `UserError` for a target this build has no GPU code generator for.
backend::gpu::Dialect gpu_dialect(const lower::Program& p);

}  // namespace tessera::tool
