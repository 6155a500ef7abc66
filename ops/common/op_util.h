// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// What the op folders share: vLLM's quantization constants, argument checks with uniform
/// messages, views that re-shape a call's tensors for the kernel, and host input generation
/// (seeded, reproducible) for input generators and tests.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/dtype.h"
#include "tessera/ir/host_tensor.h"
#include "tessera/keys/case_key.h"
#include "tessera/registry/kernel_args.h"
#include "tessera/registry/kernel_spec.h"

namespace tessera::ops {

/// float8_e4m3fn's finite range (vLLM `get_fp8_min_max()` on CUDA).
inline constexpr double kFp8Max = 448.0;
/// vLLM's smallest fp8 scale: 1 / (fp8_max * 512) = 1 / 229376.
inline constexpr double kFp8MinScale = 1.0 / (kFp8Max * 512.0);
/// int8's range and vLLM's smallest int8 scale (`torch.finfo(torch.float32).eps`).
inline constexpr double kInt8Min = -128.0;
inline constexpr double kInt8Max = 127.0;
inline constexpr double kInt8MinScale = 1.1920928955078125e-07;

/// The quantization constants of an output dtype (vLLM's get_fp8_min_max / get_int8_min_max
/// and their smallest scales).
struct QuantRange {
  double min, max, min_scale;
};
inline QuantRange quant_range(bool int8) {
  return int8 ? QuantRange{kInt8Min, kInt8Max, kInt8MinScale} : QuantRange{-kFp8Max, kFp8Max, kFp8MinScale};
}

/// vLLM's token-count list T14 = 1, 2, 4, ..., 8192.
std::vector<std::int64_t> token_counts_t14();

/// Throws `UserError` "kernel 'K': argument 'A' must be <what>, got <view>" unless `ok`.
void expect(bool ok, std::string_view kernel, std::string_view arg, const runtime::TensorView& v,
            std::string_view what);
/// Checks dtype and rank, naming the allowed dtypes.
void expect_tensor(std::string_view kernel, std::string_view arg, const runtime::TensorView& v,
                   std::initializer_list<DType> dtypes, int rank);
/// Checks a dimension's size.
void expect_dim(std::string_view kernel, std::string_view arg, const runtime::TensorView& v, int dim,
                std::int64_t size);
/// Checks that the last dimension is contiguous (stride 1).
void expect_inner_contiguous(std::string_view kernel, std::string_view arg, const runtime::TensorView& v);

/// Checks a 2-d tensor of `dtype` with `rows` x `cols` elements (`what` names the expected
/// shape, e.g. "of the input's shape") and a contiguous last dimension.
void expect_matrix(std::string_view kernel, std::string_view arg, const runtime::TensorView& v, DType dtype,
                   std::int64_t rows, std::int64_t cols, std::string_view what);
/// Checks a 1-d tensor of `dtype` and `size` elements (a weight or bias over a row).
void expect_vector(std::string_view kernel, std::string_view arg, const runtime::TensorView& v, DType dtype,
                   std::int64_t size);

/// Row-wise ops over [rows, size] (rms_norm, layer_norm, softmax, add): the binding's variant is
/// `rows`' dtype and the picker's shape (rows, size).
void bind_row_shape(registry::Binding& b, const runtime::TensorView& rows);
/// The picker of a row-wise op: the closest tuned `size_field` to `t`'s last dimension, then
/// the smallest tuned `count_field` >= its number of rows (vLLM's rules).
std::optional<CaseKey> pick_rows(std::span<const CaseKey> keys, const runtime::TensorView& t,
                                 std::string_view size_field, std::string_view count_field);
/// The input generator's keys of a row-wise op: T14 row counts x `sizes`, fields in name order.
std::vector<CaseKey> row_keys(std::string_view size_field, std::string_view count_field,
                              std::initializer_list<std::int64_t> sizes);

/// A view of `v`'s memory with another shape and strides (no checks beyond TensorView's).
runtime::TensorView reshape_view(const runtime::TensorView& v, std::vector<std::int64_t> shape,
                                 std::vector<std::int64_t> strides);
/// `v` ([..., n], contiguous) as [prod(leading), n]; a 2-D view as is.
runtime::TensorView flatten_to_2d(std::string_view kernel, std::string_view arg, const runtime::TensorView& v);
/// `v` ([m, n] with stride(1) == 1) as [m, n / g, g].
runtime::TensorView split_last_dim(const runtime::TensorView& v, std::int64_t g);
/// A numel-1 tensor (vLLM's scalar tensors: shape [] or [1]) as a [1] view.
runtime::TensorView as_scalar_view(std::string_view kernel, std::string_view arg, const runtime::TensorView& v);

/// Runs `body(i)` for every i in [0, rows) in parallel (oneTBB), for float64 references and
/// input generators whose rows are independent: each row's results must not depend on another's.
void for_each_row(std::int64_t rows, const std::function<void(std::int64_t row)>& body);

/// A host tensor of `shape` filled with N(mean, std) rounded to `dtype` (values independent of
/// the number of threads that fill it).
ir::HostTensor random_normal(DType dtype, std::vector<std::int64_t> shape, std::mt19937_64& rng, double mean = 0,
                             double std = 1);
/// A host tensor of `shape` filled with U(lo, hi) rounded to `dtype` (as random_normal).
ir::HostTensor random_uniform(DType dtype, std::vector<std::int64_t> shape, std::mt19937_64& rng, double lo,
                              double hi);
/// vLLM's scale_ub for the RMSNorm + quant ops' generators: 0.5 * (mean + max) of
/// |(v * rms(v)).to(dtype) * w| with v = x (+ residual), x's dtype, in float64 (rows in parallel,
/// combined in row order), so clamping by it is partly active.
double rms_quant_scale_ub(const ir::HostTensor& x, const ir::HostTensor* residual, const ir::HostTensor& w,
                          double eps);

/// A host tensor with every byte 0xFF (NaN for floats): an output to be overwritten.
ir::HostTensor poisoned(DType dtype, std::vector<std::int64_t> shape);
/// A one-element f32 host tensor [1] holding `value`.
ir::HostTensor scalar_tensor(double value);

/// The integer field `name` of a case key; `UserError` naming the key if absent.
std::int64_t key_int(const CaseKey& key, std::string_view name);

/// A case key's optional test-only "dtype" field: the inputs' dtype, bf16 (vLLM's) when absent,
/// so tests can run f16 and f32 too. `UserError` naming the key for an unknown dtype name.
DType key_dtype(const CaseKey& key);

}  // namespace tessera::ops
