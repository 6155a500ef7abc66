// SPDX-License-Identifier: Apache-2.0
// CUDA code generation without a GPU: golden substrings of the printed source (vector widths,
// eviction hints, shuffles, barriers, scalar fallbacks where alignment is unknown), RTC
// cleanliness, and every example x config compiled by NVRTC for sm_80, sm_90a and sm_100a.
// NVRTC tests skip with the reason when libnvrtc is not installed.
#include <gtest/gtest.h>

#include "codegen/cuda_example_cases.h"
#include "cuda/api.h"
#include "cuda/codegen.h"
#include "cuda/compiler.h"
#include "gpu_common/printer.h"
#include "tessera/error.h"

namespace tessera::backend::cuda {
namespace {

using test::CudaCase;

std::string source_of(const std::string& example, const std::string& name, const std::string& target = "sm_90a") {
  for (const CudaCase& c : test::cuda_example_cases())
    if (c.example == example && c.name == name) return emit_cuda_kernel(test::lower_cuda_case(c, target)).source.text;
  ADD_FAILURE() << "no case " << example << "/" << name;
  return "";
}

int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CudaCodegen, ElementwiseMovesSixteenByteVectors) {
  const std::string s = source_of("add", "default");
  EXPECT_NE(s.find("ts::vload<float, 4, 0>"), std::string::npos) << s;
  EXPECT_NE(s.find("ts::vstore<float, 4>"), std::string::npos);
  EXPECT_NE(s.find("__launch_bounds__(128)"), std::string::npos);  // default num_warps 4
  EXPECT_EQ(s.find("#include"), std::string::npos) << "generated code must be RTC-clean";
}

TEST(CudaCodegen, SiluMulFp8VectorsAndEvictionHints) {
  const std::string wide = source_of("silu_mul_fp8", "b64x32_flat");  // 2048 elements / 256 threads
  EXPECT_EQ(occurrences(wide, "ts::vload<ts::u16, 8, 0>"), 2) << wide;  // both halves, 16 bytes each
  EXPECT_NE(wide.find("ts::vstore<ts::u8, 8>"), std::string::npos);
  EXPECT_NE(wide.find("ts::fast_silu("), std::string::npos);  // MathMode::fast
  const std::string hinted = source_of("silu_mul_fp8", "vllm_default");  // ["", "first", ""]
  EXPECT_EQ(occurrences(hinted, ", 1>(ptr"), 1) << hinted;
  EXPECT_NE(hinted.find("in_group"), std::string::npos);  // l2_groupings [4]: grouped pid order
  const std::string unaligned = source_of("silu_mul_fp8", "unaligned_d");  // d = 300: b's rows not 16-byte aligned
  EXPECT_NE(unaligned.find("scalar loads: the tile offset is not a compile-time multiple"), std::string::npos);
  EXPECT_NE(unaligned.find("num_programs"), std::string::npos);  // persistent_blocked
}

TEST(CudaCodegen, NarrowResultsConvertInPairs) {
  // silu_mul_fp8: the fp8 store converts the unrounded f32 values two per instruction (the Let
  // that rounds them to fp8 feeds only the store), and the bf16 intermediates are rounded in
  // register pairs after being computed unrounded.
  const std::string s = source_of("silu_mul_fp8", "b64x32_flat");
  EXPECT_NE(s.find("ts::f32x2_to_f8e4m3fn(pr[0], pr[1], raw.v[0], raw.v[1]);"), std::string::npos) << s;
  EXPECT_EQ(s.find("= ts::f32_to_f8e4m3fn("), std::string::npos) << s;
  EXPECT_EQ(occurrences(s, "; q += 2) ts::round2_bf16("), 2) << s;
  EXPECT_EQ(s.find("= ts::round_bf16("), std::string::npos) << s;
  // Per-token quant: f32 maximum/minimum are one max.NaN/min.NaN instruction on sm_80+ (header).
  const std::string q = source_of("dynamic_per_token_scaled_fp8_quant", "reuse_1024_512");
  EXPECT_NE(q.find("max.NaN.f32"), std::string::npos);
  EXPECT_NE(q.find("ts::f32x2_to_f8e4m3fn("), std::string::npos) << q;
}

TEST(CudaCodegen, SiblingLoopsReadTheirSharedLoadOnce) {
  // Per-token quant: absmax over the row, then scale and store it. Each row's tiles are loaded
  // once into a register cache that both device loops read.
  for (const char* name : {"b128_w4", "reuse_1024_512"}) {
    const std::string s = source_of("dynamic_per_token_scaled_fp8_quant", name);
    EXPECT_NE(s.find("read once into"), std::string::npos) << name << "\n" << s;
    EXPECT_EQ(occurrences(s, "= h0["), 2) << name << "\n" << s;  // both loops read the cache
  }
  // Different register runs per thread (spt 1 vs 4): no reuse, both loops load.
  const std::string other = source_of("dynamic_per_token_scaled_fp8_quant", "vllm_like");
  EXPECT_EQ(other.find("h0["), std::string::npos) << other;
}

TEST(CudaCodegen, LargeTilesOnLargeGridsRunInRowSteps) {
  const std::string s = source_of("silu_mul_fp8", "row_steps");  // 64 values per thread, 1056 programs
  EXPECT_NE(s.find("for (int t0_step = 0; t0_step < 2; ++t0_step)"), std::string::npos) << s;
  EXPECT_NE(s.find("t0: block 16 = 4 regs"), std::string::npos) << s;
  const std::string few = source_of("silu_mul_fp8", "b64x32_flat");  // 8 values per thread
  EXPECT_EQ(few.find("_step"), std::string::npos) << few;
}

TEST(CudaCodegen, RowReductionsShuffleThenCrossWarps) {
  const std::string four_warps = source_of("rms_norm", "row_w4");
  for (int o : {1, 2, 4, 8, 16})
    EXPECT_NE(four_warps.find("ts::shfl_xor(red0[q], " + std::to_string(o) + ")"), std::string::npos) << o;
  EXPECT_NE(four_warps.find("red_buf"), std::string::npos);  // one shared-memory round over 4 warps
  EXPECT_GE(occurrences(four_warps, "ts::barrier();"), 2);
  const std::string one_warp = source_of("softmax", "rows2_w1");
  EXPECT_NE(one_warp.find("ts::shfl_xor("), std::string::npos);
  EXPECT_EQ(one_warp.find("red_buf"), std::string::npos) << "one warp needs no shared memory";
  const std::string looped = source_of("rms_norm", "looped_w8");
  EXPECT_NE(looped.find("r0_base += 128"), std::string::npos) << looped;
}

TEST(CudaCodegen, DotStagesOperandsInSharedMemory) {
  const std::string s = source_of("matmul", "b32x32x16_w4");
  EXPECT_NE(s.find("__shared__ __align__(128) ts::u16 sm_v"), std::string::npos) << s;
  EXPECT_NE(s.find("ts::mma_16816_bf16("), std::string::npos);  // tensor cores: tests/codegen/cuda_mma_test.cpp
}

TEST(CudaCodegen, ExplainNamesEveryField) {
  const CudaCase c = test::cuda_example_cases()[6];  // silu vllm_default
  const auto lines = gpu::explain_config(test::lower_cuda_case(c, "sm_90a"), cuda_dialect("sm_90a"));
  std::string all;
  for (const std::string& l : lines) all += l + "\n";
  for (const char* f : {"block_sizes:", "num_warps:", "num_stages:", "pid_type:", "l2_groupings:", "loop_orders:",
                        "flatten_loops:", "reduction_loops:", "load_eviction_policies: used", "indexing:",
                        "range_unroll_factors:"})
    EXPECT_NE(all.find(f), std::string::npos) << f << "\n" << all;
}

TEST(CudaCodegen, TooManyRegistersIsAUserError) {
  CudaCase c = test::cuda_example_cases()[9];  // rms_norm
  c.config = R"({"block_sizes":[64],"num_warps":1})";
  c.sizes = {{"m", 64}, {"n", 8192}};
  EXPECT_THROW(emit_cuda_kernel(test::lower_cuda_case(c, "sm_90a")), UserError);
}

TEST(CudaCodegen, PtxasReportParses) {
  const std::string log =
      "ptxas info    : Compiling entry function 'ts_add' for 'sm_90a'\n"
      "ptxas info    : Function properties for ts_add\n"
      "    8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads\n"
      "ptxas info    : Used 40 registers, used 1 barriers, 1024 bytes smem, 380 bytes cmem[0]\n";
  const ResourceUsage u = parse_ptxas_report(log, "ts_add");
  EXPECT_EQ(u.registers, 40);
  EXPECT_EQ(u.smem_bytes, 1024);
  EXPECT_EQ(u.stack_bytes, 8);
  EXPECT_EQ(u.spill_stores, 4);
  EXPECT_EQ(u.spill_loads, 12);
  EXPECT_EQ(u.constant_bytes, 380);
}

TEST(CudaCodegen, NvrtcErrorsCarryTheLogNameAndSource) {
  if (!nvrtc().ok()) GTEST_SKIP() << "NVRTC not available: " << nvrtc().error;
  Source bad{"ts_broken", "cuda", "extern \"C\" __global__ void ts_broken() { undeclared_thing = 1; }"};
  try {
    nvrtc_compile(bad, {"sm_90a", {}}, false, "/tmp/ts_broken.cu");
    FAIL() << "expected a compile error";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("ts_broken"), std::string::npos) << msg;
    EXPECT_NE(msg.find("undeclared_thing"), std::string::npos) << msg;  // NVRTC's log
    EXPECT_NE(msg.find("/tmp/ts_broken.cu"), std::string::npos) << msg;
  }
}

class CudaNvrtc : public ::testing::TestWithParam<CudaCase> {};

TEST_P(CudaNvrtc, CompilesForAmpereHopperBlackwell) {
  if (!nvrtc().ok()) GTEST_SKIP() << "NVRTC not available: " << nvrtc().error;
  for (const char* target : {"sm_80", "sm_90a", "sm_100a"}) {
    const gpu::KernelSource ks = emit_cuda_kernel(test::lower_cuda_case(GetParam(), target));
    const NvrtcResult r = nvrtc_compile(ks.source, {target, {}}, true);
    EXPECT_GT(r.cubin.size(), 0u) << target;
    const ResourceUsage u = parse_ptxas_report(r.log, ks.source.kernel_name);
    EXPECT_GT(u.registers, 0) << target << "\n" << r.log;
    EXPECT_EQ(u.spill_stores, 0) << target << ": register tiles spilled\n" << r.log;
    EXPECT_EQ(u.stack_bytes, 0) << target << ": a register array went to local memory\n" << r.log;
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, CudaNvrtc, ::testing::ValuesIn(test::cuda_example_cases()),
                         [](const auto& info) { return info.param.example + "_" + info.param.name; });

}  // namespace
}  // namespace tessera::backend::cuda
