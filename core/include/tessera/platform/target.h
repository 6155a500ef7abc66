// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `Target`: the code-generation target, i.e. which instructions the code generator may emit
/// (`sm_90a`, `gfx942`, `x86_64-avx512`). It is distinct from the *platform* id
/// (`nvidia_h100`, see canonicalize.h), which only picks a config file: two platforms may share
/// a target (H100 and H200 are both `sm_90a`), and a platform's files never change the code a
/// target allows. A target string parses and prints back identically ([Halide] `Target`).
///
/// Accepted forms (one table per vendor in target.cpp, each citing its source):
/// * NVIDIA: `sm_<CC>[a|f]` where CC is a compute capability the CUDA toolkit knows
///   (`sm_70` ... `sm_121`); `a` = arch-specific features (wgmma, setmaxnreg, tcgen05; sm_90+),
///   `f` = family-specific features (CUDA 12.9+, sm_100+).
/// * AMD: `gfx<processor>[:<feature>(+|-)]...`, an LLVM AMDGPU target ID such as `gfx90a`,
///   `gfx942:sramecc+:xnack-`, `gfx1100`; features are `sramecc` and `xnack`.
/// * CPU: `<arch>-<level>[+<feature>]...`: `x86_64-{sse2,sse4,avx2,avx512}`,
///   `aarch64-{neon,sve,sve2}`; the one optional feature is `+bf16`.

#include <string>
#include <string_view>
#include <vector>

namespace tessera::platform {

/// Who makes the instruction set. Spelled `nvidia`, `amd`, `cpu` in text (`vendor_name`).
enum class Vendor { kNvidia, kAmd, kCpu };

/// `"nvidia"`, `"amd"` or `"cpu"`.
std::string_view vendor_name(Vendor vendor);

/// A parsed code-generation target. Facts derived from the arch tables (family, warp size) are
/// data members filled by `parse`, not methods ([tinygrad] Renderer attributes; STYLE B3):
/// code asks `t.major >= 9 && t.suffix == "a"`, not `t.is_sm90a_or_later()`.
struct Target {
  Vendor vendor = Vendor::kCpu;
  /// The processor without suffix or features: `sm_90`, `gfx90a`, `x86_64`, `aarch64`.
  std::string arch;
  /// NVIDIA: compute capability major.minor (9, 0 for `sm_90a`; 12, 1 for `sm_121`).
  /// AMD: the gfx version major.minor.stepping as LLVM reads the processor name: the last two
  /// characters are minor and stepping in hex (`gfx90a` = 9.0.10, `gfx1100` = 11.0.0).
  /// CPU: all zero.
  int major = 0;
  int minor = 0;
  int stepping = 0;
  /// NVIDIA: `""`, `"a"` or `"f"`. CPU: the ISA level (`"avx512"`, `"neon"`). AMD: `""`.
  std::string suffix;
  /// Extra features in the order written: AMD `"sramecc+"`, `"xnack-"`; CPU `"bf16"`.
  std::vector<std::string> features;
  /// Architecture family from the arch table: `volta turing ampere ada hopper blackwell
  /// blackwell_rtx` (NVIDIA), `gcn5 cdna1 cdna2 cdna3 cdna4 rdna1 rdna2 rdna3 rdna3_5 rdna4`
  /// (AMD), `x86_64` / `aarch64` (CPU).
  std::string family;
  /// Threads per warp / wavefront the generated code assumes: 32 on NVIDIA; 64 on AMD gfx9
  /// (GCN, CDNA); 32 on AMD gfx10+ (RDNA, which defaults to wave32); 1 on CPU (no SIMT lanes).
  int warp_size = 0;

  /// Parses one of the forms in the file comment. Throws `UserError` echoing `text` and listing
  /// the valid forms (and the known processors when the processor is unknown).
  static Target parse(std::string_view text);

  /// The target to generate code for on an NVIDIA device of compute capability
  /// `major`.`minor`: `sm_<major><minor>`, with the `a` suffix from sm_90 on, because code is
  /// compiled at run time for the exact device, so arch-specific instructions (wgmma,
  /// tcgen05) are always usable. Throws `UserError` for a capability not in the table.
  static Target for_compute_capability(int major, int minor);

  /// The canonical text; `Target::parse(s).str() == s` for every accepted `s`.
  std::string str() const;

  friend bool operator==(const Target& a, const Target& b) { return a.str() == b.str(); }
};

/// The base form of every entry in the arch tables, in table order: NVIDIA and AMD processors
/// without suffix or features (`sm_70` ..., `gfx900` ...), CPU arch-level pairs
/// (`x86_64-sse2` ...). Error messages list these; tests iterate over them.
std::vector<std::string> known_target_archs();

}  // namespace tessera::platform
