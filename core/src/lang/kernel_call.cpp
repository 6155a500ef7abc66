// SPDX-License-Identifier: Apache-2.0
#define TS_IMPL_LANG_KERNEL 1
#include "kernel_call.h"

#include <sstream>

#include "tessera/error.h"
#include "tessera/ir/expr.h"
#include "tessera/ir/size_expr.h"

namespace tessera::lang::detail {

namespace {

/// Offsets of edge tiles may run past a tensor's last element by up to a block per dimension
/// before masking discards them; this slack (in elements per dimension) keeps those offsets
/// inside the 32-bit range too.
constexpr std::int64_t kIndexSlack = 1024;
constexpr std::int64_t kInt32Max = 2147483647;

/// Size bucket of dynamic shapes (Helion): 0, 1, or 2 meaning ">= 2".
std::int64_t bucket(std::int64_t v) { return v < 2 ? v : 2; }

std::string describe_param(const ir::TensorParam& t) {
  std::ostringstream os;
  os << (t.role == ir::TensorRole::input ? "input" : "output") << " '" << t.name << "' "
     << dtype_name(t.dtype) << "[";
  for (int d = 0; d < t.rank(); ++d) os << (d ? ", " : "") << ir::canonical_size(t.dims[d]);
  os << "]";
  return os.str();
}

/// "inputs x, y; outputs out; scalars eps".
std::string signature(const ir::Kernel& k) {
  std::ostringstream os;
  auto list = [&](const char* what, const auto& v) {
    os << what;
    if (v.empty()) os << " (none)";
    for (std::size_t i = 0; i < v.size(); ++i) os << (i ? ", " : " ") << v[i].name;
  };
  list("inputs", k.inputs);
  list("; outputs", k.outputs);
  list("; scalars", k.scalars);
  return os.str();
}

const ir::TensorParam& tensor_param(const ir::Kernel& k, std::size_t i) {
  return i < k.inputs.size() ? k.inputs[i] : k.outputs[i - k.inputs.size()];
}

}  // namespace

CheckedCall check_call(const ir::Kernel& k, std::span<const Arg> args) {
  const std::size_t num_tensors = k.inputs.size() + k.outputs.size();
  TS_USER_CHECK(args.size() == num_tensors + k.scalars.size())
      << "kernel '" << k.name << "' takes " << num_tensors + k.scalars.size() << " arguments ("
      << signature(k) << "), got " << args.size();
  CheckedCall call;
  ir::SizeBindings bound;
  for (std::size_t i = 0; i < num_tensors; ++i) {
    const ir::TensorParam& p = tensor_param(k, i);
    TS_USER_CHECK(args[i].is_tensor()) << "kernel '" << k.name << "': argument " << i << " is the "
                                       << describe_param(p) << ", got a scalar";
    const runtime::TensorView& t = args[i].tensor();
    TS_USER_CHECK(t.dtype() == p.dtype)
        << "kernel '" << k.name << "': argument " << i << " (" << describe_param(p) << ") has dtype "
        << dtype_name(t.dtype()) << "; pass a " << dtype_name(p.dtype)
        << " tensor or define the kernel for " << dtype_name(t.dtype());
    TS_USER_CHECK(t.rank() == p.rank()) << "kernel '" << k.name << "': argument " << i << " ("
                                        << describe_param(p) << ") has rank " << t.rank() << ": "
                                        << t.str();
    if (i == 0) call.device = t.device();
    TS_USER_CHECK(t.device() == call.device)
        << "kernel '" << k.name << "': all tensors must be on one device; argument 0 is on "
        << call.device.str() << ", argument " << i << " ('" << p.name << "') on " << t.device().str()
        << "; copy it with tessera::runtime::copy first";
    TS_USER_CHECK(t.numel() == 0 || t.data() != nullptr)
        << "kernel '" << k.name << "': argument " << i << " ('" << p.name << "') has no data pointer";
    for (int d = 0; d < p.rank(); ++d) {
      const auto* sv = p.dims[d].as<ir::SizeVar>();
      if (sv == nullptr) continue;
      auto [it, inserted] = bound.emplace(sv->name, t.size(d));
      TS_USER_CHECK(inserted || it->second == t.size(d))
          << "kernel '" << k.name << "': size '" << sv->name << "' is " << it->second
          << " from an earlier argument but " << t.size(d) << " in dimension " << d << " of argument "
          << i << " (" << describe_param(p) << ": " << t.str() << ")";
    }
  }
  for (const ir::SizeVarInfo& sv : k.size_vars) {
    auto it = bound.find(sv.name);
    TS_INTERNAL_CHECK(it != bound.end()) << "kernel '" << k.name << "': size '" << sv.name
                                         << "' is not a dimension of any tensor";
    call.sizes.push_back(it->second);
  }
  // Every dimension (constants and expressions such as `two_d / 2` included) must agree.
  for (std::size_t i = 0; i < num_tensors; ++i) {
    const ir::TensorParam& p = tensor_param(k, i);
    const runtime::TensorView& t = args[i].tensor();
    std::int64_t extent = 0;
    for (int d = 0; d < p.rank(); ++d) {
      const std::int64_t want = ir::eval_size(p.dims[d], bound);
      TS_USER_CHECK(want == t.size(d))
          << "kernel '" << k.name << "': dimension " << d << " of argument " << i << " ("
          << describe_param(p) << ") must be " << ir::canonical_size(p.dims[d]) << " = " << want
          << ", got " << t.str();
      extent += (t.size(d) - 1 + kIndexSlack) * t.stride(d);
    }
    call.needs_index64 = call.needs_index64 || extent >= kInt32Max || t.numel() >= kInt32Max;
  }
  for (std::size_t j = 0; j < k.scalars.size(); ++j) {
    TS_USER_CHECK(!args[num_tensors + j].is_tensor())
        << "kernel '" << k.name << "': argument " << num_tensors + j << " is the scalar '"
        << k.scalars[j].name << "' (" << dtype_name(k.scalars[j].dtype) << "), got a tensor";
  }
  TS_USER_CHECK(num_tensors > 0) << "kernel '" << k.name << "' has no tensor arguments to place it on a device";
  return call;
}

std::int64_t alignment_code(const runtime::TensorView& t, bool static_shapes) {
  return (static_shapes && t.data_aligned16() ? 1 : 0) | (t.rows_aligned16() ? 2 : 0);
}

SpecializationKey make_key(const ir::Kernel& k, const ResolvedSettings& s, std::span<const Arg> args,
                           const CheckedCall& call) {
  std::vector<std::int64_t> codes;
  codes.reserve(8 + k.size_vars.size() + 4 * (k.inputs.size() + k.outputs.size()));
  const bool index64 = s.index_dtype == IndexDType::i64 || call.needs_index64;
  codes.push_back(static_cast<std::int64_t>(call.device.kind));
  codes.push_back(call.device.index);
  codes.push_back(index64 ? 1 : 0);
  codes.push_back(s.static_shapes ? 1 : 0);
  for (std::size_t i = 0; i < k.size_vars.size(); ++i)
    codes.push_back(s.static_shapes || k.size_vars[i].specialized ? call.sizes[i] : bucket(call.sizes[i]));
  const std::size_t num_tensors = k.inputs.size() + k.outputs.size();
  for (std::size_t i = 0; i < num_tensors; ++i) {
    const runtime::TensorView& t = args[i].tensor();
    for (int d = 0; d < t.rank(); ++d) codes.push_back(s.static_shapes ? t.size(d) : bucket(t.size(d)));
    if (s.static_shapes)
      for (int d = 0; d < t.rank(); ++d) codes.push_back(t.stride(d));
    codes.push_back(alignment_code(t, s.static_shapes));
  }
  return SpecializationKey(std::move(codes), s.extra_key ? s.extra_key(args) : std::string());
}

std::string key_text(const ir::Kernel& k, const std::vector<std::int64_t>& codes, const std::string& extra) {
  std::ostringstream os;
  std::size_t c = 0;
  const auto kind = static_cast<runtime::DeviceKind>(codes[c++]);
  const int index = static_cast<int>(codes[c++]);
  os << runtime::DeviceId{kind, index}.str() << (codes[c++] ? " i64" : " i32");
  const bool fixed = codes[c++] != 0;
  os << (fixed ? " static" : " dynamic");
  auto size = [&](std::int64_t v, bool exact) { return exact || v < 2 ? std::to_string(v) : std::string(">=2"); };
  for (const ir::SizeVarInfo& sv : k.size_vars) {
    const std::int64_t v = codes[c++];
    os << " " << sv.name << (fixed || sv.specialized || v < 2 ? "=" : "") << size(v, fixed || sv.specialized);
  }
  for (std::size_t i = 0; i < k.inputs.size() + k.outputs.size(); ++i) {
    const ir::TensorParam& p = tensor_param(k, i);
    os << " " << p.name << "[";
    for (int d = 0; d < p.rank(); ++d) os << (d ? "," : "") << size(codes[c++], fixed);
    os << "]";
    if (fixed) {
      os << "/[";
      for (int d = 0; d < p.rank(); ++d) os << (d ? "," : "") << codes[c++];
      os << "]";
    }
    const std::int64_t align = codes[c++];
    os << ((align & 2) != 0 ? "/rows16" : (align & 1) != 0 ? "/data16" : "/unaligned");
  }
  if (!extra.empty()) os << " extra=" << extra;
  return os.str();
}

lower::Specialization make_specialization(const ir::Kernel& k, const ResolvedSettings& s,
                                          std::span<const Arg> args, const CheckedCall& call) {
  lower::Specialization spec;
  spec.index64 = s.index_dtype == IndexDType::i64 || call.needs_index64;
  for (std::size_t i = 0; i < k.size_vars.size(); ++i) {
    const std::int64_t v = call.sizes[i];
    // Dynamic shapes keep specialized sizes and size-1 dimensions (a bucket of their own, as in
    // Helion) as constants: broadcasting along them costs nothing at run time.
    if (s.static_shapes || k.size_vars[i].specialized || v == 1) spec.sizes[k.size_vars[i].name] = v;
  }
  for (std::size_t i = 0; i < k.inputs.size() + k.outputs.size(); ++i) {
    const runtime::TensorView& t = args[i].tensor();
    const std::string& name = tensor_param(k, i).name;
    // Constant strides promise an aligned data pointer (lower::Specialization::strides): the
    // printers derive 16-byte vectors from them. A view at an odd offset keeps run-time strides.
    if (s.static_shapes && t.data_aligned16())
      spec.strides[name] = std::vector<std::int64_t>(t.strides().begin(), t.strides().end());
    if (t.rows_aligned16()) spec.aligned_rows.insert(name);
  }
  return spec;
}

void split_args(const ir::Kernel& k, std::span<const Arg> args, std::vector<runtime::TensorView>& tensors,
                std::vector<double>& scalars) {
  const std::size_t num_tensors = k.inputs.size() + k.outputs.size();
  tensors.clear();
  scalars.clear();
  for (std::size_t i = 0; i < num_tensors; ++i) tensors.push_back(args[i].tensor());
  for (std::size_t j = num_tensors; j < args.size(); ++j) scalars.push_back(args[j].scalar());
}

}  // namespace tessera::lang::detail
