// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The arguments of a registered kernel's call, positional as in vLLM's op signatures
/// (`silu_mul_fp8(input, scale)`, `rms_norm_dynamic_per_token_quant(result, input, weight,
/// scale, epsilon, scale_ub=None, residual=None)`): tensors as non-owning views, Python ints,
/// floats and bools as values, and `std::monostate` for an optional argument passed as `None`.
///
/// Device calls take `KernelArgs` (views of device memory); input generators and float64
/// references work on `HostArgs` (host tensors in their storage formats, ir/host_tensor.h).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tessera/ir/host_tensor.h"
#include "tessera/runtime/tensor.h"

namespace tessera::registry {

/// What kind of value one argument takes.
enum class ArgKind : std::uint8_t { kTensor, kInt, kFloat, kBool };

/// "tensor", "int", "float", "bool".
std::string_view arg_kind_name(ArgKind kind);

/// One parameter of an op's signature.
struct ArgSpec {
  std::string name;
  ArgKind kind = ArgKind::kTensor;
  /// May be passed as `std::monostate` (Python `None`).
  bool optional = false;
  /// Written by the op (vLLM's `mutates_args`): outputs, and in-place tensors like `residual`.
  bool mutated = false;
};

/// One argument of a device call. `std::monostate` is an absent optional argument.
using ArgValue = std::variant<std::monostate, runtime::TensorView, std::int64_t, double, bool>;
/// The arguments of one call, in signature order. Views only: no ownership, no allocation.
using KernelArgs = std::span<const ArgValue>;

/// One argument on the host (input generators, references, `tessera run`).
using HostArg = std::variant<std::monostate, ir::HostTensor, std::int64_t, double, bool>;
using HostArgs = std::vector<HostArg>;

/// Checks `args` against `signature`: the count, each value's kind (an int is accepted for a
/// float), `None` only where optional, and every tensor on one device. Throws `UserError`
/// naming `kernel`, the argument and what was passed. Returns the tensors' device (cpu when
/// there are no tensors).
runtime::DeviceId check_args(std::string_view kernel, std::span<const ArgSpec> signature, KernelArgs args);

/// The tensor at `i` (checked by `check_args`); throws `InternalError` if it is not a tensor.
const runtime::TensorView& tensor_arg(KernelArgs args, std::size_t i);
/// The tensor at `i`, or null when it is `None`.
const runtime::TensorView* optional_tensor_arg(KernelArgs args, std::size_t i);
/// The int at `i`.
std::int64_t int_arg(KernelArgs args, std::size_t i);
/// The float at `i` (an int converts).
double float_arg(KernelArgs args, std::size_t i);
/// The bool at `i`.
bool bool_arg(KernelArgs args, std::size_t i);

/// The host tensor at `i` of host arguments (mutable, for references); `InternalError` if absent.
ir::HostTensor& host_tensor_arg(HostArgs& args, std::size_t i);
const ir::HostTensor& host_tensor_arg(const HostArgs& args, std::size_t i);
/// The host tensor at `i`, or null when it is `None`.
const ir::HostTensor* optional_host_tensor_arg(const HostArgs& args, std::size_t i);
/// Non-tensor host values (an int converts to a float).
std::int64_t host_int_arg(const HostArgs& args, std::size_t i);
double host_float_arg(const HostArgs& args, std::size_t i);
bool host_bool_arg(const HostArgs& args, std::size_t i);

/// "bf16[4, 8]", "int 128", "float 1e-06", "bool true", "None": one argument, for messages.
std::string describe_arg(const ArgValue& v);

}  // namespace tessera::registry
