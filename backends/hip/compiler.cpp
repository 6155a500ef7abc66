// SPDX-License-Identifier: Apache-2.0
// hiprtc through the JIT cache: options, comgr's ISA list before every compile, version
// identity, errors with the full log.
#include "hip/compiler.h"

#include <algorithm>
#include <memory>
#include <string_view>

#include "gpu_common/cached_compiler.h"
#include "hip/api.h"
#include "hip/codegen.h"
#include "hip/runtime.h"
#include "tessera/error.h"
#include "tessera/platform/target.h"

namespace tessera::backend::hip {

std::vector<std::string> hiprtc_options(const std::string& target) {
  return {"--gpu-architecture=" + target, "-std=c++17", "-O3", "-ffp-contract=off"};
}

const std::vector<std::string>& comgr_processors() {
  static const std::vector<std::string> list = [] {
    std::vector<std::string> out;
    const Loaded<ComgrApi>& c = comgr();
    if (!c.ok()) return out;
    std::size_t count = 0;
    if (c.fn.amd_comgr_get_isa_count(&count) != 0) return out;
    for (std::size_t i = 0; i < count; ++i) {
      const char* name = nullptr;
      if (c.fn.amd_comgr_get_isa_name(i, &name) != 0 || name == nullptr) continue;
      // "amdgcn-amd-amdhsa--gfx90a:sramecc+:xnack-" -> "gfx90a"
      std::string isa = name;
      if (const auto dash = isa.rfind("--"); dash != std::string::npos) isa = isa.substr(dash + 2);
      isa = isa.substr(0, isa.find(':'));
      if (std::find(out.begin(), out.end(), isa) == out.end()) out.push_back(isa);
    }
    return out;
  }();
  return list;
}

void check_target_supported(const std::string& target, const std::string& kernel_name) {
  const platform::Target t = platform::Target::parse(target);
  TS_USER_CHECK(t.vendor == platform::Vendor::kAmd)
      << "hiprtc compiles for AMD targets (gfx...), got '" << target << "' for kernel '" << kernel_name << "'";
  const Loaded<ComgrApi>& c = comgr();
  TS_USER_CHECK(c.ok()) << "compiling kernel '" << kernel_name << "' for " << target
                        << " needs the AMD code object manager (libamd_comgr), which is not available: "
                        << c.error << " (install ROCm's comgr, e.g. Debian's libamd-comgr2)";
  const std::vector<std::string>& known = comgr_processors();
  if (std::find(known.begin(), known.end(), t.arch) != known.end()) return;
  std::string list;
  for (const std::string& p : known) list += (list.empty() ? "" : " ") + p;
  user_error(cat("cannot compile kernel '", kernel_name, "' for ", target, ": the installed hiprtc (",
                 hiprtc_identity(), ", ", c.library, ") does not know ", t.arch,
                 " and would crash the process; it can compile for: ", list,
                 ". Install a ROCm release that supports ", t.arch, " (ROCm 6+ for gfx94x/gfx11xx)"));
}

std::string hiprtc_identity() {
  std::string id = hiprtc_version();
  if (!hiprtc().ok()) return id;
  // hiprtc 5.x reports only major.minor; the HIP runtime's full number (with the build) and
  // comgr's interface version pin the compiler exactly.
  int hip = 0;
  if (hip_runtime().ok() && hip_runtime().fn.hipRuntimeGetVersion(&hip) == kHipSuccess)
    id += cat(" (HIP ", hip / 10000000, ".", (hip / 100000) % 100, ".", hip % 100000);
  else
    id += " (HIP ?";
  if (comgr().ok()) {
    std::size_t major = 0, minor = 0;
    comgr().fn.amd_comgr_get_version(&major, &minor);
    id += cat(", comgr ", major, ".", minor);
  }
  return id + ")";
}

ResourceUsage parse_code_object_resources(const std::vector<std::byte>& code_object) {
  // The metadata note is a msgpack map; each field is a fixstr key (0xa0 | length, then the
  // name) followed by an unsigned integer: a positive fixint, or 0xcc/0xcd/0xce with 1/2/4
  // big-endian bytes. A code object from hiprtc holds one kernel, so the first match is it.
  const std::string_view bytes(reinterpret_cast<const char*>(code_object.data()), code_object.size());
  auto field = [&](std::string_view name) {
    std::string key(1, static_cast<char>(0xa0 | name.size()));
    key += name;
    const std::size_t at = bytes.find(key);
    if (at == std::string_view::npos || at + key.size() >= bytes.size()) return -1;
    std::size_t i = at + key.size();
    const auto byte = [&](std::size_t j) { return j < bytes.size() ? static_cast<unsigned char>(bytes[j]) : 0u; };
    const unsigned tag = byte(i);
    if (tag < 0x80) return static_cast<int>(tag);
    const int width = tag == 0xcc ? 1 : tag == 0xcd ? 2 : tag == 0xce ? 4 : 0;
    if (width == 0) return -1;
    long long v = 0;
    for (int b = 1; b <= width; ++b) v = v * 256 + byte(i + b);
    return static_cast<int>(v);
  };
  ResourceUsage u;
  u.registers = field(".vgpr_count");
  u.agprs = field(".agpr_count");
  u.sgprs = field(".sgpr_count");
  u.smem_bytes = field(".group_segment_fixed_size");
  u.stack_bytes = field(".private_segment_fixed_size");
  u.vgpr_spills = field(".vgpr_spill_count");
  u.sgpr_spills = field(".sgpr_spill_count");
  return u;
}

namespace {

std::string program_log(const HiprtcApi& f, hiprtcProgram prog) {
  std::size_t size = 0;
  std::string log;
  if (f.hiprtcGetProgramLogSize(prog, &size) == 0 && size > 1) {
    log.resize(size);
    f.hiprtcGetProgramLog(prog, log.data());
    log.resize(size - 1);  // drop the terminating NUL
  }
  return log;
}

}  // namespace

HiprtcResult hiprtc_compile(const Source& source, const CompileOptions& options, const std::string& source_path) {
  TS_INTERNAL_CHECK(source.language == "hip")
      << "hiprtc compiles HIP source, got '" << source.language << "' for kernel '" << source.kernel_name << "'";
  const Loaded<HiprtcApi>& rtc = hiprtc();
  TS_USER_CHECK(rtc.ok()) << "compiling kernel '" << source.kernel_name << "' for " << options.target
                          << " needs hiprtc, which is not available: " << rtc.error
                          << " (install ROCm's HIP runtime, e.g. Debian's libamdhip64-5)";
  check_target_supported(options.target, source.kernel_name);
  const HiprtcApi& f = rtc.fn;
  hiprtcProgram prog = nullptr;
  const int created = f.hiprtcCreateProgram(&prog, source.text.c_str(), (source.kernel_name + ".hip").c_str(), 0,
                                            nullptr, nullptr);
  TS_USER_CHECK(created == 0) << "hiprtcCreateProgram failed for kernel '" << source.kernel_name
                              << "': " << f.hiprtcGetErrorString(created);
  std::unique_ptr<hiprtcProgram, void (*)(hiprtcProgram*)> guard(
      &prog, [](hiprtcProgram* p) { hiprtc().fn.hiprtcDestroyProgram(p); });
  std::vector<std::string> opts = hiprtc_options(options.target);
  opts.insert(opts.end(), options.flags.begin(), options.flags.end());
  std::vector<const char*> argv;
  for (const std::string& o : opts) argv.push_back(o.c_str());
  const int compiled = f.hiprtcCompileProgram(prog, static_cast<int>(argv.size()), argv.data());
  HiprtcResult out;
  out.log = program_log(f, prog);
  if (compiled != 0) {
    std::string cmd;
    for (const std::string& o : opts) cmd += " " + o;
    TS_USER_CHECK(false) << "hiprtc failed to compile kernel '" << source.kernel_name << "' for " << options.target
                         << " (" << f.hiprtcGetErrorString(compiled) << ", " << hiprtc_identity() << ").\n  options:"
                         << cmd << "\n  source:  " << (source_path.empty() ? "(not dumped)" : source_path)
                         << "\n  hiprtc log:\n" << out.log;
  }
  std::size_t size = 0;
  TS_USER_CHECK(f.hiprtcGetCodeSize(prog, &size) == 0 && size > 0)
      << "hiprtc compiled kernel '" << source.kernel_name << "' but produced no code object for " << options.target;
  out.code_object.resize(size);
  TS_USER_CHECK(f.hiprtcGetCode(prog, reinterpret_cast<char*>(out.code_object.data())) == 0)
      << "hiprtcGetCode failed for kernel '" << source.kernel_name << "'";
  return out;
}

cache::CachedBinary compile_cached(const Source& source, const CompileOptions& options, cache::JitCache& cache) {
  return gpu::compile_through_cache(
      source, options, cache,
      {.backend = "hip",
       .codegen_version = kHipCodegenVersion,
       .compiler_identity = hiprtc_identity(),
       .options = hiprtc_options(options.target),
       .source_file_name = "kernel.hip",
       .binary_file_name = "kernel.hsaco"},
      [&](const std::string& source_path) { return hiprtc_compile(source, options, source_path).code_object; });
}

std::unique_ptr<Compiler> make_hip_compiler(cache::JitCache& cache) {
  return gpu::make_cached_compiler(cache, Binary::Format::kHsaco, &compile_cached, &hiprtc_identity);
}

}  // namespace tessera::backend::hip
