// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helpers: random host tensors and per-dtype comparisons (tolerances in ulps of the
// output dtype, fp8 compared as code distance).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>

#include "tessera/ir/host_tensor.h"

namespace tessera::testing {

/// A tensor of the given shape with values drawn from N(mean, stddev), rounded to dtype.
inline ir::HostTensor random_tensor(DType dt, std::vector<std::int64_t> shape, std::mt19937& rng, double mean = 0,
                                    double stddev = 1) {
  auto t = ir::HostTensor::zeros(dt, std::move(shape));
  std::normal_distribution<double> dist(mean, stddev);
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(t.storage.size()) / dtype_size(dt); ++i) t.store(i, dist(rng));
  return t;
}

/// A tensor filled with NaN-like garbage bytes (0xFF), so unwritten elements are detected.
inline ir::HostTensor poisoned(DType dt, std::vector<std::int64_t> shape) {
  auto t = ir::HostTensor::zeros(dt, std::move(shape));
  t.fill_bytes(0xFF);
  return t;
}

/// Spacing of dtype's numbers at |x| (for f32/f16/bf16).
inline double ulp_of(DType dt, double x) {
  const int mant = dt == DType::f32 ? 23 : dt == DType::f16 ? 10 : dt == DType::bf16 ? 7 : 52;
  const int emin = dt == DType::f32 ? -126 : dt == DType::f16 ? -14 : dt == DType::bf16 ? -126 : -1022;
  int e = 0;
  std::frexp(std::fabs(x), &e);
  return std::ldexp(1.0, std::max(e - 1, emin) - mant);
}

/// Ordered integer of an fp8 code (monotone in value), for code distances.
inline int fp8_order(std::uint8_t c) { return (c & 0x80) ? -static_cast<int>(c & 0x7F) : static_cast<int>(c); }

/// Expects got == want element-wise within `ulps` of the output dtype (+ atol); fp8 within
/// `ulps` codes. Elements are compared through the tensors' logical indices.
inline void expect_close(const ir::HostTensor& got, const ir::HostTensor& want, double ulps, double atol,
                         const std::string& what) {
  ASSERT_EQ(got.shape, want.shape) << what;
  ASSERT_EQ(got.dtype, want.dtype) << what;
  std::vector<std::int64_t> idx(got.shape.size(), 0);
  int failures = 0;
  for (std::int64_t n = 0; n < got.numel(); ++n) {
    const std::int64_t og = got.offset(idx), ow = want.offset(idx);
    if (dtype_is_fp8(got.dtype)) {
      std::uint8_t a, b;
      std::memcpy(&a, got.storage.data() + og, 1);
      std::memcpy(&b, want.storage.data() + ow, 1);
      const int d = std::abs(fp8_order(a) - fp8_order(b));
      if (d > ulps && ++failures <= 5) ADD_FAILURE() << what << " at flat " << n << ": code " << int(a) << " vs " << int(b);
    } else {
      const double a = got.load(og), b = want.load(ow);
      const double tol = ulps * ulp_of(got.dtype, b) + atol;
      if (!(std::fabs(a - b) <= tol) && ++failures <= 5)
        ADD_FAILURE() << what << " at flat " << n << ": " << a << " vs reference " << b << " (tol " << tol << ")";
    }
    for (std::size_t d = idx.size(); d-- > 0;) {
      if (++idx[d] < got.shape[d]) break;
      idx[d] = 0;
    }
  }
  EXPECT_EQ(failures, 0) << what << ": " << failures << " mismatches";
}

}  // namespace tessera::testing
