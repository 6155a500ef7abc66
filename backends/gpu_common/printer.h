// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The GPU C++ printer shared by the CUDA and HIP code generators (STYLE A2: one printer, vendor
/// facts in a `Dialect` table; the vendor's device header spells every device operation under
/// the same `ts::` names). It turns a `lower::Program` into one `extern "C" __global__` kernel.
///
/// How a program maps onto threads (DESIGN.md "layouts"): every tile axis (a tile variable or a
/// reduction dimension) gets one *distribution*, the same in every value of the kernel: each
/// thread holds `spt` contiguous elements along it (16 bytes of the narrowest tensor accessed
/// along it when it is a tensor's last dimension), `thr` threads share it, and the threads'
/// component along it is digit `(tid / stride) % thr` of the thread index. Axes that appear
/// together in a value get disjoint digits; axes that never meet share digits. So a value over
/// any subset of axes is the Triton *blocked* layout of its space or a *slice* of it: elementwise
/// operations and broadcasts are register-local, a reduction is per-thread partials, then
/// `ts::shfl_xor` butterflies over the reduced axis's lane digits, then one shared-memory round
/// over its warp digits; every thread ends with the reduced value (an all-reduce), so consuming
/// it along the reduced axis is free. Threads whose digits an axis set does not use hold
/// replicas; stores are issued by one replica only.
///
/// Register tiles are C++ arrays indexed only inside fully unrolled loops (constant indices,
/// so they stay in registers). Loads and stores along a contiguous last dimension move 16-byte
/// vectors (several per thread in flight, with the config's eviction hints), falling back to
/// masked scalar accesses only in the partial vector at a ragged edge. `dot` stages its operands
/// in shared memory and runs on tensor cores where the dialect has them (printer_mma.cpp).

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/lower/program.h"
#include "tessera/runtime/backend.h"

namespace tessera::backend::gpu {

/// The vendor facts the printer needs (filled by backends/cuda/codegen.cpp, hip/codegen.cpp).
struct Dialect {
  std::string language;      ///< "cuda" or "hip": `Source::language`
  std::string target;        ///< "sm_90a", "gfx90a"
  int warp_size = 32;        ///< lanes per warp / wavefront
  std::string device_header; ///< the embedded `ts::` helpers (no includes)
  bool async_copy = false;   ///< cp.async-style 16-byte global->shared copies (sm_80+)
  bool mma_16816 = false;    ///< m16n8k16 bf16/f16 tensor-core instructions with ldmatrix
  /// Hopper warpgroup MMA (wgmma.mma_async m64nNk16 from shared-memory descriptors, sm_90a):
  /// `dot` runs on it where the lowering chose the v3 mma layout (printer_wgmma.cpp).
  bool wgmma = false;
  /// TMA (cp.async.bulk.tensor with mbarriers, sm_90+): wgmma operands whose load the config's
  /// `indexing` marks tensor_descriptor are copied by it (printer_tma.cpp).
  bool tma = false;
  bool eviction_hints = false;  ///< L1 eviction-priority hints on loads
  int max_threads = 1024;       ///< threads per block
  std::int64_t max_static_smem = 48 * 1024;  ///< static shared memory per block, bytes
  /// Shared memory per block with the dynamic opt-in (static + dynamic), bytes; 0 = none: every
  /// buffer is static. Above max_static_smem the dot operands' buffers become dynamic (one
  /// `extern __shared__` array, Source::launch.dynamic_smem_bytes) and the runtime raises the
  /// function's limit (cuda/runtime.cpp).
  std::int64_t max_dynamic_smem = 0;
  std::string warp_name = "warp";  ///< "warp" / "wavefront" (explain, error messages)
  /// AMD CDNA matrix cores (wave64 v_mfma): `dot` runs on MFMA (printer_hip_mfma.cpp), 32x32
  /// or 16x16 per the config's matrix_instr_nonkdim; `mfma_bf16`: the bf16 "_1k" forms exist.
  bool mfma = false;
  bool mfma_bf16 = false;
  /// AMD RDNA3 matrix cores (wave32 v_wmma_f32_16x16x16_{f16,bf16}, gfx11): `dot` runs on WMMA
  /// through the same plan and emitter as MFMA (printer_hip_mfma.cpp).
  bool wmma = false;
  /// What the math mode `fast` compiles to in the device header (explain's math line): the
  /// division, exp and exp2 forms, e.g. "__fdividef, __expf, ex2.approx.f32".
  std::string fast_math;
  /// Extra attributes printed after `__launch_bounds__` (HIP: amdgpu_waves_per_eu(N)).
  std::string kernel_attributes;
};

/// A printed kernel and the launch facts the source implies.
struct KernelSource {
  Source source;
  int threads = 0;               ///< threads per block (32·num_warps on NVIDIA)
  std::int64_t smem_bytes = 0;   ///< static shared memory the kernel declares (dynamic: source.launch)
  /// How each config field was honoured or why it was ignored (`tessera configs explain`).
  std::vector<std::string> notes;
};

/// Prints `program` in `dialect`. Throws `UserError` naming the kernel, the config field and
/// the device target when the program cannot run there (too many threads, too much shared
/// memory, a register tile too large to keep in registers).
KernelSource print_kernel(const lower::Program& program, const Dialect& dialect);

/// The entry point's symbol for `kernel_name`: "ts_" + the name with non-identifier
/// characters replaced by '_'.
std::string kernel_symbol(const std::string& kernel_name);

/// One line per config field (Helion's vocabulary, in its order): what the printer does with
/// it for `program` on `dialect`, or why it is ignored. Used by `tessera configs explain`.
std::vector<std::string> explain_config(const lower::Program& program, const Dialect& dialect);

}  // namespace tessera::backend::gpu
