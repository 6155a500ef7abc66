// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Helpers of the lang::Kernel conformance tests: host tensors with random data, device
/// copies of them (through the runtime, so the same test body serves any device), poisoning
/// and per-dtype comparison.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/ir/host_tensor.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/device.h"
#include "tessera/runtime/device_impl.h"
#include "tessera/runtime/tensor.h"

namespace tessera::test {

/// Relative tolerance of one output element, about one unit in the last place of the output
/// dtype plus the accumulated error of f32 arithmetic (ops.h bounds: fast exp/rsqrt/division
/// within a few ulp).
inline double rel_tol(DType t) {
  switch (t) {
    case DType::bf16: return 1.0 / 128;
    case DType::f16: return 1.0 / 1024;
    case DType::f8e4m3fn: return 1.0 / 8;
    case DType::f8e5m2: return 1.0 / 4;
    case DType::f64: return 1e-12;
    default: return 3e-5;
  }
}

/// Fills `t` with uniform values in [lo, hi), rounded to its dtype.
inline void fill_random(ir::HostTensor& t, std::mt19937& rng, double lo = -2.0, double hi = 2.0) {
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<std::int64_t> idx(t.shape.size(), 0);
  for (std::int64_t n = 0; n < t.numel(); ++n) {
    std::int64_t rest = n;
    for (int d = t.rank() - 1; d >= 0; --d) {
      idx[d] = rest % t.shape[d];
      rest /= t.shape[d];
    }
    t.store(t.offset(idx), dist(rng));
  }
}

/// A device copy of a host tensor (same shape, strides and storage bytes).
struct DeviceTensor {
  runtime::Buffer buffer;
  runtime::TensorView view;
};

inline DeviceTensor to_device(const runtime::Device& dev, const ir::HostTensor& h) {
  DeviceTensor d;
  const std::size_t bytes = std::max<std::size_t>(h.storage.size(), 1);
  d.buffer = dev.allocate(bytes);
  if (!h.storage.empty())
    dev.impl().copy(d.buffer.data(), h.storage.data(), h.storage.size(), backend::CopyKind::kHostToDevice, nullptr);
  d.view = runtime::TensorView(d.buffer.data(), h.dtype, h.shape, h.strides, dev.id());
  return d;
}

/// Copies a device tensor's storage back into `h` (which has its shape and strides).
inline void to_host(const runtime::Device& dev, const DeviceTensor& d, ir::HostTensor& h) {
  dev.synchronize();
  if (!h.storage.empty())
    dev.impl().copy(h.storage.data(), d.buffer.data(), h.storage.size(), backend::CopyKind::kDeviceToHost, nullptr);
}

/// Compares every logical element of `got` with `want`: |got - want| <= rel·|want| + abs.
/// Returns the number of mismatches (reports the first few with `what`).
inline int compare(const ir::HostTensor& got, const ir::HostTensor& want, const std::string& what,
                   double abs_tol = 1e-6) {
  EXPECT_EQ(got.shape, want.shape) << what;
  if (got.shape != want.shape) return 1;
  const double rel = rel_tol(got.dtype);
  int bad = 0;
  std::vector<std::int64_t> idx(got.shape.size(), 0);
  for (std::int64_t n = 0; n < got.numel(); ++n) {
    std::int64_t rest = n;
    for (int d = got.rank() - 1; d >= 0; --d) {
      idx[d] = rest % got.shape[d];
      rest /= got.shape[d];
    }
    const double g = got.at(idx), w = want.at(idx);
    const bool ok = (std::isnan(w) && std::isnan(g)) || std::abs(g - w) <= rel * std::abs(w) + abs_tol;
    if (!ok && ++bad <= 5) {
      std::ostringstream pos;
      for (std::size_t i = 0; i < idx.size(); ++i) pos << (i ? "," : "") << idx[i];
      ADD_FAILURE() << what << "[" << pos.str() << "] = " << g << ", expected " << w;
    }
  }
  return bad;
}

/// Absolute tolerances for a matmul out = a·b accumulated in f32 in an order of its own (tensor
/// cores sum K slices in hardware): an output that cancels to near zero keeps an error of about
/// sqrt(K)·u·sum_k |a_ik·b_kj| (u = 2^-24, the probabilistic form of Higham's K·u bound), x4.
/// One per output, row-major (out[i, j] at i·n + j).
inline std::vector<double> matmul_abs_tols(const ir::HostTensor& a, const ir::HostTensor& b) {
  const std::int64_t m = a.shape[0], kd = a.shape[1], n = b.shape[1];
  const double scale = 4.0 * std::sqrt(double(kd)) * 0x1p-24;
  std::vector<double> tol(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i) {
    double* row = tol.data() + i * n;
    for (std::int64_t p = 0; p < kd; ++p) {
      const double x = std::abs(a.at({i, p}));
      for (std::int64_t j = 0; j < n; ++j) row[j] += x * std::abs(b.at({p, j}));
    }
    for (std::int64_t j = 0; j < n; ++j) row[j] *= scale;
  }
  return tol;
}

/// The largest of `matmul_abs_tols`: one absolute tolerance for every output.
inline double matmul_abs_tol(const ir::HostTensor& a, const ir::HostTensor& b) {
  const std::vector<double> tol = matmul_abs_tols(a, b);
  return tol.empty() ? 0.0 : *std::max_element(tol.begin(), tol.end());
}

}  // namespace tessera::test
