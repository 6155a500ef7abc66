// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The example kernels of issue 4 (one header per kernel: definition + float64 reference) and
/// a registry of them by name for `tessera ir` and the tests.

#include <functional>
#include <string>
#include <vector>

#include "examples/add.h"
#include "examples/silu_mul_fp8.h"
#include "examples/rms_norm.h"
#include "examples/softmax.h"
#include "examples/layer_norm.h"
#include "examples/dynamic_per_token_fp8_quant.h"
#include "examples/matmul.h"

namespace tessera::examples {

/// The example kernels by name (default dtypes), for `tessera ir` and tests.
struct ExampleEntry {
  std::string name;
  std::function<ir::Kernel()> make;
};
const std::vector<ExampleEntry>& example_kernels();

}  // namespace tessera::examples
