// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The HIP backend's `Compiler` role: generated HIP C++ -> an AMD code object (hsaco) for the
/// exact target (`--gpu-architecture=gfx90a`), by hiprtc loaded at run time (hip/api.h), through
/// the JIT cache. The cache key holds the source (with its embedded device header), the code
/// generator's version, hiprtc's and comgr's versions, the target and every option, so a ROCm
/// upgrade or a different GPU never reuses a stale code object. Failures carry hiprtc's full
/// log, the kernel name and the path of the dumped source (STYLE A7).
///
/// ROCm 5.2's hiprtc crashes the whole process inside comgr when asked for a processor its
/// LLVM does not know (gfx940, gfx942, gfx1100; ../shared/DEPENDENCIES.md). So every compile
/// first checks the target's processor against comgr's own ISA list (`amd_comgr_get_isa_name`)
/// and fails with a `UserError` naming the processors this ROCm can compile for. A newer ROCm
/// brings newer processors with no change here.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tessera/cache/jit_cache.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::hip {

/// hiprtc options every kernel is compiled with for `target`, before `CompileOptions::flags`:
/// the explicit architecture (without it hiprtc may pick a default processor), C++17, `-O3`,
/// and `-ffp-contract=off` (ir.h: add and mul round separately; `dot` and reductions call
/// `fmaf` where the IR allows fusion). No fast-math flags: the printer picks each fast form
/// explicitly, within ir/ops.h's bounds.
std::vector<std::string> hiprtc_options(const std::string& target);

/// The processors (`gfx90a`, `gfx1030`, ...) the installed comgr can generate code for, in its
/// order, without duplicates; empty when comgr is not available (`comgr().error` says why).
const std::vector<std::string>& comgr_processors();

/// Throws `UserError` unless `target`'s processor is in `comgr_processors()`: the message names
/// the kernel, the target, the installed ROCm's processors and the fix (a newer ROCm).
void check_target_supported(const std::string& target, const std::string& kernel_name);

/// "hiprtc 5.2 (HIP 5.2.21153, comgr 2.4)": everything that changes the generated code object;
/// enters cache keys. "hiprtc unavailable (<why>)" when hiprtc cannot be loaded.
std::string hiprtc_identity();

/// Resource use of the kernel in a code object, from its metadata note (the msgpack map of
/// "amdhsa.kernels", code object v3+). -1 where a field is absent.
struct ResourceUsage {
  int registers = -1;     ///< VGPRs per lane (.vgpr_count)
  int agprs = -1;         ///< accumulation VGPRs (.agpr_count; MFMA results on gfx90a+)
  int sgprs = -1;         ///< scalar registers per wavefront (.sgpr_count)
  int smem_bytes = -1;    ///< static LDS per workgroup (.group_segment_fixed_size)
  int stack_bytes = -1;   ///< scratch per lane (.private_segment_fixed_size): spills, stack arrays
  int vgpr_spills = -1;   ///< VGPRs spilled to scratch (.vgpr_spill_count)
  int sgpr_spills = -1;   ///< SGPRs spilled (.sgpr_spill_count)
};

/// Reads the resource use of the (one) kernel in `code_object`.
ResourceUsage parse_code_object_resources(const std::vector<std::byte>& code_object);

/// The result of an uncached compile (for `tessera compile` and tests).
struct HiprtcResult {
  std::vector<std::byte> code_object;  ///< an ELF AMDGPU code object (hipModuleLoadData)
  std::string log;                     ///< hiprtc's log (warnings), may be empty
};

/// Compiles `source` with hiprtc now, without the cache. Throws `UserError` when hiprtc is
/// missing, the target is unknown to comgr, or the compile fails (with the full log, the kernel
/// name, the options and `source_path` if given).
HiprtcResult hiprtc_compile(const Source& source, const CompileOptions& options,
                            const std::string& source_path = "");

/// Compiles through the JIT cache (memory, then disk, then hiprtc).
cache::CachedBinary compile_cached(const Source& source, const CompileOptions& options,
                                   cache::JitCache& cache = cache::JitCache::global());

/// The HIP compiler role (`version()` = `hiprtc_identity()`).
std::unique_ptr<Compiler> make_hip_compiler(cache::JitCache& cache = cache::JitCache::global());

}  // namespace tessera::backend::hip
