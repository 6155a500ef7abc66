// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The example kernels x configs x shapes that the CUDA codegen tests (NVRTC, no GPU) and the
/// CUDA conformance tests (cuda:0 against the float64 interpreter) share. Shapes are ragged (not
/// multiples of any block size) so every edge mask is exercised; configs cover every pid type,
/// L2 grouping, loop orders, eviction hints, looped reductions and warp counts from 1 to 8.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "examples/examples.h"
#include "tessera/ir/size_expr.h"
#include "tessera/lower/program.h"
#include "tessera/support/python_json.h"

namespace tessera::test {

/// One case: an example kernel, a config (JSON object), the sizes, and whether the sizes that
/// are not specialized stay run-time launch parameters (with run-time strides).
struct CudaCase {
  std::string example;
  std::string name;  ///< gtest-safe
  std::string config;
  std::map<std::string, std::int64_t> sizes;
  bool dynamic = false;
};

inline std::vector<CudaCase> cuda_example_cases() {
  const std::map<std::string, std::int64_t> mn = {{"m", 37}, {"n", 300}};
  std::vector<CudaCase> c = {
      {"add", "default", "{}", mn},
      {"add", "b16x16_w2", R"({"block_sizes":[16,16],"num_warps":2})", mn},
      {"add", "persistent_interleaved", R"({"block_sizes":[8,128],"num_warps":4,"pid_type":"persistent_interleaved"})", mn},
      {"add", "xyz_order10", R"({"block_sizes":[32,64],"num_warps":8,"pid_type":"xyz","loop_orders":[[1,0]]})", mn},
      {"add", "l2group4", R"({"block_sizes":[16,32],"num_warps":4,"l2_groupings":[4]})", mn},
      {"add", "dynamic", R"({"block_sizes":[16,64],"num_warps":4})", mn, true},
      {"silu_mul_fp8", "vllm_default", R"({"block_sizes":[1,512],"num_warps":8,"load_eviction_policies":["","first",""],"l2_groupings":[4],"loop_orders":[[1,0]]})", {{"m", 37}, {"two_d", 1024}}},
      {"silu_mul_fp8", "b64x32_flat", R"({"block_sizes":[64,32],"num_warps":8,"flatten_loops":[true]})", {{"m", 37}, {"two_d", 1024}}},
      {"silu_mul_fp8", "unaligned_d", R"({"block_sizes":[16,64],"num_warps":4,"pid_type":"persistent_blocked"})", {{"m", 37}, {"two_d", 600}}},
      {"rms_norm", "row_w4", R"({"block_sizes":[1],"num_warps":4})", mn},
      {"rms_norm", "looped_w8", R"({"block_sizes":[4],"num_warps":8,"reduction_loops":[128]})", mn},
      {"rms_norm", "dynamic_looped", R"({"block_sizes":[2],"num_warps":2,"reduction_loops":[64]})", mn, true},
      {"softmax", "row_w4", R"({"block_sizes":[1],"num_warps":4})", mn},
      {"softmax", "rows2_w1", R"({"block_sizes":[2],"num_warps":1})", mn},
      {"softmax", "looped_w8", R"({"block_sizes":[4],"num_warps":8,"reduction_loops":[64]})", mn},
      {"layer_norm", "row_w8", R"({"block_sizes":[1],"num_warps":8})", mn},
      {"layer_norm", "looped_w2", R"({"block_sizes":[8],"num_warps":2,"reduction_loops":[32]})", mn},
      {"dynamic_per_token_scaled_fp8_quant", "b128_w4", R"({"block_sizes":[128,128],"num_warps":4})", {{"num_tokens", 37}, {"hidden_size", 300}}},
      {"dynamic_per_token_scaled_fp8_quant", "vllm_like", R"({"block_sizes":[64,256],"num_warps":2,"range_unroll_factors":[0,2],"load_eviction_policies":["last","",""]})", {{"num_tokens", 37}, {"hidden_size", 512}}},
      // The two loops tile the row differently (as most of vLLM's configs do); the second reads
      // the first's register cache (printer_memory_reuse.cpp), ragged last tiles.
      {"dynamic_per_token_scaled_fp8_quant", "reuse_1024_512", R"({"block_sizes":[1024,512],"num_warps":2})", {{"num_tokens", 37}, {"hidden_size", 2000}}},
      // 1056 programs of 64 values per thread: rows in 2 steps of 16 (plan_row_split), ragged.
      {"silu_mul_fp8", "row_steps", R"({"block_sizes":[32,64],"num_warps":1})", {{"m", 2100}, {"two_d", 2048}}},
      {"matmul", "b32x32x16_w4", R"({"block_sizes":[32,32,16],"num_warps":4})", {{"m", 70}, {"k", 100}, {"n", 90}}},
      {"matmul", "b64x64x32_l2", R"({"block_sizes":[64,64,32],"num_warps":4,"l2_groupings":[4],"num_stages":3})", {{"m", 70}, {"k", 100}, {"n", 90}}},
      {"matmul", "persistent_dynamic", R"({"block_sizes":[16,64,64],"num_warps":2,"pid_type":"persistent_interleaved"})", {{"m", 70}, {"k", 100}, {"n", 90}}, true},
      // Tensor cores with the cp.async pipeline: 16-byte aligned rows (k, n multiples of 8),
      // every tile edge ragged (m, n, k not multiples of the block sizes), K tail zero-filled.
      {"matmul", "mma_b128x128x32_s3_w8", R"({"block_sizes":[128,128,32],"num_warps":8,"num_stages":3,"l2_groupings":[8]})", {{"m", 300}, {"k", 200}, {"n", 264}}},
      {"matmul", "mma_b128x256x32_s2_w8", R"({"block_sizes":[128,256,32],"num_warps":8,"num_stages":2})", {{"m", 200}, {"k", 72}, {"n", 520}}},
      {"matmul", "mma_b64x128x64_s4_persistent", R"({"block_sizes":[64,128,64],"num_warps":4,"num_stages":4,"pid_type":"persistent_blocked"})", {{"m", 300}, {"k", 456}, {"n", 136}}},
      {"matmul", "mma_b16x32x16_s2_w1", R"({"block_sizes":[16,32,16],"num_warps":1,"num_stages":2})", {{"m", 33}, {"k", 40}, {"n", 48}}},
      // Hopper wgmma on sm_90a (mma.sync elsewhere): 128B-swizzled panels in dynamic shared
      // memory above 48 KB, wait_group 1 across iterations (8, 4 and 3 stages; 32-wide K tiles
      // over a ragged k = 1000), a persistent program refilling its buffers, and a single stage of
      // element-wise copies (k = 100 is not 16-byte aligned) with 64B-swizzled 32-wide K panels.
      {"matmul", "wgmma_b128x256x64_s4_w8", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"l2_groupings":[8]})", {{"m", 300}, {"k", 200}, {"n", 520}}},
      {"matmul", "wgmma_b128x256x32_s8_w8_deep", R"({"block_sizes":[128,256,32],"num_warps":8,"num_stages":8})", {{"m", 300}, {"k", 1000}, {"n", 520}}},
      {"matmul", "wgmma_b128x128x64_s3_w4_persistent", R"({"block_sizes":[128,128,64],"num_warps":4,"num_stages":3,"pid_type":"persistent_blocked"})", {{"m", 260}, {"k", 456}, {"n", 200}}},
      {"matmul", "wgmma_b64x64x32_s1_w4_unaligned", R"({"block_sizes":[64,64,32],"num_warps":4})", {{"m", 70}, {"k", 100}, {"n", 90}}},
      // Whole 16-byte copies along the axes whose tiles are all full, bounded ones along the
      // ragged: only k ragged (A's columns, B's rows), then only m (A's rows).
      {"matmul", "wgmma_b128x256x64_s4_k_ragged", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4})", {{"m", 256}, {"k", 200}, {"n", 512}}},
      {"matmul", "wgmma_b128x256x64_s4_m_ragged", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4})", {{"m", 300}, {"k", 256}, {"n", 512}}},
      // TMA copies where `indexing` says tensor_descriptor (sm_90a; cp.async elsewhere): both
      // operands with every edge ragged (zero-filled boxes), 64B-swizzled 32-wide K panels over
      // a deep pipeline, a persistent program re-initialising its mbarriers per tile, and B alone
      // by TMA beside A by cp.async in one pipeline.
      {"matmul", "tma_b128x256x64_s4_w8", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"l2_groupings":[8],"indexing":["tensor_descriptor","tensor_descriptor","pointer"]})", {{"m", 300}, {"k", 200}, {"n", 520}}},
      {"matmul", "tma_b128x256x32_s8_w8_deep", R"({"block_sizes":[128,256,32],"num_warps":8,"num_stages":8,"indexing":"tensor_descriptor"})", {{"m", 300}, {"k", 1000}, {"n", 520}}},
      {"matmul", "tma_b128x128x64_s3_w4_persistent", R"({"block_sizes":[128,128,64],"num_warps":4,"num_stages":3,"pid_type":"persistent_blocked","indexing":["tensor_descriptor","tensor_descriptor","pointer"]})", {{"m", 260}, {"k", 456}, {"n", 200}}},
      {"matmul", "tma_b_only_b128x256x64_s4_w8", R"({"block_sizes":[128,256,64],"num_warps":8,"num_stages":4,"indexing":["pointer","tensor_descriptor","pointer"]})", {{"m", 256}, {"k", 256}, {"n", 512}}},
  };
  return c;
}

/// Lowers `c` for `target` with `warp_size` lanes per warp (64 for AMD CDNA wavefronts, as the
/// HIP codegen tests use these cases too): specialized sizes always constant; the others
/// constant unless `c.dynamic`; strides contiguous and constant unless `c.dynamic`.
inline lower::Program lower_cuda_case(const CudaCase& c, const std::string& target, int warp_size = 32) {
  const examples::ExampleEntry* entry = nullptr;
  for (const auto& e : examples::example_kernels())
    if (e.name == c.example) entry = &e;
  auto kernel = std::make_shared<const ir::Kernel>(entry->make());
  lower::Specialization spec;
  for (const auto& sv : kernel->size_vars)
    if (!c.dynamic || sv.specialized) spec.sizes[sv.name] = c.sizes.at(sv.name);
  if (!c.dynamic) {
    for (const auto* list : {&kernel->inputs, &kernel->outputs}) {
      for (const ir::TensorParam& t : *list) {
        std::vector<std::int64_t> strides(t.dims.size(), 1);
        std::int64_t n = 1;
        for (int d = t.rank() - 1; d >= 0; --d) strides[d] = n, n *= ir::eval_size(t.dims[d], c.sizes);
        spec.strides[t.name] = strides;
      }
    }
  }
  const Config config = Config::from_json(json::parse(c.config, c.name), c.name);
  return lower::lower(kernel, config, spec, target, warp_size);
}

}  // namespace tessera::test
