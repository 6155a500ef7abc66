// SPDX-License-Identifier: Apache-2.0
#include "ops/common/op_util.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <variant>

#include <tbb/parallel_for.h>

#include "tessera/error.h"
#include "tessera/registry/picker.h"
#include "tessera/ir/type.h"

namespace tessera::ops {

std::vector<std::int64_t> token_counts_t14() {
  std::vector<std::int64_t> t;
  for (std::int64_t m = 1; m <= 8192; m *= 2) t.push_back(m);
  return t;
}

void expect(bool ok, std::string_view kernel, std::string_view arg, const runtime::TensorView& v,
            std::string_view what) {
  TS_USER_CHECK(ok) << "kernel '" << kernel << "': argument '" << arg << "' must be " << what << ", got " << v.str();
}

void expect_tensor(std::string_view kernel, std::string_view arg, const runtime::TensorView& v,
                   std::initializer_list<DType> dtypes, int rank) {
  bool dtype_ok = false;
  std::ostringstream allowed;
  for (DType d : dtypes) {
    dtype_ok |= v.dtype() == d;
    allowed << (allowed.tellp() > 0 ? " or " : "") << dtype_name(d);
  }
  expect(dtype_ok && v.rank() == rank, kernel, arg, v, allowed.str() + " of rank " + std::to_string(rank));
}

void expect_dim(std::string_view kernel, std::string_view arg, const runtime::TensorView& v, int dim,
                std::int64_t size) {
  expect(v.rank() > dim && v.size(dim) == size, kernel, arg, v,
         "of size " + std::to_string(size) + " in dimension " + std::to_string(dim));
}

void expect_inner_contiguous(std::string_view kernel, std::string_view arg, const runtime::TensorView& v) {
  expect(v.rank() == 0 || v.size(v.rank() - 1) <= 1 || v.stride(v.rank() - 1) == 1, kernel, arg, v,
         "contiguous in its last dimension (stride 1)");
}

runtime::TensorView reshape_view(const runtime::TensorView& v, std::vector<std::int64_t> shape,
                                 std::vector<std::int64_t> strides) {
  return runtime::TensorView(v.data(), v.dtype(), shape, strides, v.device());
}

void expect_matrix(std::string_view kernel, std::string_view arg, const runtime::TensorView& v, DType dtype,
                   std::int64_t rows, std::int64_t cols, std::string_view what) {
  expect_tensor(kernel, arg, v, {dtype}, 2);
  expect(v.size(0) == rows && v.size(1) == cols, kernel, arg, v, what);
  expect_inner_contiguous(kernel, arg, v);
}

void expect_vector(std::string_view kernel, std::string_view arg, const runtime::TensorView& v, DType dtype,
                   std::int64_t size) {
  expect_tensor(kernel, arg, v, {dtype}, 1);
  expect_dim(kernel, arg, v, 0, size);
}

void bind_row_shape(registry::Binding& b, const runtime::TensorView& rows) {
  b.variant.push_back(static_cast<std::int64_t>(rows.dtype()));
  b.pick_shape.push_back(rows.size(0));
  b.pick_shape.push_back(rows.size(1));
}

std::optional<CaseKey> pick_rows(std::span<const CaseKey> keys, const runtime::TensorView& t,
                                 std::string_view size_field, std::string_view count_field) {
  const std::int64_t n = t.size(t.rank() - 1);
  return registry::pick_by_fields(keys, {{std::string(size_field), registry::PickRule::kClosest, n},
                                         {std::string(count_field), registry::PickRule::kAtLeast, t.numel() / n}});
}

std::vector<CaseKey> row_keys(std::string_view size_field, std::string_view count_field,
                              std::initializer_list<std::int64_t> sizes) {
  std::vector<CaseKey> keys;
  for (std::int64_t m : token_counts_t14())
    for (std::int64_t n : sizes) {
      // Fields in name order, as vLLM's generators spell them (a key keeps its order in files).
      CaseKey::Field size{std::string(size_field), n}, count{std::string(count_field), m};
      keys.push_back(size_field < count_field ? CaseKey({size, count}) : CaseKey({count, size}));
    }
  return keys;
}

runtime::TensorView flatten_to_2d(std::string_view kernel, std::string_view arg, const runtime::TensorView& v) {
  if (v.rank() == 2) return v;
  expect(v.rank() >= 2 && v.is_contiguous(), kernel, arg, v, "2-D, or contiguous with rank >= 2");
  std::int64_t rows = 1;
  for (int d = 0; d + 1 < v.rank(); ++d) rows *= v.size(d);
  const std::int64_t n = v.size(v.rank() - 1);
  return reshape_view(v, {rows, n}, {n, 1});
}

runtime::TensorView split_last_dim(const runtime::TensorView& v, std::int64_t g) {
  return reshape_view(v, {v.size(0), v.size(1) / g, g}, {v.stride(0), g, 1});
}

runtime::TensorView as_scalar_view(std::string_view kernel, std::string_view arg, const runtime::TensorView& v) {
  expect(v.numel() == 1 && v.dtype() == DType::f32, kernel, arg, v, "a one-element f32 tensor");
  return reshape_view(v, {1}, {1});
}

namespace {

/// Fills `t` (contiguous) from `dist` in parallel: chunk c of 2^16 elements draws from its own
/// generator, seeded by one draw of `rng` and c, so the values do not depend on the number of
/// threads (a GPU case of 8192 x 51200 inputs is 0.4 G draws: seconds on one thread).
template <typename Dist>
void fill_random(ir::HostTensor& t, std::mt19937_64& rng, const Dist& dist) {
  const std::uint64_t base = rng();
  constexpr std::int64_t kChunk = std::int64_t{1} << 16;
  const std::int64_t n = t.numel();
  tbb::parallel_for(std::int64_t{0}, (n + kChunk - 1) / kChunk, [&](std::int64_t c) {
    std::seed_seq seq{static_cast<std::uint32_t>(base), static_cast<std::uint32_t>(base >> 32),
                      static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32)};
    std::mt19937_64 gen(seq);
    Dist d = dist;
    for (std::int64_t i = c * kChunk, end = std::min(n, i + kChunk); i < end; ++i) t.store(i, d(gen));
  });
}

}  // namespace

void for_each_row(std::int64_t rows, const std::function<void(std::int64_t row)>& body) {
  tbb::parallel_for(std::int64_t{0}, rows, [&](std::int64_t i) { body(i); });
}

ir::HostTensor random_normal(DType dtype, std::vector<std::int64_t> shape, std::mt19937_64& rng, double mean,
                             double std) {
  ir::HostTensor t = ir::HostTensor::zeros(dtype, std::move(shape));
  fill_random(t, rng, std::normal_distribution<double>(mean, std));
  return t;
}

ir::HostTensor random_uniform(DType dtype, std::vector<std::int64_t> shape, std::mt19937_64& rng, double lo,
                              double hi) {
  ir::HostTensor t = ir::HostTensor::zeros(dtype, std::move(shape));
  fill_random(t, rng, std::uniform_real_distribution<double>(lo, hi));
  return t;
}

double rms_quant_scale_ub(const ir::HostTensor& x, const ir::HostTensor* residual, const ir::HostTensor& w,
                          double eps) {
  const std::int64_t m = x.shape[0], h = x.shape[1];
  const DType dt = x.dtype;
  std::vector<double> row_sum(static_cast<std::size_t>(m)), row_max(static_cast<std::size_t>(m));
  for_each_row(m, [&](std::int64_t i) {
    std::vector<double> v(static_cast<std::size_t>(h));
    double ss = 0;
    for (std::int64_t j = 0; j < h; ++j) {
      v[j] = x.load(i * x.strides[0] + j * x.strides[1]) +
             (residual ? residual->load(i * residual->strides[0] + j * residual->strides[1]) : 0.0);
      ss += v[j] * v[j];
    }
    const double r = 1.0 / std::sqrt(ss / static_cast<double>(h) + eps);
    double sum = 0, mx = 0;
    for (std::int64_t j = 0; j < h; ++j) {
      const double a = std::fabs(ir::round_to_dtype(ir::round_to_dtype(v[j] * r, dt) * w.load(j * w.strides[0]), dt));
      sum += a, mx = std::max(mx, a);
    }
    row_sum[static_cast<std::size_t>(i)] = sum, row_max[static_cast<std::size_t>(i)] = mx;
  });
  double sum = 0, mx = 0;
  for (std::size_t i = 0; i < row_sum.size(); ++i) sum += row_sum[i], mx = std::max(mx, row_max[i]);
  return 0.5 * (sum / static_cast<double>(std::max<std::int64_t>(m * h, 1)) + mx);
}

ir::HostTensor poisoned(DType dtype, std::vector<std::int64_t> shape) {
  ir::HostTensor t = ir::HostTensor::zeros(dtype, std::move(shape));
  t.fill_bytes(0xFF);
  return t;
}

ir::HostTensor scalar_tensor(double value) {
  ir::HostTensor t = ir::HostTensor::zeros(DType::f32, {1});
  t.store(0, value);
  return t;
}

std::int64_t key_int(const CaseKey& key, std::string_view name) {
  const auto v = key.get_int(name);
  TS_USER_CHECK(v.has_value()) << "case key " << key.canonical() << " has no integer field '" << name << "'";
  return *v;
}

DType key_dtype(const CaseKey& key) {
  const KeyScalar* v = key.find("dtype");
  const std::string* name = v ? std::get_if<std::string>(v) : nullptr;
  const std::optional<DType> d = name ? parse_dtype(*name) : std::optional<DType>(DType::bf16);
  TS_USER_CHECK(d.has_value()) << "case key " << key.canonical() << ": 'dtype' must be bf16, f16 or f32";
  return *d;
}

}  // namespace tessera::ops
