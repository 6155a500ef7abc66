// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The roles every backend (cpu, cuda, hip) plays, split as in [Halide], [Triton] and
/// [tinygrad] (STYLE A2):
///
/// * `Codegen`: lowered program -> source text (CUDA C++, HIP C++, host C++);
/// * `Compiler`: source -> binary (NVRTC, hiprtc, the host compiler), with a `version()` that
///   enters JIT cache keys (STYLE A10);
/// * `Runtime`: enumerate devices, open one (`DeviceImpl`: memory, copies, streams, events,
///   module load and launch; see device_impl.h);
/// * `Caps`: device facts as plain data (device_info.h).
///
/// Headers expose the interfaces and factories; classes live in the backends' .cpp files.
/// A backend is registered by one explicit call (`register_cuda_backend(Registry&)`) made from
/// `tessera::init()`: no static initialisers (STYLE B9).
///
/// Launch geometry travels with the generated source (`Source::launch`): only the code
/// generator knows how many threads the printed program spreads a tile over and how much
/// dynamic shared memory it expects, so it says so next to the text, and every launcher
/// (lang::CompiledKernel, hence the op registry) reads it from there instead of recomputing
/// it per vendor. The grid is not part of it: it depends on each call's sizes and comes from
/// the lowered program (`lower::Program::launch_grid`), the same for every backend.
///
/// A backend without a code generator yet registers `codegen`/`compiler` as null, and
/// compiling for its devices says so.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/runtime/device_info.h"

namespace tessera::lower {
struct Program;  // the launchable program description (DESIGN.md "lower/")
}  // namespace tessera::lower

namespace tessera::backend {

class DeviceImpl;

/// How a generated kernel must be launched, apart from its grid: what the code generator
/// assumed when it printed the source. A launch with other values is wrong (threads would go
/// missing or index past their tiles), so launchers copy these verbatim.
struct LaunchShape {
  /// Threads per block, x/y/z: 32·num_warps (NVIDIA) or 64·num_warps (AMD) along x; 1x1x1 on
  /// the CPU, whose programs vectorize inside one call (device_impl.h, CPU launch ABI).
  std::uint32_t block[3] = {1, 1, 1};
  /// Dynamic shared memory per block, bytes (static `__shared__` arrays are not counted: the
  /// loader knows them from the binary). 0 on the CPU.
  std::uint32_t dynamic_smem_bytes = 0;
};

/// A TMA tensor map (NVIDIA sm_90+) the kernel takes by value after the program's parameters
/// (`lower::Program::params`), one per tensor the code generator copies with
/// cp.async.bulk.tensor. It describes a 2-D tensor whose last dimension is contiguous: the launcher
/// encodes it per call from the tensor's data pointer, shape and row stride
/// (`DeviceImpl::encode_tensor_map`), since the map holds the address. Elements outside the
/// tensor read as zero (the dot's ragged edges).
struct TensorMapParam {
  std::string tensor;           ///< the kernel's tensor parameter it describes
  int element_bytes = 2;        ///< 1, 2, 4 or 8
  std::uint32_t box_cols = 64;  ///< box extent along the contiguous dimension, elements
  std::uint32_t box_rows = 8;   ///< box extent along the rows
  /// Shared-memory swizzle of the box's rows: 0 (none), 32, 64 or 128 bytes (box_cols ·
  /// element_bytes must not exceed it); the same XOR pattern as a wgmma descriptor's mode.
  int swizzle_bytes = 128;
};

/// The 128-byte opaque tensor map (cuda.h `CUtensorMap`: 128-byte aligned since CUDA 13; the driver needs 64).
struct alignas(128) TensorMapBlob {
  std::uint64_t words[16];
};

/// Generated source for one kernel.
struct Source {
  std::string kernel_name;  ///< the entry point's symbol
  std::string language;     ///< "cuda", "hip" or "c++"
  std::string text;         ///< RTC-clean source (STYLE A10, B11)
  LaunchShape launch;       ///< block and dynamic shared memory the text was written for
  /// Tensor-map parameters, in the order the signature takes them after the program's
  /// parameters (empty for kernels without TMA copies).
  std::vector<TensorMapParam> tensor_maps;
};

/// How to compile a `Source`.
struct CompileOptions {
  std::string target;              ///< `Caps::target`, e.g. "sm_90a"
  std::vector<std::string> flags;  ///< extra compiler flags, in order; enter the cache key
};

/// A compiled kernel image as the device's loader takes it.
struct Binary {
  enum class Format : std::uint8_t {
    kCubin,         ///< NVIDIA ELF (cuModuleLoadData)
    kPtx,           ///< NVIDIA PTX text, JIT-compiled by the driver at load
    kHsaco,         ///< AMD code object (hipModuleLoadData)
    kSharedObject,  ///< host ELF shared object (the CPU backend dlopens it)
  };
  Format format = Format::kCubin;
  std::string kernel_name;       ///< entry point to look up after loading
  std::vector<std::byte> image;  ///< the bytes
  std::string log;               ///< the compiler's log (warnings), may be empty
};

/// IR -> text. Implementations are stateless and thread safe.
class Codegen {
 public:
  virtual ~Codegen() = default;
  /// Emits the source of `program` for a device with `caps`, with the launch shape it was
  /// written for (`Source::launch`). Throws `UserError` when the program needs something the
  /// device lacks, naming the feature and the device's target.
  virtual Source emit(const lower::Program& program, const Caps& caps) const = 0;
};

/// Source -> binary. Implementations are thread safe (NVRTC and hiprtc are).
class Compiler {
 public:
  virtual ~Compiler() = default;
  /// Compiles `source`. On failure throws with the full compiler log, the kernel name and the
  /// path of the dumped source (STYLE A7).
  virtual Binary compile(const Source& source, const CompileOptions& options) const = 0;
  /// Identifies the compiler exactly ("nvrtc 13.0", "g++ 12.2.0"): part of every cache key.
  virtual std::string version() const = 0;
};

/// Device discovery for one backend. Implementations are thread safe.
class Runtime {
 public:
  virtual ~Runtime() = default;
  /// Which backend this is.
  virtual runtime::DeviceKind kind() const = 0;
  /// Whether the vendor libraries loaded and a device answered, and if not why. Never throws:
  /// a machine without the vendor's driver is normal.
  virtual runtime::BackendStatus status() const = 0;
  /// Facts about every device of this backend, in ordinal order; empty when unavailable.
  /// Never throws for a missing driver or device.
  virtual std::vector<runtime::DeviceInfo> enumerate() const = 0;
  /// Opens device `ordinal` (creating its context). Throws `UserError` for an ordinal out of
  /// range, listing the devices that exist, or when the backend is unavailable, with the
  /// reason. The registry calls this once per device and shares the result.
  virtual std::shared_ptr<DeviceImpl> open(int ordinal) = 0;
};

/// One registered backend: its roles. `codegen`/`compiler` may be null until implemented.
struct Backend {
  runtime::DeviceKind kind = runtime::DeviceKind::cpu;
  std::unique_ptr<Runtime> runtime;
  std::unique_ptr<Codegen> codegen;
  std::unique_ptr<Compiler> compiler;
};

}  // namespace tessera::backend
