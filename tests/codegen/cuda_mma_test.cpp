// SPDX-License-Identifier: Apache-2.0
// Tensor-core dot in the CUDA printer without a GPU: which dots take mma.sync m16n8k16, the
// cp.async pipeline depth (num_stages, clamped to the static shared-memory limit), swizzled
// unpadded buffers for ldmatrix, FMA fallbacks with their reasons, and NVRTC builds with no
// spills. The same cases run on cuda:0 in tests/conformance/cuda_examples_test.cpp.
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

const std::map<std::string, std::int64_t> kAligned = {{"m", 300}, {"k", 200}, {"n", 264}};

TEST(CudaMma, AlignedMatmulRunsOnTensorCoresWithAPipeline) {
  const std::string s = source_of(matmul_case(R"({"block_sizes":[128,128,32],"num_warps":8,"num_stages":3})", kAligned));
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

TEST(CudaMma, StagesAreClampedToTheStaticSharedMemoryLimit) {
  const std::string s = source_of(matmul_case(R"({"block_sizes":[64,128,64],"num_warps":4,"num_stages":4})", kAligned));
  EXPECT_NE(s.find("note: num_stages 4 needs 98304 bytes of shared memory; 2 stages fit"), std::string::npos) << s;
  EXPECT_NE(s.find("ts::cp_async_wait<0>();  // this thread's copies"), std::string::npos);
}

TEST(CudaMma, UnalignedOrDynamicOperandsStageSynchronously) {
  const std::map<std::string, std::int64_t> ragged = {{"m", 70}, {"k", 100}, {"n", 90}};
  for (bool dynamic : {false, true}) {
    const std::string s = source_of(matmul_case(R"({"block_sizes":[32,32,16],"num_warps":4,"num_stages":3})", ragged, dynamic));
    EXPECT_NE(s.find("ts::mma_16816_bf16("), std::string::npos) << s;
    EXPECT_EQ(s.find("ts::cp_async16("), std::string::npos);
    EXPECT_NE(s.find("note: num_stages 3: one stage, operand a is not 16-byte aligned"), std::string::npos) << s;
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

TEST(CudaMma, ExplainSaysHowNumStagesIsUsed) {
  const CudaCase c = matmul_case(R"({"block_sizes":[128,128,32],"num_warps":8,"num_stages":3})", kAligned);
  const auto lines = gpu::explain_config(test::lower_cuda_case(c, "sm_90a"), cuda_dialect("sm_90a"));
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  EXPECT_NE(all.find("num_stages: used: cp.async pipeline"), std::string::npos) << all;
}

}  // namespace
}  // namespace tessera::backend::cuda
