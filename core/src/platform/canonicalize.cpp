// SPDX-License-Identifier: Apache-2.0
#include "tessera/platform/canonicalize.h"

#include <algorithm>

#include "tessera/error.h"
#include "tessera/support/env.h"

namespace tessera::platform {

namespace {

// ASCII whitespace as C's isspace in the "C" locale (space, \t, \n, \v, \f, \r).
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_separator(char c) { return is_space(c) || c == '/' || c == '-'; }
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string normalize_gpu_name(std::string_view device_name) {
  TS_USER_CHECK(!std::all_of(device_name.begin(), device_name.end(), is_space))
      << "canonicalize_gpu_name: the GPU name is " << (device_name.empty() ? "empty" : "all blank")
      << "; pass the device name the driver reports (e.g. \"NVIDIA H100 80GB HBM3\"), or set "
         "TESSERA_PLATFORM to a platform id (e.g. nvidia_h100) to skip detection";
  std::string out;
  out.reserve(device_name.size());
  bool in_run = false;
  for (char c : device_name) {
    if (is_separator(c)) {
      if (!in_run) out += '_';
      in_run = true;
    } else {
      out += ascii_lower(c);
      in_run = false;
    }
  }
  return out;
}

std::string canonicalize_gpu_name(std::string_view device_name) {
  return canonicalize_gpu_name(device_name, alias_table());
}

std::string canonicalize_gpu_name(std::string_view device_name, const AliasTable& table) {
  return table.platform_for(normalize_gpu_name(device_name));
}

bool is_valid_platform_id(std::string_view id) {
  bool ok = !id.empty() && id.front() != '.' && id.find("..") == std::string_view::npos;
  for (char c : id) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.');
  return ok;
}

std::string validate_platform_override(std::string_view value, std::string_view origin) {
  std::string id;
  for (char c : value) id += ascii_lower(c);
  if (!is_valid_platform_id(id)) {
    std::string hint;
    try {
      hint = cat(" (did you mean '", normalize_gpu_name(value), "'?)");
    } catch (const UserError&) {
      // A blank value has no normalized spelling to suggest.
    }
    user_error(cat(origin, "='", value, "' is not a platform id: use lower-case letters, digits, "
                   "'_' and '.', e.g. nvidia_h100, amd_instinct_mi300x or cpu_x86_64_avx512",
                   hint, "; `tessera platform canonicalize NAME` prints the id of a device name"));
  }
  return id;
}

std::string resolve_platform(std::string_view device_name) {
  if (auto forced = env::get("TESSERA_PLATFORM")) {
    return validate_platform_override(*forced, "TESSERA_PLATFORM");
  }
  return canonicalize_gpu_name(device_name);
}

std::string resolve_platform(std::string_view device_name, const AliasTable& table) {
  if (auto forced = env::get("TESSERA_PLATFORM")) {
    return validate_platform_override(*forced, "TESSERA_PLATFORM");
  }
  return canonicalize_gpu_name(device_name, table);
}

}  // namespace tessera::platform
