// SPDX-License-Identifier: Apache-2.0
// Run-time loading of the HIP runtime and hiprtc (../shared/DEPENDENCIES.md: a binary linked to
// libamdhip64 needs ROCm at load time; dlopen keeps one binary portable).
#include "hip/api.h"

#include <array>

#include "gpu_common/dynamic_library.h"
#include "tessera/error.h"

namespace tessera::backend::hip {

namespace {

// Newest ROCm first: the soname's number is ROCm's major version.
constexpr std::array<const char*, 5> kHipNames{"libamdhip64.so.7", "libamdhip64.so.6",
                                               "libamdhip64.so.5", "libamdhip64.so",
                                               "/opt/rocm/lib/libamdhip64.so"};

const gpu::DynamicLibrary& hip_library() {
  static const gpu::DynamicLibrary lib = gpu::DynamicLibrary::open_first(kHipNames);
  return lib;
}

template <class Table>
void resolve_all(const gpu::DynamicLibrary& lib, Loaded<Table>& out);

template <>
void resolve_all(const gpu::DynamicLibrary& lib, Loaded<HipApi>& out) {
#define TS_HIP_FN(ret, symbol_name, params)                                            \
  out.fn.symbol_name = reinterpret_cast<decltype(out.fn.symbol_name)>(                 \
      lib.symbol(#symbol_name));                                                       \
  if (out.fn.symbol_name == nullptr && out.error.empty()) {                            \
    out.error = cat(lib.name(), " has no symbol ", #symbol_name);                      \
  }
#include "hip/api.def"
#undef TS_HIP_FN
  out.fn.hipGetDeviceProperties =
      reinterpret_cast<GetDevicePropertiesFn>(lib.symbol("hipGetDeviceProperties"));
}

template <>
void resolve_all(const gpu::DynamicLibrary& lib, Loaded<HiprtcApi>& out) {
#define TS_HIPRTC_FN(ret, symbol_name, params)                                         \
  out.fn.symbol_name = reinterpret_cast<decltype(out.fn.symbol_name)>(                 \
      lib.symbol(#symbol_name));                                                       \
  if (out.fn.symbol_name == nullptr && out.error.empty()) {                            \
    out.error = cat(lib.name(), " has no symbol ", #symbol_name);                      \
  }
#include "hip/api.def"
#undef TS_HIPRTC_FN
}

template <>
void resolve_all(const gpu::DynamicLibrary& lib, Loaded<ComgrApi>& out) {
#define TS_COMGR_FN(ret, symbol_name, params)                                          \
  out.fn.symbol_name = reinterpret_cast<decltype(out.fn.symbol_name)>(                 \
      lib.symbol(#symbol_name));                                                       \
  if (out.fn.symbol_name == nullptr && out.error.empty()) {                            \
    out.error = cat(lib.name(), " has no symbol ", #symbol_name);                      \
  }
#include "hip/api.def"
#undef TS_COMGR_FN
}

Loaded<HipApi> load_hip() {
  Loaded<HipApi> out;
  const gpu::DynamicLibrary& lib = hip_library();
  if (!lib.loaded()) {
    out.error = lib.error();
    return out;
  }
  out.library = lib.name();
  resolve_all(lib, out);
  return out;
}

Loaded<HiprtcApi> load_hiprtc() {
  Loaded<HiprtcApi> out;
  static constexpr std::array<const char*, 4> kNames{"libhiprtc.so.7", "libhiprtc.so.6",
                                                     "libhiprtc.so", "/opt/rocm/lib/libhiprtc.so"};
  gpu::DynamicLibrary lib = gpu::DynamicLibrary::open_first(kNames);
  if (!lib.loaded()) {
    // ROCm 5.x ships hiprtc inside libamdhip64 (no separate library).
    if (!hip_library().loaded() || hip_library().symbol("hiprtcCreateProgram") == nullptr) {
      out.error = cat(lib.error(), "; and no hiprtc symbols in libamdhip64 (",
                      hip_library().loaded() ? hip_library().name() : hip_library().error(), ")");
      return out;
    }
    lib = hip_library();
  }
  out.library = lib.name();
  resolve_all(lib, out);
  return out;
}

Loaded<ComgrApi> load_comgr() {
  Loaded<ComgrApi> out;
  // The soname's number is comgr's major version (2 in ROCm 5.x, 3 from ROCm 6.?).
  static constexpr std::array<const char*, 4> kNames{"libamd_comgr.so.3", "libamd_comgr.so.2",
                                                     "libamd_comgr.so", "/opt/rocm/lib/libamd_comgr.so"};
  static const gpu::DynamicLibrary lib = gpu::DynamicLibrary::open_first(kNames);
  if (!lib.loaded()) {
    out.error = lib.error();
    return out;
  }
  out.library = lib.name();
  resolve_all(lib, out);
  return out;
}

}  // namespace

const Loaded<ComgrApi>& comgr() {
  static const Loaded<ComgrApi> loaded = load_comgr();
  return loaded;
}

const Loaded<HipApi>& hip_runtime() {
  static const Loaded<HipApi> loaded = load_hip();
  return loaded;
}

const Loaded<HiprtcApi>& hiprtc() {
  static const Loaded<HiprtcApi> loaded = load_hiprtc();
  return loaded;
}

std::string hip_error_name(long code) {
  if (hip_runtime().ok()) {
    if (const char* s = hip_runtime().fn.hipGetErrorName(static_cast<hipError_t>(code))) return s;
  }
  return cat("hipError_t ", code);
}

std::string hip_error_text(long code) {
  if (hip_runtime().ok()) {
    if (const char* s = hip_runtime().fn.hipGetErrorString(static_cast<hipError_t>(code))) return s;
  }
  return "unknown error";
}

std::string hip_version_string(int version) {
  return cat(version / 10000000, ".", (version / 100000) % 100);
}

}  // namespace tessera::backend::hip
