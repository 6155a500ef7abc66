// SPDX-License-Identifier: Apache-2.0
#include "tessera/lang/kernel_settings.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "tessera/error.h"
#include "tessera/support/env.h"

namespace tessera::lang {

namespace {

std::string lower_case(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

/// A boolean setting from `var` (1/0, true/false, yes/no, on/off), or `fallback` when unset.
bool env_bool(const char* var, bool fallback) {
  const std::optional<std::string> raw = env::get(var);
  if (!raw) return fallback;
  const std::string v = lower_case(*raw);
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  TS_USER_CHECK(false) << "Unable to use " << var << "=" << *raw
                       << ": expected a boolean (1, 0, true, false, yes, no, on, off)";
  return fallback;
}

IndexDType env_index_dtype(IndexDType fallback) {
  const std::optional<std::string> raw = env::get("TESSERA_INDEX_DTYPE");
  if (!raw) return fallback;
  const std::string v = lower_case(*raw);
  // PyTorch spellings are accepted too, as Helion's `index_dtype=torch.int32` reads.
  if (v == "i32" || v == "int32" || v == "torch.int32") return IndexDType::i32;
  if (v == "i64" || v == "int64" || v == "torch.int64") return IndexDType::i64;
  TS_USER_CHECK(false) << "Unable to use TESSERA_INDEX_DTYPE=" << *raw
                       << ": expected i32 or i64 (int32/int64 are accepted too)";
  return fallback;
}

}  // namespace

const char* index_dtype_name(IndexDType t) { return t == IndexDType::i64 ? "i64" : "i32"; }

ResolvedSettings resolve_settings(const Settings& s) {
  ResolvedSettings r;
  r.static_shapes = s.static_shapes ? *s.static_shapes : env_bool("TESSERA_STATIC_SHAPES", true);
  r.index_dtype = s.index_dtype ? *s.index_dtype : env_index_dtype(IndexDType::i32);
  r.print_output_code =
      s.print_output_code ? *s.print_output_code : env_bool("TESSERA_PRINT_OUTPUT_CODE", false);
  r.extra_key = s.extra_key;
  return r;
}

}  // namespace tessera::lang
