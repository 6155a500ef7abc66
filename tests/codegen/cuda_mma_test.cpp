// SPDX-License-Identifier: Apache-2.0
// Tensor-core dot in the CUDA printer without a GPU: which dots take mma.sync m16n8k16 (sm_80+)
// or wgmma (sm_90a), the cp.async pipeline depth (num_stages, clamped to the per-block shared
// memory limit; dynamic shared memory above 48 KB), swizzled unpadded buffers for ldmatrix and
// wgmma descriptors, FMA fallbacks with their reasons, and NVRTC builds with no spills. The same
// cases run on cuda:0 in tests/conformance/cuda_examples_test.cpp.
#include <gtest/gtest.h>

#include "codegen/cuda_example_cases.h"
#include "cuda/api.h"
#include "cuda/codegen.h"
#include "cuda/compiler.h"
#include "tessera/error.h"

namespace tessera::backend::cuda {
namespace {

using test::CudaCase;

CudaCase matmul_case(const std::string& config, std::map<std::string, std::int64_t> sizes, bool dynamic = false) {
  return {"matmul", "t", config, std::move(sizes), dynamic};
}

std::string source_of(const CudaCase& c, const std::string& target = "sm_90a") {
  return emit_cuda_kernel(test::lower_cuda_case(c, target)).source.text;
}

/// NVRTC's ptxas report for `ks` on `target` (empty when NVRTC is missing).
std::string ptxas_log(const gpu::KernelSource& ks, const std::string& target, ResourceUsage* u) {
  if (!nvrtc().ok()) return "";
  const NvrtcResult r = nvrtc_compile(ks.source, {target, {}}, true);
  *u = parse_ptxas_report(r.log, ks.source.kernel_name);
  return r.log;
}

const std::map<std::string, std::int64_t> kAligned = {{"m", 300}, {"k", 200}, {"n", 264}};

TEST(CudaMma, AlignedMatmulRunsOnTensorCoresWithAPipeline) {
  const std::string s = source_of(matmul_case(R"({"block_sizes":[128,128,32],"num_warps":8,"num_stages":3})", kAligned), "sm_80");
  EXPECT_NE(s.find("SM80_16x8x16_F32BF16BF16F32_TN, warps 4x2, 2x8 instruction tiles per warp"), std::string::npos) << s;
  EXPECT_NE(s.find("ts::mma_16816_bf16("), std::string::npos);
  EXPECT_NE(s.find("ts::ldmatrix_x4(fa[r]"), std::string::npos);
  EXPECT_NE(s.find("ts::ldmatrix_x4_trans("), std::string::npos);
  EXPECT_NE(s.find("ts::cp_async16("), std::string::npos);
  EXPECT_NE(s.find("ts::cp_async_wait<1>()"), std::string::npos);  // 3 stages: 2 tiles in flight
  EXPECT_NE(s.find("note: loop tk: cp.async pipeline, 3 stages"), std::string::npos);
  // Unpadded, swizzled buffers: 3 x [128][32] and 3 x [32][128] bf16 = 48 KB.
  EXPECT_NE(s.find("ts::u16 sm_v"), std::string::npos);
  EXPECT_NE(s.find("[12288];  // 3 x [128][32], 16-byte chunks swizzled"), std::string::npos);
  EXPECT_NE(s.find("[12288];  // 3 x [32][128], 16-byte chunks swizzled"), std::string::npos);
  EXPECT_EQ(s.find("fmaf("), std::string::npos);
  // The accumulator's axes carry the fragment distributions: the store moves 2 bf16 per thread.
  EXPECT_NE(s.find("ts::vstore<ts::u16, 2>"), std::string::npos);
  EXPECT_NE(s.find("(8 lanes, then warps @ 32)"), std::string::npos);
}

TEST(CudaMma, StagesAreClampedToTheSharedMemoryLimit) {
  // 4 x (256x64 + 64x256) bf16 = 256 KB > sm_80's 163 KB per block: 2 stages.
  const std::string s = source_of(matmul_case(R"({"block_sizes":[256,256,64],"num_warps":8,"num_stages":4})", kAligned), "sm_80");
  EXPECT_NE(s.find("note: num_stages 4 needs 262144 bytes of shared memory; 2 stages fit the 166912-byte per-block limit"),
            std::string::npos) << s;
  EXPECT_NE(s.find("ts::cp_async_wait<0>();  // this thread's copies"), std::string::npos);
}

TEST(CudaMma, OperandsAbove48KBGoToDynamicSharedMemory) {
  // 4 x (64x64 + 64x128) bf16 = 96 KB: one extern buffer, its size in the launch shape.
  const gpu::KernelSource ks = emit_cuda_kernel(
      test::lower_cuda_case(matmul_case(R"({"block_sizes":[64,128,64],"num_warps":4,"num_stages":4})", kAligned), "sm_80"));
  const std::string& s = ks.source.text;
  EXPECT_NE(s.find("extern __shared__ __align__(1024) unsigned char ts_dyn_smem[];"), std::string::npos) << s;
  EXPECT_NE(s.find("ts::u16* const sm_v"), std::string::npos);
  EXPECT_NE(s.find("note: loop tk: cp.async pipeline, 4 stages"), std::string::npos);
  EXPECT_EQ(ks.source.launch.dynamic_smem_bytes, 98304u);
  EXPECT_EQ(ks.smem_bytes, 0);
  ResourceUsage u;
  const std::string log = ptxas_log(ks, "sm_80", &u);
  if (!log.empty()) EXPECT_EQ(u.spill_stores, 0) << log;
}

TEST(CudaMma, HopperTilesRunOnWgmmaFromSwizzledDescriptors) {
  const gpu::KernelSource ks = emit_cuda_kernel(test::lower_cuda_case(
      matmul_case(R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4})", kAligned), "sm_90a"));
  const std::string& s = ks.source.text;
  EXPECT_NE(s.find("dot: SM90_64x256x16_F32BF16BF16_SS (wgmma), 2 warpgroup(s) along M, each 1 m64 tile(s) x 1 instruction(s)"),
            std::string::npos) << s;
  EXPECT_NE(s.find("wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 {%0, %1,"), std::string::npos);
  EXPECT_NE(s.find("p, 1, 1, 0, 1;"), std::string::npos);  // B N-major: imm-trans-b = 1
  // A: 128B swizzle, 8-row groups 1024 bytes apart; B: 4 panels of [64][64], 8192 bytes apart.
  EXPECT_NE(s.find("ts::wgmma_desc((sm_v"), std::string::npos);
  EXPECT_NE(s.find(" + wg * 4096, 16, 1024, 1);  // A: K-major"), std::string::npos) << s;
  EXPECT_NE(s.find(", 8192, 1024, 1);  // B: N-major"), std::string::npos);
  EXPECT_NE(s.find("(da + 2, db + 128,  // k16 step 1"), std::string::npos);  // +32 bytes of A, +16 rows of B
  EXPECT_NE(s.find("ts::fence_proxy_async();"), std::string::npos);
  EXPECT_NE(s.find("ts::wgmma_fence();"), std::string::npos);
  EXPECT_NE(s.find("ts::wgmma_commit();"), std::string::npos);
  // The example's `acc = dot(a, b, acc)` (acc read, dot, assign: three statements) accumulates
  // in place into the local's registers, so one tile's group stays in flight across iterations
  // (wait_group 1), the buffer refilled is two tiles behind, and 2 tiles of copies are in flight.
  EXPECT_NE(s.find("ts::wgmma_wait<1>();  // this tile's group may still run"), std::string::npos) << s;
  EXPECT_NE(s.find("ts::wgmma_wait<0>();  // the last tile's group"), std::string::npos);
  EXPECT_NE(s.find("ts::cp_async_wait<1>();  // this thread's copies"), std::string::npos);
  EXPECT_NE(s.find("ts::fence_operand(l"), std::string::npos);  // the local itself, no copies
  EXPECT_EQ(s.find("float v4["), std::string::npos);
  // Ragged m, n, k: each chunk's bytes are bounded; at multiples of the tile every chunk is whole
  // (no bounds arithmetic per copy in the main loop).
  EXPECT_NE(s.find("const int nb ="), std::string::npos);
  const std::string full = source_of(matmul_case(R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4})",
                                                 {{"m", 256}, {"k", 256}, {"n", 512}}));
  EXPECT_NE(full.find("ts::cp_async16(dst, &p_a["), std::string::npos) << full;
  EXPECT_EQ(full.find("const int nb ="), std::string::npos);
  EXPECT_NE(s.find("4 panels x [64][64], 16-byte chunks swizzled"), std::string::npos);
  EXPECT_NE(s.find("[128][64], 16-byte chunks swizzled, rows in wgmma accumulator order"), std::string::npos);
  EXPECT_EQ(s.find("ts::mma_16816_bf16("), std::string::npos);
  EXPECT_EQ(s.find("fmaf("), std::string::npos);
  EXPECT_EQ(ks.source.launch.dynamic_smem_bytes, 4u * (128 * 64 + 64 * 256) * 2);
  // The epilogue keeps the mma.sync distributions (8 warps along M): 2 bf16 per store.
  EXPECT_NE(s.find("ts::vstore<ts::u16, 2>"), std::string::npos);
  ResourceUsage u;
  const std::string log = ptxas_log(ks, "sm_90a", &u);
  if (log.empty()) GTEST_SKIP() << "NVRTC not available";
  EXPECT_EQ(u.spill_stores, 0) << log;
  EXPECT_EQ(u.stack_bytes, 0) << log;
  EXPECT_EQ(log.find("serialized"), std::string::npos) << "ptxas serialized the wgmma chain:\n" << log;
}

TEST(CudaMma, WgmmaVariants) {
  // One warpgroup, two m64 tiles each; 32-wide K (64B swizzle) and f16.
  const std::string two = source_of(matmul_case(R"({"block_sizes":[128,128,64],"num_warps":4,"num_stages":3})", kAligned));
  EXPECT_NE(two.find("1 warpgroup(s) along M, each 2 m64 tile(s) x 1 instruction(s)"), std::string::npos) << two;
  const std::string k32 = source_of(matmul_case(R"({"block_sizes":[64,64,32],"num_warps":4,"num_stages":2})", kAligned));
  EXPECT_NE(k32.find(", 16, 512, 2);  // A: K-major"), std::string::npos) << k32;  // 64B rows
  EXPECT_NE(k32.find("ts::wgmma_wait<0>();"), std::string::npos);  // 2 stages: no group across iterations
  auto kernel = std::make_shared<const ir::Kernel>(examples::matmul_kernel(DType::f16));
  lower::Specialization spec;
  spec.sizes = kAligned;
  spec.strides = {{"a", {200, 1}}, {"b", {264, 1}}, {"out", {264, 1}}};
  const Config config = Config::from_json(json::parse(R"({"block_sizes":[64,64,32],"num_warps":4,"num_stages":2})", "t"), "t");
  const std::string f16 = emit_cuda_kernel(lower::lower(kernel, config, spec, "sm_90a", 32)).source.text;
  EXPECT_NE(f16.find("wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16"), std::string::npos) << f16;
  // Tiles wgmma cannot take fall back to mma.sync with a note; other targets never see wgmma.
  const std::string n8 = source_of(matmul_case(R"({"block_sizes":[64,8,32],"num_warps":4})", kAligned));
  EXPECT_NE(n8.find("note: dot: mma.sync, not wgmma: the tile's N (8)"), std::string::npos) << n8;
  EXPECT_NE(n8.find("ts::mma_16816_bf16("), std::string::npos);
  for (const char* target : {"sm_80", "sm_100a"}) {
    const std::string other = source_of(matmul_case(R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4})", kAligned), target);
    EXPECT_EQ(other.find("ts_wgmma_m64"), std::string::npos) << target;
    EXPECT_EQ(other.find("ts::wgmma_fence()"), std::string::npos) << target;
    EXPECT_NE(other.find("ts::mma_16816_bf16("), std::string::npos) << target;
  }
}

TEST(CudaMma, UnalignedOrDynamicOperandsStageSynchronously) {
  const std::map<std::string, std::int64_t> ragged = {{"m", 70}, {"k", 100}, {"n", 90}};
  for (bool dynamic : {false, true}) {
    const std::string s = source_of(matmul_case(R"({"block_sizes":[32,32,16],"num_warps":4,"num_stages":3})", ragged, dynamic));
    EXPECT_NE(s.find("ts::mma_16816_bf16("), std::string::npos) << s;
    EXPECT_EQ(s.find("ts::cp_async16("), std::string::npos);
    EXPECT_NE(s.find("note: num_stages 3: one stage, operand b is not 16-byte aligned"), std::string::npos) << s;  // both are; the last is named
  }
}

TEST(CudaMma, Fp16OperandsUseTheF16Atom) {
  auto kernel = std::make_shared<const ir::Kernel>(examples::matmul_kernel(DType::f16));
  lower::Specialization spec;
  spec.sizes = kAligned;
  spec.strides = {{"a", {200, 1}}, {"b", {264, 1}}, {"out", {264, 1}}};
  const Config config = Config::from_json(json::parse(R"({"block_sizes":[64,64,32],"num_warps":4,"num_stages":2})", "t"), "t");
  const std::string s = emit_cuda_kernel(lower::lower(kernel, config, spec, "sm_80", 32)).source.text;
  EXPECT_NE(s.find("SM80_16x8x16_F32F16F16F32_TN"), std::string::npos) << s;
  EXPECT_NE(s.find("ts::mma_16816_f16("), std::string::npos);
}

TEST(CudaMma, FallsBackToFmaWithAReason) {
  // f32 operands: no bf16/f16 tensor-core atom.
  auto kernel = std::make_shared<const ir::Kernel>(examples::matmul_kernel(DType::f32));
  lower::Specialization spec;
  spec.sizes = kAligned;
  const Config config = Config::from_json(json::parse(R"({"block_sizes":[64,64,32],"num_warps":4})", "t"), "t");
  const std::string f32 = emit_cuda_kernel(lower::lower(kernel, config, spec, "sm_90a", 32)).source.text;
  EXPECT_NE(f32.find("note: dot: FMA on CUDA cores, not tensor cores: the operands are not both bf16 or both f16"),
            std::string::npos) << f32;
  EXPECT_NE(f32.find("fmaf("), std::string::npos);
  // A tile narrower than one m16 instruction per warp.
  const std::string narrow = source_of(matmul_case(R"({"block_sizes":[16,16,16],"num_warps":4})", kAligned));
  EXPECT_NE(narrow.find("is not a multiple of 16x8x16 per warp"), std::string::npos) << narrow;
  // Before sm_80: no mma.sync m16n8k16 / cp.async.
  const std::string volta = source_of(matmul_case(R"({"block_sizes":[64,64,32],"num_warps":4})", kAligned), "sm_70");
  EXPECT_NE(volta.find("fmaf("), std::string::npos);
  EXPECT_EQ(volta.find("ts::cp_async16("), std::string::npos);
}

TEST(CudaMma, TensorDescriptorIndexingCopiesWgmmaOperandsByTma) {
  const std::string tma = R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"indexing":["tensor_descriptor","tensor_descriptor","pointer"]})";
  const gpu::KernelSource ks = emit_cuda_kernel(test::lower_cuda_case(matmul_case(tma, kAligned), "sm_90a"));
  const std::string& s = ks.source.text;
  // Two maps, in the signature after the program's parameters and in Source::tensor_maps:
  // A as 8-row boxes (its rows are in accumulator order), B as one [64][64] box per panel.
  ASSERT_EQ(ks.source.tensor_maps.size(), 2u) << s;
  std::map<std::string, TensorMapParam> maps;
  for (const TensorMapParam& m : ks.source.tensor_maps) maps[m.tensor] = m;
  EXPECT_EQ(maps.at("a").box_rows, 8u);
  EXPECT_EQ(maps.at("a").box_cols, 64u);
  EXPECT_EQ(maps.at("b").box_rows, 64u);
  EXPECT_EQ(maps.at("b").box_cols, 64u);
  EXPECT_EQ(maps.at("a").swizzle_bytes, 128);
  EXPECT_EQ(maps.at("b").element_bytes, 2);
  EXPECT_NE(s.find("const __grid_constant__ ts::tensor_map tm0_"), std::string::npos) << s;
  EXPECT_NE(s.find("const __grid_constant__ ts::tensor_map tm1_"), std::string::npos);
  // One thread announces 48 KB per stage (128x64 + 64x256 bf16) and issues 16 + 4 boxes; every
  // thread waits on the stage's mbarrier; no per-thread copies or proxy fences remain.
  EXPECT_NE(s.find("ts::mbar_arrive_expect_tx(&ts_bar_t2[st_wr], 49152);"), std::string::npos) << s;
  std::size_t boxes = 0;
  for (std::size_t at = s.find("ts::tma_load_2d("); at != std::string::npos; at = s.find("ts::tma_load_2d(", at + 1)) ++boxes;
  EXPECT_EQ(boxes, 2u * (16 + 4));  // prologue and loop
  // A's tile rows 8..15 land at buffer row wgmma_row(8) = 16 (8 warps along M): offset 16 * 64.
  EXPECT_NE(s.find(" + 1024, &tm"), std::string::npos);
  EXPECT_NE(s.find("ts::mbar_wait(&ts_bar_t2[st_rd], st_phase);"), std::string::npos);
  EXPECT_NE(s.find("ts::mbar_init(&ts_bar_t2[s], 1);"), std::string::npos);
  EXPECT_NE(s.find("ts::mbar_inval(&ts_bar_t2[s]);"), std::string::npos);
  EXPECT_EQ(s.find("ts::cp_async16("), std::string::npos);
  EXPECT_EQ(s.find("ts::fence_proxy_async();"), std::string::npos);
  EXPECT_NE(s.find("note: indexing: the load of a is a TMA copy (tensor_descriptor): 16 box(es) of 8 x 64 per stage, swizzle 128 B"),
            std::string::npos) << s;
  EXPECT_EQ(ks.source.launch.dynamic_smem_bytes, 4u * (128 * 64 + 64 * 256) * 2);
  // B alone by TMA: A keeps cp.async (and its fence), both complete before the barrier.
  const std::string b_only = source_of(matmul_case(
      R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"indexing":["pointer","tensor_descriptor","pointer"]})", kAligned));
  EXPECT_NE(b_only.find("ts::cp_async16(dst, nb > 0 ? (const void*)&p_a["), std::string::npos) << b_only;
  EXPECT_NE(b_only.find("ts::mbar_arrive_expect_tx(&ts_bar_t2[st_wr], 32768);"), std::string::npos) << b_only;
  EXPECT_NE(b_only.find("ts::fence_proxy_async();"), std::string::npos);
  // Where TMA cannot apply, the load says why and keeps its copies.
  const std::string sm80 = source_of(matmul_case(tma, kAligned), "sm_80");
  EXPECT_NE(sm80.find("note: indexing: the load of a says tensor_descriptor but uses cp.async: sm_80 has no TMA"),
            std::string::npos) << sm80;
  EXPECT_EQ(sm80.find("ts::tma_load_2d("), std::string::npos);
  const std::string sm100 = source_of(matmul_case(tma, kAligned), "sm_100a");
  EXPECT_NE(sm100.find("uses cp.async: only wgmma operands are copied by TMA"), std::string::npos) << sm100;
  const std::string one_stage = source_of(matmul_case(
      R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":1,"indexing":"tensor_descriptor"})", kAligned));
  EXPECT_NE(one_stage.find("uses cp.async: the operand is not in a cp.async pipeline"), std::string::npos) << one_stage;
  // The explain line reports the decision.
  const auto lines = gpu::explain_config(test::lower_cuda_case(matmul_case(tma, kAligned), "sm_90a"), cuda_dialect("sm_90a"));
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  EXPECT_NE(all.find("indexing: used: the load of a is a TMA copy"), std::string::npos) << all;
  ResourceUsage u;
  const std::string log = ptxas_log(ks, "sm_90a", &u);
  if (log.empty()) GTEST_SKIP() << "NVRTC not available";
  EXPECT_EQ(u.spill_stores, 0) << log;
  EXPECT_EQ(log.find("serialized"), std::string::npos) << log;
}

TEST(CudaMma, ExplainSaysHowNumStagesIsUsed) {
  const CudaCase c = matmul_case(R"({"block_sizes":[128,128,32],"num_warps":8,"num_stages":3})", kAligned);
  const auto lines = gpu::explain_config(test::lower_cuda_case(c, "sm_90a"), cuda_dialect("sm_90a"));
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  EXPECT_NE(all.find("num_stages: used: cp.async pipeline"), std::string::npos) << all;
}

}  // namespace
}  // namespace tessera::backend::cuda
