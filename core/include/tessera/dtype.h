// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Element types of tensors and tile values, one list for every layer (IR, runtime, DLPack,
/// codegen). Names are PyTorch's spellings without the `torch.` prefix where one exists
/// (`float8_e4m3fn` is written `f8e4m3fn` here, as in the tile language).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tessera {

// X(enumerator, name, size in bytes, is_float, is_signed)
#define TS_FOR_EACH_DTYPE(X)          \
  X(f64, "f64", 8, true, true)        \
  X(f32, "f32", 4, true, true)        \
  X(f16, "f16", 2, true, true)        \
  X(bf16, "bf16", 2, true, true)      \
  X(f8e4m3fn, "f8e4m3fn", 1, true, true) \
  X(f8e5m2, "f8e5m2", 1, true, true)  \
  X(i64, "i64", 8, false, true)       \
  X(i32, "i32", 4, false, true)       \
  X(i8, "i8", 1, false, true)         \
  X(u8, "u8", 1, false, false)        \
  X(boolean, "bool", 1, false, false)

enum class DType : std::uint8_t {
#define TS_IMPL_DTYPE_ENUM(e, name, size, is_float, is_signed) e,
  TS_FOR_EACH_DTYPE(TS_IMPL_DTYPE_ENUM)
#undef TS_IMPL_DTYPE_ENUM
};

/// Number of dtypes.
inline constexpr int kNumDTypes = 0
#define TS_IMPL_DTYPE_COUNT(e, name, size, is_float, is_signed) +1
    TS_FOR_EACH_DTYPE(TS_IMPL_DTYPE_COUNT)
#undef TS_IMPL_DTYPE_COUNT
    ;

/// "f32", "bf16", "bool", ...
constexpr std::string_view dtype_name(DType t) {
  switch (t) {
#define TS_IMPL_DTYPE_NAME(e, name, size, is_float, is_signed) \
  case DType::e: return name;
    TS_FOR_EACH_DTYPE(TS_IMPL_DTYPE_NAME)
#undef TS_IMPL_DTYPE_NAME
  }
  return "?";
}

/// Size of one element in bytes.
constexpr int dtype_size(DType t) {
  switch (t) {
#define TS_IMPL_DTYPE_SIZE(e, name, size, is_float, is_signed) \
  case DType::e: return size;
    TS_FOR_EACH_DTYPE(TS_IMPL_DTYPE_SIZE)
#undef TS_IMPL_DTYPE_SIZE
  }
  return 0;
}

/// True for f64, f32, f16, bf16 and the fp8 formats.
constexpr bool dtype_is_float(DType t) {
  switch (t) {
#define TS_IMPL_DTYPE_FLOAT(e, name, size, is_float, is_signed) \
  case DType::e: return is_float;
    TS_FOR_EACH_DTYPE(TS_IMPL_DTYPE_FLOAT)
#undef TS_IMPL_DTYPE_FLOAT
  }
  return false;
}

/// True for the two 8-bit float formats.
constexpr bool dtype_is_fp8(DType t) { return t == DType::f8e4m3fn || t == DType::f8e5m2; }

/// Parses a dtype name as printed by `dtype_name`; also accepts PyTorch's long names
/// ("float32", "bfloat16", "float8_e4m3fn", "int8", ...). `std::nullopt` if unknown.
std::optional<DType> parse_dtype(std::string_view name);

/// Every dtype name, comma separated (for error messages).
std::string dtype_names();

}  // namespace tessera
