// SPDX-License-Identifier: Apache-2.0
// The generated HIP source compiled offline by hipcc (clang 15 on Debian 12) for targets the
// installed hiprtc cannot compile for (ROCm 5.2's hiprtc aborts on gfx940/gfx1100; comgr's ISA
// list refuses them first, hip_codegen_test): every example x config for gfx940 (CDNA3) without
// spills, MFMA instructions in the gfx940 matmul code object, and WMMA instructions in the
// gfx1100 (RDNA3) matmul code object (llvm-objdump). Nothing runs on AMD hardware. Skips with
// the reason when hipcc or llvm-objdump is absent (Debian: apt-get install hipcc).
//
// The source is what hiprtc gets, plus `#include <hip/hip_runtime.h>` (hiprtc's implicit
// prelude: threadIdx, __syncthreads, the math functions).
//
// gfx1100 under Debian's rocm-device-libs 5.2: clang 15 knows the processor but the package has
// no oclc_isa_version_1100.bc (the library that holds one constant, __oclc_ISA_version = 11000),
// so clang refuses to link the device libraries. The test then links a copy of Debian's library
// directory in which that file is made from Debian's own oclc_isa_version_1030.bc with the
// constant changed (llvm-dis-15 | sed | llvm-as-15). A ROCm with gfx11 device libraries needs
// none of this. LLVM 15's gfx11 backend is early (e.g. its DAG selection of a v8f32 assembled
// from two global loads is wrong and fails instruction verification); the printer's WMMA
// operands and accumulators are register-built, which it compiles.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include <unistd.h>

#include "codegen/cuda_example_cases.h"
#include "codegen/run_command.h"
#include "hip/codegen.h"
#include "hip/compiler.h"
#include "tessera/platform/target.h"

namespace tessera::backend::hip {
namespace {

namespace fs = std::filesystem;
using test::CudaCase;

std::string run(const std::string& command, int* status) { return test::run_command(command, status); }

bool runs(const std::string& tool) {
  int status = 0;
  run(tool + " --version > /dev/null", &status);
  return status == 0;
}

/// hipcc, or "" (ROCm's own first, then the PATH).
const std::string& hipcc() {
  static const std::string tool = [] {
    for (const char* t : {"/opt/rocm/bin/hipcc", "hipcc"})
      if (runs(t)) return std::string(t);
    return std::string();
  }();
  return tool;
}

/// An llvm-objdump that knows gfx940 and gfx1100 (LLVM 15+), or "".
const std::string& objdump() {
  static const std::string tool = [] {
    for (const char* t : {"/opt/rocm/llvm/bin/llvm-objdump", "llvm-objdump-15", "llvm-objdump-16", "llvm-objdump"}) {
      int status = 0;
      if (runs(t) && run(std::string(t) + " --version", &status).find("version 14") == std::string::npos)
        return std::string(t);
    }
    return std::string();
  }();
  return tool;
}

const char* kDebianDeviceLibs = "/usr/lib/x86_64-linux-gnu/amdgcn/bitcode";

/// The completed device-library directory of this process (below), removed at exit.
fs::path& completed_device_libs() {
  static fs::path dir;
  return dir;
}
class RemoveDeviceLibs : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    if (!completed_device_libs().empty()) fs::remove_all(completed_device_libs(), ec);
  }
};
const auto* const kRemoveDeviceLibs = ::testing::AddGlobalTestEnvironment(new RemoveDeviceLibs);

/// Extra hipcc flags `target` needs here: for gfx1100 with Debian's 5.2 device libraries, a
/// library directory completed as the file comment says ("" when nothing is needed). Throws
/// when the directory cannot be made.
std::string device_lib_flags(const std::string& target) {
  const fs::path debian = kDebianDeviceLibs;
  const std::string isa = "oclc_isa_version_" + target.substr(3) + ".bc";
  if (!fs::exists(debian) || fs::exists(debian / isa)) return "";
  if (target != "gfx1100") throw std::runtime_error("no " + isa + " in " + debian.string());
  // One directory per process: ctest runs the cases of this binary in parallel processes.
  const fs::path dir = fs::path(::testing::TempDir()) / ("ts_device_libs_gfx1100_" + std::to_string(::getpid()));
  if (!fs::exists(dir / isa)) {
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(debian))
      if (!fs::exists(dir / e.path().filename())) fs::create_symlink(e.path(), dir / e.path().filename());
    int status = 0;
    const std::string out = run("llvm-dis-15 -o - " + (debian / "oclc_isa_version_1030.bc").string() +
                                    " | sed 's/constant i32 10300/constant i32 11000/' | llvm-as-15 -o " +
                                    (dir / isa).string(),
                                &status);
    if (status != 0) throw std::runtime_error("could not make " + isa + ": " + out);
    completed_device_libs() = dir;
  }
  return " --rocm-device-lib-path=" + dir.string();
}

struct Offline {
  std::string log;                 ///< hipcc's output
  std::vector<std::byte> object;   ///< the code object (empty when the compile failed)
  std::string path;                ///< where it was written
};

/// Compiles `source` for `target` with hipcc (device code only, one code object).
Offline compile_offline(const Source& source, const std::string& target, const std::string& tag) {
  const std::string base =
      ::testing::TempDir() + "/ts_offline_" + tag + "_" + target + "_" + std::to_string(::getpid());  // parallel ctest
  {
    std::ofstream f(base + ".hip");
    f << "#include <hip/hip_runtime.h>\n" << source.text;
  }
  Offline r;
  r.path = base + ".co";
  int status = 0;
  r.log = run(hipcc() + " --offload-arch=" + target + " --cuda-device-only --no-gpu-bundle-output -O3 -std=c++17" +
                  " -ffp-contract=off -Wno-pragma-once-outside-header" + device_lib_flags(target) + " -c " + base +
                  ".hip -o " + r.path,
              &status);
  if (status == 0) {
    std::ifstream f(r.path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto* p = reinterpret_cast<const std::byte*>(bytes.data());
    r.object.assign(p, p + bytes.size());
  }
  std::remove((base + ".hip").c_str());
  return r;
}

std::string disassemble(const Offline& o, const std::string& target) {
  int status = 0;
  return run(objdump() + " -d --mcpu=" + target + " " + o.path, &status);
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

#define TS_NEED_HIPCC()                                                                          \
  if (hipcc().empty()) GTEST_SKIP() << "no hipcc (Debian 12: apt-get install hipcc; scripts/install-deps.sh)"

lower::Program lower_case(const CudaCase& c, const std::string& target) {
  return test::lower_cuda_case(c, target, platform::Target::parse(target).warp_size);
}

class HipOffline : public ::testing::TestWithParam<CudaCase> {};

// Every example x config for CDNA3 (wave64, MFMA with gfx940's instruction names).
TEST_P(HipOffline, CompilesForGfx940WithoutSpills) {
  TS_NEED_HIPCC();
  const gpu::KernelSource ks = emit_hip_kernel(lower_case(GetParam(), "gfx940"));
  const Offline o = compile_offline(ks.source, "gfx940", GetParam().example + "_" + GetParam().name);
  ASSERT_FALSE(o.object.empty()) << o.log;
  const ResourceUsage u = parse_code_object_resources(o.object);
  EXPECT_GT(u.registers, 0);
  EXPECT_EQ(u.smem_bytes, ks.smem_bytes);
  EXPECT_EQ(u.vgpr_spills, 0) << "register tiles spilled";
  EXPECT_EQ(u.stack_bytes, 0) << "a register array went to scratch memory";
  std::remove(o.path.c_str());
}

INSTANTIATE_TEST_SUITE_P(Examples, HipOffline, ::testing::ValuesIn(test::cuda_example_cases()),
                         [](const auto& info) { return info.param.example + "_" + info.param.name; });

struct MatrixCheck {
  const char* target;
  const char* config;
  const char* mnemonic;  ///< in the disassembly
  const char* wrapper;   ///< in the source
};

class HipOfflineMatmul : public ::testing::TestWithParam<MatrixCheck> {};

TEST_P(HipOfflineMatmul, CodeObjectUsesMatrixInstructions) {
  TS_NEED_HIPCC();
  if (objdump().empty()) GTEST_SKIP() << "no llvm-objdump of LLVM 15+ (Debian: llvm-15, a dependency of hipcc)";
  const MatrixCheck& m = GetParam();
  CudaCase c{"matmul", "offline", m.config, {{"m", 70}, {"k", 100}, {"n", 90}}};
  const gpu::KernelSource ks = emit_hip_kernel(lower_case(c, m.target));
  ASSERT_NE(ks.source.text.find(m.wrapper), std::string::npos) << ks.source.text;
  const Offline o = compile_offline(ks.source, m.target, "matmul");
  ASSERT_FALSE(o.object.empty()) << o.log;
  const ResourceUsage u = parse_code_object_resources(o.object);
  EXPECT_EQ(u.vgpr_spills, 0) << "register tiles spilled (" << u.registers << " VGPRs)";
  EXPECT_EQ(u.stack_bytes, 0) << "no scratch";
  const std::string disasm = disassemble(o, m.target);
  EXPECT_GT(count(disasm, m.mnemonic), 0) << m.config << "\n" << disasm.substr(0, 4000);
  EXPECT_EQ(count(disasm, "v_fma_f32") + count(disasm, "v_fmac_f32"), 0) << "no FMA dot beside the matrix instructions";
  std::remove(o.path.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Targets, HipOfflineMatmul,
    ::testing::Values(
        MatrixCheck{"gfx940", R"({"block_sizes":[64,64,32],"num_warps":4})", "v_mfma_f32_32x32x8_bf16", "ts::mfma_32x32x8_bf16("},
        MatrixCheck{"gfx940", R"({"block_sizes":[64,64,32],"num_warps":4,"matrix_instr_nonkdim":16})",
                    "v_mfma_f32_16x16x16_bf16", "ts::mfma_16x16x16_bf16("},
        // clang 15 gives gfx1100 kernels at most 128 VGPRs (a kernel holding 200 floats gets 216
        // on gfx1030, 128 and 319 spills on gfx1100): 64x64x32 over 4 wavefronts (32
        // accumulators + two K steps of operands per lane) spills 14 there; 64x64x16 fits.
        MatrixCheck{"gfx1100", R"({"block_sizes":[64,64,16],"num_warps":4})", "v_wmma_f32_16x16x16_bf16",
                    "ts::wmma_16x16x16_bf16("},
        MatrixCheck{"gfx1100", R"({"block_sizes":[32,64,32],"num_warps":2})", "v_wmma_f32_16x16x16_bf16",
                    "ts::wmma_16x16x16_bf16("},
        MatrixCheck{"gfx1100", R"({"block_sizes":[128,64,32],"num_warps":8,"l2_groupings":[4]})", "v_wmma_f32_16x16x16_bf16",
                    "ts::wmma_16x16x16_bf16("}),
    [](const auto& info) { return std::string(info.param.target) + "_" + std::to_string(info.index); });

// The explain text names the instruction the disassembly shows (vendor-true mnemonics).
TEST(HipOfflineExplain, NamesTheTargetsMnemonic) {
  CudaCase c{"matmul", "explain", R"({"block_sizes":[64,64,32],"num_warps":4})", {{"m", 70}, {"k", 100}, {"n", 90}}};
  for (const auto& [target, mnemonic] : {std::pair<std::string, std::string>{"gfx940", "v_mfma_f32_32x32x8_bf16"},
                                         {"gfx90a", "v_mfma_f32_32x32x8bf16_1k"},
                                         {"gfx1100", "v_wmma_f32_16x16x16_bf16"}}) {
    const lower::Program p = lower_case(c, target);
    std::string all;
    for (const std::string& l : gpu::explain_config(p, hip_dialect(target, p.config))) all += l + "\n";
    EXPECT_NE(all.find("dot on " + mnemonic), std::string::npos) << target << "\n" << all;
  }
}

}  // namespace
}  // namespace tessera::backend::hip
