// SPDX-License-Identifier: Apache-2.0
#include "ops/harness.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "tessera/error.h"
#include "tessera/runtime/buffer.h"
#include "tessera/runtime/stream.h"

namespace tessera::ops {
namespace {

/// Sign-magnitude bit pattern -> a monotone integer ordinal.
std::int64_t float_ordinal(std::uint64_t bits, int width) {
  const std::uint64_t sign = std::uint64_t{1} << (width - 1);
  const auto magnitude = static_cast<std::int64_t>(bits & (sign - 1));
  return (bits & sign) ? -magnitude : magnitude;
}

std::uint64_t raw_bits(const ir::HostTensor& t, std::int64_t offset) {
  const int size = dtype_size(t.dtype);
  std::uint64_t bits = 0;
  std::memcpy(&bits, t.storage.data() + offset * size, static_cast<std::size_t>(size));  // little endian
  return bits;
}

}  // namespace

double ulp_distance(const ir::HostTensor& a, std::int64_t i, const ir::HostTensor& b, std::int64_t j) {
  const double x = a.load(i), y = b.load(j);
  if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y) ? 0 : HUGE_VAL;
  if (!dtype_is_float(a.dtype)) return std::fabs(x - y);
  if (x == y) return 0;  // +0 and -0
  const int width = 8 * dtype_size(a.dtype);
  return static_cast<double>(std::llabs(float_ordinal(raw_bits(a, i), width) - float_ordinal(raw_bits(b, j), width)));
}

OutputError compare_output(const std::string& arg, const ir::HostTensor& got, const ir::HostTensor& want,
                           const registry::OutputCheck& check) {
  TS_INTERNAL_CHECK(got.dtype == want.dtype && got.shape == want.shape) << "compare_output: mismatched tensors";
  OutputError e;
  e.arg = arg;
  const std::int64_t n = got.numel();
  std::vector<std::int64_t> index(got.shape.size(), 0);
  for (std::int64_t flat = 0; flat < n; ++flat) {
    const std::int64_t gi = got.offset(index), wi = want.offset(index);
    const double g = got.load(gi), w = want.load(wi);
    const double ulp = ulp_distance(got, gi, want, wi);
    const double rel = std::isnan(g) != std::isnan(w) ? HUGE_VAL
                       : g == w || (std::isnan(g) && std::isnan(w)) ? 0
                                                                     : std::fabs(g - w) / std::max(std::fabs(w), 1e-30);
    e.max_ulp = std::max(e.max_ulp, ulp);
    e.max_rel = std::max(e.max_rel, rel);
    const bool ok = (check.max_ulp >= 0 && ulp <= check.max_ulp) || (check.max_rel >= 0 && rel <= check.max_rel);
    if (!ok) {
      if (e.mismatches++ == 0) {
        std::ostringstream os;
        os << "index " << flat << ": got " << g << ", want " << w << " (" << ulp << " ulp)";
        e.first_mismatch = os.str();
      }
    }
    for (std::size_t d = index.size(); d-- > 0;) {  // next multi-index, row-major
      if (++index[d] < got.shape[d]) break;
      index[d] = 0;
    }
  }
  e.pass = e.mismatches == 0;
  return e;
}

CaseResult run_host_args(const registry::RegisteredKernel& kernel, const runtime::Device& device,
                         registry::HostArgs host, const RunOptions& options) {
  const registry::KernelSpec& spec = kernel.spec();
  TS_USER_CHECK(host.size() == spec.signature.size())
      << "kernel '" << kernel.name() << "': " << host.size() << " host arguments for " << spec.signature.size()
      << " parameters";
  // Upload every tensor with its strides (over a buffer of its storage's size).
  std::vector<runtime::Buffer> buffers;
  std::vector<registry::ArgValue> args;
  buffers.reserve(host.size());
  for (const registry::HostArg& h : host) {
    if (const auto* t = std::get_if<ir::HostTensor>(&h)) {
      buffers.push_back(device.allocate(std::max<std::size_t>(t->storage.size(), 1)));
      if (!t->storage.empty())
        runtime::copy(buffers.back().span().sub(0, t->storage.size()), runtime::host_span(t->storage.data(), t->storage.size()));
      args.emplace_back(runtime::TensorView(buffers.back().data(), t->dtype, t->shape, t->strides, device.id()));
    } else {
      buffers.emplace_back();
      std::visit([&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (!std::is_same_v<V, ir::HostTensor>) args.emplace_back(v);
      }, h);
    }
  }
  CaseResult r;
  r.route = kernel.route(args);
  runtime::Stream stream = device.create_stream();
  kernel.call(args, &stream);
  stream.synchronize();
  if (options.check) {
    registry::HostArgs want = host;
    spec.reference(want);
    r.checked = true;
    for (const registry::OutputCheck& c : spec.checks) {
      if (!std::holds_alternative<ir::HostTensor>(host[c.arg])) continue;  // an absent optional output
      ir::HostTensor got = std::get<ir::HostTensor>(host[c.arg]);
      if (!got.storage.empty())
        runtime::copy(runtime::host_span(got.storage.data(), got.storage.size()),
                      buffers[c.arg].span().sub(0, got.storage.size()));
      r.errors.push_back(compare_output(spec.signature[c.arg].name, got, std::get<ir::HostTensor>(want[c.arg]), c));
      r.pass = r.pass && r.errors.back().pass;
    }
  }
  if (options.iterations > 0) {
    for (int i = 0; i < options.warmup; ++i) kernel.call(args, &stream);
    runtime::Event start = device.create_event(), end = device.create_event();
    start.record(stream);
    for (int i = 0; i < options.iterations; ++i) kernel.call(args, &stream);
    end.record(stream);
    end.synchronize();
    r.time_ms = elapsed_ms(start, end) / options.iterations;
    if (spec.work && r.time_ms > 0) {
      const registry::Work w = spec.work(host);
      r.gbps = w.bytes / (r.time_ms * 1e6);
      r.tflops = w.flops / (r.time_ms * 1e9);
    }
  }
  return r;
}

CaseResult run_case(const registry::RegisteredKernel& kernel, const runtime::Device& device, const CaseKey& key,
                    const RunOptions& options) {
  CaseResult r = run_host_args(kernel, device, kernel.make_inputs(key, options.seed), options);
  r.case_key = key;
  return r;
}

}  // namespace tessera::ops
