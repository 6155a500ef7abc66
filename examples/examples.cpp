// SPDX-License-Identifier: Apache-2.0
#include "examples/examples.h"

namespace tessera::examples {

const std::vector<ExampleEntry>& example_kernels() {
  static const std::vector<ExampleEntry> kAll = {
      {"add", [] { return add_kernel(); }},
      {"silu_mul_fp8", [] { return silu_mul_fp8_kernel(); }},
      {"rms_norm", [] { return rms_norm_kernel(); }},
      {"softmax", [] { return softmax_kernel(); }},
      {"layer_norm", [] { return layer_norm_kernel(); }},
      {"dynamic_per_token_scaled_fp8_quant", [] { return dynamic_per_token_fp8_quant_kernel(); }},
      {"matmul", [] { return matmul_kernel(); }},
  };
  return kAll;
}

}  // namespace tessera::examples
