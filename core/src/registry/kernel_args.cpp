// SPDX-License-Identifier: Apache-2.0
#include "tessera/registry/kernel_args.h"

#include <sstream>

#include "tessera/error.h"

namespace tessera::registry {

std::string_view arg_kind_name(ArgKind kind) {
  switch (kind) {
    case ArgKind::kTensor: return "tensor";
    case ArgKind::kInt: return "int";
    case ArgKind::kFloat: return "float";
    case ArgKind::kBool: return "bool";
  }
  return "?";
}

std::string describe_arg(const ArgValue& v) {
  std::ostringstream os;
  if (std::holds_alternative<std::monostate>(v)) os << "None";
  if (const auto* t = std::get_if<runtime::TensorView>(&v)) os << t->str();
  if (const auto* i = std::get_if<std::int64_t>(&v)) os << "int " << *i;
  if (const auto* d = std::get_if<double>(&v)) os << "float " << *d;
  if (const auto* b = std::get_if<bool>(&v)) os << "bool " << (*b ? "true" : "false");
  return os.str();
}

namespace {

bool kind_matches(ArgKind kind, const ArgValue& v) {
  switch (kind) {
    case ArgKind::kTensor: return std::holds_alternative<runtime::TensorView>(v);
    case ArgKind::kInt: return std::holds_alternative<std::int64_t>(v);
    case ArgKind::kFloat: return std::holds_alternative<double>(v) || std::holds_alternative<std::int64_t>(v);
    case ArgKind::kBool: return std::holds_alternative<bool>(v);
  }
  return false;
}

std::string signature_text(std::string_view kernel, std::span<const ArgSpec> signature) {
  std::ostringstream os;
  os << kernel << "(";
  for (std::size_t i = 0; i < signature.size(); ++i) {
    os << (i ? ", " : "") << signature[i].name << ": " << arg_kind_name(signature[i].kind)
       << (signature[i].optional ? " | None" : "");
  }
  os << ")";
  return os.str();
}

}  // namespace

runtime::DeviceId check_args(std::string_view kernel, std::span<const ArgSpec> signature, KernelArgs args) {
  TS_USER_CHECK(args.size() == signature.size())
      << "kernel '" << kernel << "' takes " << signature.size() << " arguments, got " << args.size()
      << "; signature: " << signature_text(kernel, signature);
  const runtime::TensorView* first = nullptr;
  std::size_t first_index = 0;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const ArgSpec& s = signature[i];
    if (std::holds_alternative<std::monostate>(args[i])) {
      TS_USER_CHECK(s.optional) << "kernel '" << kernel << "': argument " << i << " '" << s.name
                                << "' is required (got None); signature: " << signature_text(kernel, signature);
      continue;
    }
    TS_USER_CHECK(kind_matches(s.kind, args[i]))
        << "kernel '" << kernel << "': argument " << i << " '" << s.name << "' must be "
        << arg_kind_name(s.kind) << ", got " << describe_arg(args[i]);
    if (const auto* t = std::get_if<runtime::TensorView>(&args[i])) {
      TS_USER_CHECK(t->data() != nullptr || t->numel() == 0)
          << "kernel '" << kernel << "': argument '" << s.name << "' (" << t->str() << ") has no data pointer";
      if (!first) {
        first = t, first_index = i;
      } else {
        TS_USER_CHECK(t->device() == first->device())
            << "kernel '" << kernel << "': argument '" << s.name << "' is on " << t->device().str()
            << " but '" << signature[first_index].name << "' is on " << first->device().str()
            << "; every tensor of one call must be on the same device (copy it first)";
      }
    }
  }
  return first ? first->device() : runtime::DeviceId::cpu();
}

const runtime::TensorView& tensor_arg(KernelArgs args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size() && std::holds_alternative<runtime::TensorView>(args[i]))
      << "argument " << i << " is not a tensor";
  return std::get<runtime::TensorView>(args[i]);
}

const runtime::TensorView* optional_tensor_arg(KernelArgs args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size()) << "argument " << i << " out of range";
  return std::get_if<runtime::TensorView>(&args[i]);
}

std::int64_t int_arg(KernelArgs args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size() && std::holds_alternative<std::int64_t>(args[i]))
      << "argument " << i << " is not an int";
  return std::get<std::int64_t>(args[i]);
}

double float_arg(KernelArgs args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size()) << "argument " << i << " out of range";
  if (const auto* v = std::get_if<std::int64_t>(&args[i])) return static_cast<double>(*v);
  TS_INTERNAL_CHECK(std::holds_alternative<double>(args[i])) << "argument " << i << " is not a float";
  return std::get<double>(args[i]);
}

bool bool_arg(KernelArgs args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size() && std::holds_alternative<bool>(args[i]))
      << "argument " << i << " is not a bool";
  return std::get<bool>(args[i]);
}

ir::HostTensor& host_tensor_arg(HostArgs& args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size() && std::holds_alternative<ir::HostTensor>(args[i]))
      << "host argument " << i << " is not a tensor";
  return std::get<ir::HostTensor>(args[i]);
}

const ir::HostTensor& host_tensor_arg(const HostArgs& args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size() && std::holds_alternative<ir::HostTensor>(args[i]))
      << "host argument " << i << " is not a tensor";
  return std::get<ir::HostTensor>(args[i]);
}

const ir::HostTensor* optional_host_tensor_arg(const HostArgs& args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size()) << "host argument " << i << " out of range";
  return std::get_if<ir::HostTensor>(&args[i]);
}

std::int64_t host_int_arg(const HostArgs& args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size() && std::holds_alternative<std::int64_t>(args[i]))
      << "host argument " << i << " is not an int";
  return std::get<std::int64_t>(args[i]);
}

double host_float_arg(const HostArgs& args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size()) << "host argument " << i << " out of range";
  if (const auto* v = std::get_if<std::int64_t>(&args[i])) return static_cast<double>(*v);
  TS_INTERNAL_CHECK(std::holds_alternative<double>(args[i])) << "host argument " << i << " is not a float";
  return std::get<double>(args[i]);
}

bool host_bool_arg(const HostArgs& args, std::size_t i) {
  TS_INTERNAL_CHECK(i < args.size() && std::holds_alternative<bool>(args[i]))
      << "host argument " << i << " is not a bool";
  return std::get<bool>(args[i]);
}

}  // namespace tessera::registry
