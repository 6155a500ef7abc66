// SPDX-License-Identifier: Apache-2.0
// The MFMA and WMMA dot paths checked without AMD hardware (STYLE A11: emulate vendor MMA semantics on the
// CPU): the HIP source printed for matmul is compiled for the host by clang++ with a small shim
// (one std::thread per work-item, a barrier for __syncthreads, __shared__ as statics) in which
// each v_mfma builtin exchanges the 64 lanes' fragments (v_wmma: the 32 lanes') and computes
// D = A·B + C from the documented lane layouts (device_headers/tessera_hip.h). A wrong
// row/column/K mapping in printer_hip_mfma.cpp, or a wrong accumulator distribution, shows up as
// a wrong product; WMMA operands that lanes 16-31 do not repeat from lanes 0-15 abort the run.
// Skips when no clang++ is installed (the shim needs clang's ext_vector_type).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "codegen/run_command.h"
#include "examples/examples.h"
#include "hip/codegen.h"
#include "tessera/lower/program.h"
#include "tessera/platform/target.h"
#include "tessera/support/python_json.h"

namespace tessera::backend::hip {
namespace {

// Host stand-ins for what hiprtc provides, and the MFMA instructions in terms of lane layouts.
constexpr const char* kShim = R"SHIM(
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <type_traits>
#include <vector>
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(x) __attribute__((aligned(x)))
#define __shared__ static
#define _Float16 __fp16
struct Dim3 { unsigned x = 0, y = 0, z = 0; };
thread_local Dim3 threadIdx, blockIdx;
std::barrier<>* g_barrier = nullptr;
inline void __syncthreads() { g_barrier->arrive_and_wait(); }
template <class T> T min(T a, T b) { return a < b ? a : b; }
template <class T> T max(T a, T b) { return a > b ? a : b; }
inline int __float2int_rn(float x) { return (int)std::nearbyint(x); }
inline float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
inline double __longlong_as_double(long long i) { double f; std::memcpy(&f, &i, 8); return f; }
inline float __expf(float x) { return std::exp(x); }
#define __builtin_amdgcn_rcpf(x) (1.0f / (x))
template <class T> T __shfl_xor(T, int) { std::abort(); }  // matmul has no reductions
namespace emu {
float xa[16][64][4], xb[16][64][4];  // [wave][lane][k element]
inline float bf16(short s) { std::uint32_t u = std::uint32_t(std::uint16_t(s)) << 16; float f; std::memcpy(&f, &u, 4); return f; }
// bf16 operands arrive as short vectors, f16 as __fp16 vectors, f32 as a float.
template <class V> float elem(const V& v, int e) {
  if constexpr (std::is_same_v<std::remove_cvref_t<decltype(v[0])>, short>) return bf16(v[e]); else return float(v[e]);
}
template <class V> float elem_f16(const V& v, int e) { return float(v[e]); }
// D x D x (G·kpl) on one wavefront: a/b hold this lane's kpl K elements.
template <int D, int KPL, class C, class FA, class FB>
C mfma(FA&& a_at, FB&& b_at, C c) {
  constexpr int G = 64 / D;
  const int l = threadIdx.x % 64, w = threadIdx.x / 64;
  for (int e = 0; e < KPL; ++e) xa[w][l][e] = a_at(e), xb[w][l][e] = b_at(e);
  __syncthreads();
  for (int r = 0; r < D * D / 64; ++r) {
    const int row = 4 * G * (r / 4) + 4 * (l / D) + r % 4, col = l % D;
    float s = c[r];
    for (int k = 0; k < G * KPL; ++k) s += xa[w][row + D * (k / KPL)][k % KPL] * xb[w][col + D * (k / KPL)][k % KPL];
    c[r] = s;
  }
  __syncthreads();  // every lane has read the fragments before the next instruction writes them
  return c;
}
// RDNA3 WMMA 16x16x16 on one wave32: lane l holds A row l%16 and B column l%16 over K = 0..15
// (lanes 16-31 the same values) and returns c[r] += C[2r + l/16][l%16].
float wa[32][32][16], wb[32][32][16];  // [wave][lane][k]
template <class FA, class FB, class C>
C wmma(FA&& a_at, FB&& b_at, C c) {
  const int l = threadIdx.x % 32, w = threadIdx.x / 32;
  for (int e = 0; e < 16; ++e) wa[w][l][e] = a_at(e), wb[w][l][e] = b_at(e);
  __syncthreads();
  for (int e = 0; e < 16; ++e)
    if (wa[w][l][e] != wa[w][l % 16][e] || wb[w][l][e] != wb[w][l % 16][e]) {
      std::printf("lane %d of wave %d does not repeat lane %d's WMMA operands\n", l, w, l % 16);
      std::abort();
    }
  for (int r = 0; r < 8; ++r) {
    const int row = 2 * r + l / 16, col = l % 16;
    float s = c[r];
    for (int k = 0; k < 16; ++k) s += wa[w][row][k] * wb[w][col][k];
    c[r] = s;
  }
  __syncthreads();
  return c;
}
}  // namespace emu
#define __builtin_amdgcn_wmma_f32_16x16x16_bf16_w32(a, b, c) emu::wmma([&](int e) { return emu::elem(a, e); }, [&](int e) { return emu::elem(b, e); }, c)
#define __builtin_amdgcn_wmma_f32_16x16x16_f16_w32(a, b, c) emu::wmma([&](int e) { return emu::elem(a, e); }, [&](int e) { return emu::elem(b, e); }, c)
#define TS_EMU_MFMA(D, KPL, a, b, c) emu::mfma<D, KPL>([&](int e) { return emu::elem(a, e); }, [&](int e) { return emu::elem(b, e); }, c)
#define __builtin_amdgcn_mfma_f32_32x32x8bf16_1k(a, b, c, x, y, z) TS_EMU_MFMA(32, 4, a, b, c)
#define __builtin_amdgcn_mfma_f32_16x16x16bf16_1k(a, b, c, x, y, z) TS_EMU_MFMA(16, 4, a, b, c)
#define __builtin_amdgcn_mfma_f32_32x32x8f16(a, b, c, x, y, z) TS_EMU_MFMA(32, 4, a, b, c)
#define __builtin_amdgcn_mfma_f32_16x16x16f16(a, b, c, x, y, z) TS_EMU_MFMA(16, 4, a, b, c)
#define __builtin_amdgcn_mfma_f32_32x32x2f32(a, b, c, x, y, z) TS_EMU_MFMA(32, 1, &a, &b, c)
#define __builtin_amdgcn_mfma_f32_16x16x4f32(a, b, c, x, y, z) TS_EMU_MFMA(16, 1, &a, &b, c)
)SHIM";

// Runs the kernel over the grid and compares with a float64 product; exit code 0 = match.
constexpr const char* kMain = R"MAIN(
static std::uint16_t to_bf16(float x) { std::uint32_t u; std::memcpy(&u, &x, 4); return std::uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16); }
static double from_bf16(std::uint16_t b) { return emu::bf16(short(b)); }
static std::uint16_t to_f16(float x) { const __fp16 h = x; std::uint16_t u; std::memcpy(&u, &h, 2); return u; }
static double from_f16(std::uint16_t b) { __fp16 h; std::memcpy(&h, &b, 2); return float(h); }
int main(int argc, char** argv) {
  const int M = std::atoi(argv[1]), K = std::atoi(argv[2]), N = std::atoi(argv[3]);
  const int threads = std::atoi(argv[4]), blocks = std::atoi(argv[5]);
  const bool f16 = std::strcmp(argv[6], "f16") == 0;  // the operands' type; the output is bf16
  auto to_in = [&](float x) { return f16 ? to_f16(x) : to_bf16(x); };
  auto from_in = [&](std::uint16_t b) { return f16 ? from_f16(b) : from_bf16(b); };
  std::vector<std::uint16_t> a(M * K), b(K * N), out(M * N, 0xFFFF);
  for (int i = 0; i < M * K; ++i) a[i] = to_in(float((i * 37 + 11) % 17 - 8) / 8.0f);
  for (int i = 0; i < K * N; ++i) b[i] = to_in(float((i * 53 + 5) % 13 - 6) / 4.0f);
  for (int blk = 0; blk < blocks; ++blk) {
    std::barrier<> bar(threads);
    g_barrier = &bar;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] { threadIdx.x = t; blockIdx.x = blk; ts_matmul(a.data(), b.data(), out.data()); });
    for (auto& th : pool) th.join();
  }
  int bad = 0;
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double ref = 0;
      for (int k = 0; k < K; ++k) ref += from_in(a[i * K + k]) * from_in(b[k * N + j]);
      const double got = from_bf16(out[i * N + j]);
      if (!(std::fabs(got - ref) <= 1e-2 * std::fabs(ref) + 1e-3) && bad++ < 5)
        std::printf("out[%d][%d] = %g, expected %g\n", i, j, got, ref);
    }
  std::printf("%d of %d wrong\n", bad, M * N);
  return bad == 0 ? 0 : 1;
}
)MAIN";

std::string find_clang() {
  for (const char* c : {"clang++-15", "clang++-14", "clang++"}) {
    if (std::system((std::string(c) + " --version > /dev/null 2>&1").c_str()) == 0) return c;
  }
  return "";
}

std::string run(const std::string& command, int* status) { return test::run_command(command, status); }

struct EmuCase {
  const char* name;
  const char* target;  ///< gfx90a (MFMA, wave64) or gfx1100 (WMMA, wave32)
  const char* config;
  const char* expect;  ///< the instruction the source must use
  DType operands = DType::bf16;  ///< matmul's input type (bf16 or f16; the output is bf16)
};

/// matmul with `operands` inputs at 70 x 100 x 90 (ragged for every tile), sizes and strides
/// constant, lowered for `target`.
lower::Program lower_matmul(DType operands, const std::string& config, const std::string& target) {
  auto kernel = std::make_shared<const ir::Kernel>(examples::matmul_kernel(operands));
  lower::Specialization spec;
  spec.sizes = {{"m", 70}, {"k", 100}, {"n", 90}};
  spec.strides = {{"a", {100, 1}}, {"b", {90, 1}}, {"out", {90, 1}}};
  return lower::lower(kernel, Config::from_json(json::parse(config, "emu"), "emu"), spec, target,
                      platform::Target::parse(target).warp_size);
}

class HipMfmaEmulation : public ::testing::TestWithParam<EmuCase> {};

TEST_P(HipMfmaEmulation, MatmulMatchesFloat64) {
  const std::string clang = find_clang();
  if (clang.empty()) GTEST_SKIP() << "no clang++ to build the host emulation (Debian: clang-14)";
  const std::string target = GetParam().target, name = GetParam().name;
  const lower::Program p = lower_matmul(GetParam().operands, GetParam().config, target);
  const gpu::KernelSource ks = emit_hip_kernel(p);
  ASSERT_NE(ks.source.text.find(GetParam().expect), std::string::npos) << ks.source.text;
  const lower::LaunchGrid grid = p.launch_grid({}, 1);
  ASSERT_EQ(grid.y * grid.z, 1) << "flat grids only";
  const std::string dir = ::testing::TempDir(), cpp = dir + "/ts_mfma_emu_" + name + ".cpp",
                    exe = dir + "/ts_mfma_emu_" + name;
  {
    std::ofstream f(cpp);
    f << "#define __" << target << "__ 1\n" << kShim << ks.source.text << kMain;
  }
  int status = 0;
  const std::string build = run(clang + " -std=c++20 -O1 -pthread -w -o " + exe + " " + cpp, &status);
  ASSERT_EQ(status, 0) << build;
  const std::string out = run(exe + " 70 100 90 " + std::to_string(ks.threads) + " " + std::to_string(grid.x) + " " +
                                  std::string(dtype_name(GetParam().operands)),
                              &status);
  EXPECT_EQ(status, 0) << out;
  std::remove(cpp.c_str());
  std::remove(exe.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Configs, HipMfmaEmulation,
    ::testing::Values(
        EmuCase{"w4_32x32", "gfx90a", R"({"block_sizes":[64,64,32],"num_warps":4})", "ts::mfma_32x32x8_bf16("},
        EmuCase{"w4_16x16", "gfx90a", R"({"block_sizes":[64,64,32],"num_warps":4,"matrix_instr_nonkdim":16})",
                "ts::mfma_16x16x16_bf16("},
        EmuCase{"w8_128x64", "gfx90a", R"({"block_sizes":[128,64,16],"num_warps":8,"l2_groupings":[2]})",
                "ts::mfma_32x32x8_bf16("},
        EmuCase{"w1_32x64", "gfx90a", R"({"block_sizes":[32,64,32],"num_warps":1})", "ts::mfma_32x32x8_bf16("},
        // WMMA: wavefronts 2x2 with 2x2 tiles, 2x1 with 1x2... and one wavefront with 2x4 tiles
        EmuCase{"wmma_w4_64x64", "gfx1100", R"({"block_sizes":[64,64,16],"num_warps":4})", "ts::wmma_16x16x16_bf16("},
        EmuCase{"wmma_w2_32x64", "gfx1100", R"({"block_sizes":[32,64,32],"num_warps":2})", "ts::wmma_16x16x16_bf16("},
        EmuCase{"wmma_w8_128x64", "gfx1100", R"({"block_sizes":[128,64,32],"num_warps":8,"l2_groupings":[2]})",
                "ts::wmma_16x16x16_bf16("},
        EmuCase{"wmma_w1_32x64", "gfx1100", R"({"block_sizes":[32,64,16],"num_warps":1})", "ts::wmma_16x16x16_bf16("},
        // f16 operands: the f16 instructions and their wrappers' bit casts
        EmuCase{"f16_w4_32x32", "gfx90a", R"({"block_sizes":[64,64,32],"num_warps":4})", "ts::mfma_32x32x8_f16(", DType::f16},
        EmuCase{"f16_wmma_w2_32x64", "gfx1100", R"({"block_sizes":[32,64,32],"num_warps":2})", "ts::wmma_16x16x16_f16(",
                DType::f16}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tessera::backend::hip
