// SPDX-License-Identifier: Apache-2.0
#include "tessera/dtype.h"

#include <array>
#include <utility>

namespace tessera {

std::optional<DType> parse_dtype(std::string_view name) {
#define TS_IMPL_DTYPE_PARSE(e, n, size, is_float, is_signed) \
  if (name == n) return DType::e;
  TS_FOR_EACH_DTYPE(TS_IMPL_DTYPE_PARSE)
#undef TS_IMPL_DTYPE_PARSE
  static constexpr std::array<std::pair<std::string_view, DType>, 13> kTorchNames{{
      {"float64", DType::f64}, {"double", DType::f64}, {"float32", DType::f32},
      {"float", DType::f32}, {"float16", DType::f16}, {"half", DType::f16},
      {"bfloat16", DType::bf16}, {"float8_e4m3fn", DType::f8e4m3fn},
      {"float8_e5m2", DType::f8e5m2}, {"int64", DType::i64}, {"int32", DType::i32},
      {"int8", DType::i8}, {"uint8", DType::u8}}};
  for (const auto& [n, t] : kTorchNames)
    if (name == n) return t;
  return std::nullopt;
}

std::string dtype_names() {
  std::string s;
#define TS_IMPL_DTYPE_LIST(e, n, size, is_float, is_signed) s += std::string(s.empty() ? "" : ", ") + n;
  TS_FOR_EACH_DTYPE(TS_IMPL_DTYPE_LIST)
#undef TS_IMPL_DTYPE_LIST
  return s;
}

}  // namespace tessera
