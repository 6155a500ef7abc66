// SPDX-License-Identifier: Apache-2.0
#include "ops/harness.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include <tbb/parallel_for.h>

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

double dtype_epsilon(DType dtype) {
  switch (dtype) {
    case DType::f64: return std::ldexp(1.0, -52);
    case DType::f32: return std::ldexp(1.0, -23);
    case DType::f16: return std::ldexp(1.0, -10);
    case DType::bf16: return std::ldexp(1.0, -7);
    case DType::f8e4m3fn: return std::ldexp(1.0, -3);
    case DType::f8e5m2: return std::ldexp(1.0, -2);
    default: break;
  }
  user_error(cat("dtype_epsilon: ", dtype_name(dtype),
                 " is not a float dtype; a check's precision_of must name a float tensor"));
}

DType check_precision(const registry::OutputCheck& check, const registry::HostArgs& args) {
  if (!check.precision_of) return DType::f32;
  const auto* t = std::get_if<ir::HostTensor>(&args.at(*check.precision_of));
  TS_USER_CHECK(t) << "output check: argument " << *check.precision_of
                   << " (precision_of) is not a tensor in this call; pass it or drop precision_of";
  return t->dtype;
}

std::int64_t check_floor_group(const registry::OutputCheck& check, const registry::HostArgs& args) {
  if (!check.floor_group_of) return 0;
  const auto* v = std::get_if<std::int64_t>(&args.at(*check.floor_group_of));
  TS_USER_CHECK(v && *v > 0) << "output check: argument " << *check.floor_group_of
                             << " (floor_group_of) must be a positive int in this call";
  return *v;
}

namespace {

/// The comparison of a range of rows; merged in row order.
struct Partial {
  double max_ulp = 0, max_rel = 0;
  std::int64_t mismatches = 0;
  std::int64_t first = -1;  ///< flat index of the first mismatch
  double first_got = 0, first_want = 0, first_ulp = 0;
};

}  // namespace

OutputError compare_output(const std::string& arg, const ir::HostTensor& got, const ir::HostTensor& want,
                           const registry::OutputCheck& check, DType precision, std::int64_t floor_group) {
  TS_INTERNAL_CHECK(got.dtype == want.dtype && got.shape == want.shape) << "compare_output: mismatched tensors";
  const bool by_rel_ulps = check.rel_ulps >= 0, by_floor = check.floor_ulps >= 0;
  const double eps = by_rel_ulps || by_floor ? dtype_epsilon(precision) : 0;
  // Rows: the last dimension (rank 0: one row of one element); leading indices by strides.
  const int rank = got.rank();
  const std::int64_t len = rank == 0 ? 1 : got.shape.back();
  const std::int64_t rows = len == 0 ? 0 : got.numel() / len;
  const std::int64_t group = floor_group > 0 ? floor_group : std::max<std::int64_t>(len, 1);
  const std::int64_t gs = rank == 0 ? 0 : got.strides.back(), ws = rank == 0 ? 0 : want.strides.back();
  auto row_base = [&](const ir::HostTensor& t, std::int64_t row) {
    std::int64_t off = 0;
    for (int d = rank - 2; d >= 0; --d) {
      off += (row % t.shape[d]) * t.strides[d];
      row /= t.shape[d];
    }
    return off;
  };
  auto compare_rows = [&](std::int64_t r0, std::int64_t r1) {
    Partial p;
    for (std::int64_t row = r0; row < r1; ++row) {
      const std::int64_t gb = row_base(got, row), wb = row_base(want, row);
      double floor_abs = -1;
      for (std::int64_t j = 0; j < len; ++j) {
        if (by_floor && j % group == 0) {  // the floor's group starts: its largest |want|
          double group_max = 0;
          for (std::int64_t i = j; i < std::min(len, j + group); ++i) {
            const double w = std::fabs(want.load(wb + i * ws));
            if (std::isfinite(w)) group_max = std::max(group_max, w);  // an inf must not accept anything
          }
          floor_abs = check.floor_ulps * eps * group_max;
        }
        const std::int64_t gi = gb + j * gs, wi = wb + j * ws;
        const double g = got.load(gi), w = want.load(wi);
        const double ulp = ulp_distance(got, gi, want, wi);
        const bool nan_mismatch = std::isnan(g) != std::isnan(w);
        const double diff = nan_mismatch ? HUGE_VAL : g == w || std::isnan(g) ? 0 : std::fabs(g - w);
        const double rel = diff == 0 ? 0 : diff / std::max(std::fabs(w), 1e-30);
        p.max_ulp = std::max(p.max_ulp, ulp);
        p.max_rel = std::max(p.max_rel, rel);
        // The eps bounds need a finite difference (inf <= inf would accept an overflow).
        const bool ok = (check.max_ulp >= 0 && ulp <= check.max_ulp) || (check.max_rel >= 0 && rel <= check.max_rel) ||
                        (by_rel_ulps && std::isfinite(diff) && diff <= check.rel_ulps * eps * std::fabs(w)) ||
                        (by_floor && std::isfinite(diff) && diff <= floor_abs);
        if (!ok && p.mismatches++ == 0) {
          p.first = row * len + j;
          p.first_got = g, p.first_want = w, p.first_ulp = ulp;
        }
      }
    }
    return p;
  };
  // Fixed chunks of rows (not the scheduler's), so merging in chunk order is deterministic.
  const std::int64_t chunk = std::max<std::int64_t>(1, (1 << 16) / std::max<std::int64_t>(len, 1));
  const std::int64_t chunks = (rows + chunk - 1) / chunk;
  std::vector<Partial> parts(static_cast<std::size_t>(chunks));
  tbb::parallel_for(std::int64_t{0}, chunks, [&](std::int64_t c) {
    parts[static_cast<std::size_t>(c)] = compare_rows(c * chunk, std::min(rows, (c + 1) * chunk));
  });
  OutputError e;
  e.arg = arg;
  for (const Partial& p : parts) {
    e.max_ulp = std::max(e.max_ulp, p.max_ulp);
    e.max_rel = std::max(e.max_rel, p.max_rel);
    if (p.mismatches > 0 && e.mismatches == 0) {
      std::ostringstream os;
      os << "index " << p.first << ": got " << p.first_got << ", want " << p.first_want << " (" << p.first_ulp
         << " ulp)";
      e.first_mismatch = os.str();
    }
    e.mismatches += p.mismatches;
  }
  e.pass = e.mismatches == 0;
  return e;
}

namespace {

void copy_to_device(const ir::HostTensor& t, const runtime::Buffer& buffer) {
  if (!t.storage.empty())
    runtime::copy(buffer.span().sub(0, t.storage.size()), runtime::host_span(t.storage.data(), t.storage.size()));
}

}  // namespace

DeviceArgs upload(const registry::HostArgs& host, const runtime::Device& device) {
  DeviceArgs d;
  d.buffers.reserve(host.size());
  d.args.reserve(host.size());
  for (const registry::HostArg& h : host) {
    if (const auto* t = std::get_if<ir::HostTensor>(&h)) {
      d.buffers.push_back(device.allocate(std::max<std::size_t>(t->storage.size(), 1)));
      copy_to_device(*t, d.buffers.back());
      d.args.emplace_back(runtime::TensorView(d.buffers.back().data(), t->dtype, t->shape, t->strides, device.id()));
    } else {
      d.buffers.emplace_back();
      std::visit([&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (!std::is_same_v<V, ir::HostTensor>) d.args.emplace_back(v);
      }, h);
    }
  }
  return d;
}

void restore_mutated(const registry::KernelSpec& spec, const registry::HostArgs& host, DeviceArgs& dev) {
  for (std::size_t i = 0; i < spec.signature.size() && i < host.size(); ++i)
    if (spec.signature[i].mutated)
      if (const auto* t = std::get_if<ir::HostTensor>(&host[i])) copy_to_device(*t, dev.buffers[i]);
}

std::vector<OutputError> check_outputs(const registry::KernelSpec& spec, const registry::HostArgs& host,
                                       const registry::HostArgs& want, const DeviceArgs& dev) {
  std::vector<OutputError> errors;
  for (const registry::OutputCheck& c : spec.checks) {
    if (!std::holds_alternative<ir::HostTensor>(host[c.arg])) continue;  // an absent optional output
    ir::HostTensor got = std::get<ir::HostTensor>(host[c.arg]);
    if (!got.storage.empty())
      runtime::copy(runtime::host_span(got.storage.data(), got.storage.size()),
                    dev.buffers[c.arg].span().sub(0, got.storage.size()));
    errors.push_back(compare_output(spec.signature[c.arg].name, got, std::get<ir::HostTensor>(want[c.arg]), c,
                                    check_precision(c, host), check_floor_group(c, host)));
  }
  return errors;
}

std::string describe_failures(const std::vector<OutputError>& errors) {
  std::ostringstream os;
  for (const OutputError& e : errors) {
    if (e.pass) continue;
    if (os.tellp() > 0) os << "; ";
    os << e.arg << ": " << e.mismatches << " mismatches, max " << e.max_ulp << " ulp, " << e.first_mismatch;
  }
  return os.str();
}

CaseResult run_host_args(const registry::RegisteredKernel& kernel, const runtime::Device& device,
                         registry::HostArgs host, const RunOptions& options) {
  const registry::KernelSpec& spec = kernel.spec();
  TS_USER_CHECK(host.size() == spec.signature.size())
      << "kernel '" << kernel.name() << "': " << host.size() << " host arguments for " << spec.signature.size()
      << " parameters";
  const DeviceArgs dev = upload(host, device);
  const std::vector<registry::ArgValue>& args = dev.args;
  CaseResult r;
  r.route = kernel.route(args);
  runtime::Stream stream = device.create_stream();
  kernel.call(args, &stream);
  stream.synchronize();
  if (options.check) {
    registry::HostArgs want = host;
    spec.reference(want);
    r.checked = true;
    r.errors = check_outputs(spec, host, want, dev);
    for (const OutputError& e : r.errors) r.pass = r.pass && e.pass;
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
