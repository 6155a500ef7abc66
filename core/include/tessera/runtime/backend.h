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
/// Codegen and Compiler are declared here so the runtime, the JIT cache and the tool agree on
/// their shape; the code generators fill them in. Until then a backend registers them as
/// null and `Backend::codegen`/`compiler` say so.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "tessera/runtime/device_info.h"

namespace tessera::lower {
struct Program;  // the launchable program description (DESIGN.md "lower/")
}  // namespace tessera::lower

namespace tessera::backend {

class DeviceImpl;

/// Generated source for one kernel.
struct Source {
  std::string kernel_name;  ///< the entry point's symbol
  std::string language;     ///< "cuda", "hip" or "c++"
  std::string text;         ///< RTC-clean source (STYLE A10, B11)
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
  /// Emits the source of `program` for a device with `caps`. Throws `UserError` when the
  /// program needs something the device lacks, naming the feature and the device's target.
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
