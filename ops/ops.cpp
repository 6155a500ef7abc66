// SPDX-License-Identifier: Apache-2.0
#include "ops/ops.h"

#include <mutex>

#include "ops/add/add.h"
#include "ops/dynamic_per_token_scaled_fp8_quant/dynamic_per_token_scaled_fp8_quant.h"
#include "ops/fused_qk_norm_rope/fused_qk_norm_rope.h"
#include "ops/layer_norm/layer_norm.h"
#include "ops/matmul/matmul.h"
#include "ops/per_token_group_fp8_quant/per_token_group_fp8_quant.h"
#include "ops/rms_norm/rms_norm.h"
#include "ops/rms_norm_dynamic_per_token_quant/rms_norm_dynamic_per_token_quant.h"
#include "ops/rms_norm_per_block_quant/rms_norm_per_block_quant.h"
#include "ops/silu_and_mul_per_block_quant/silu_and_mul_per_block_quant.h"
#include "ops/silu_mul_fp8/silu_mul_fp8.h"
#include "ops/softmax/softmax.h"

namespace tessera::ops {

std::vector<registry::KernelSpec> op_specs() {
  std::vector<registry::KernelSpec> specs;
  specs.push_back(silu_mul_fp8_spec());
  specs.push_back(dynamic_per_token_scaled_fp8_quant_spec());
  specs.push_back(per_token_group_fp8_quant_spec());
  specs.push_back(rms_norm_dynamic_per_token_quant_spec());
  specs.push_back(rms_norm_per_block_quant_spec());
  specs.push_back(silu_and_mul_per_block_quant_spec());
  specs.push_back(fused_qk_norm_rope_spec());
  specs.push_back(rms_norm_spec());
  specs.push_back(layer_norm_spec());
  specs.push_back(softmax_spec());
  specs.push_back(add_spec());
  specs.push_back(matmul_spec());
  return specs;
}

void register_ops(registry::KernelRegistry& registry) {
  for (registry::KernelSpec& s : op_specs()) registry.register_kernel(std::move(s));
}

registry::KernelRegistry& ops_registry() {
  static std::once_flag once;
  std::call_once(once, [] { register_ops(registry::kernel_registry()); });
  return registry::kernel_registry();
}

const registry::RegisteredKernel& op_kernel(std::string_view name) { return ops_registry().get(name); }

void call(std::string_view name, registry::KernelArgs args, runtime::Stream* stream) {
  op_kernel(name).call(args, stream);
}

}  // namespace tessera::ops
