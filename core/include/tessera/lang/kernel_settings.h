// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `Settings` of a `lang::Kernel` (Helion's `helion.Settings`): how calls are specialized and
/// what is printed. Every setting is optional; an unset one takes the value of its `TESSERA_*`
/// environment variable (declared in core/src/support/env.cpp), else the default. An explicit
/// value always wins over the variable.
///
/// | setting             | variable                    | default | values              |
/// |---------------------|-----------------------------|---------|---------------------|
/// | `static_shapes`     | `TESSERA_STATIC_SHAPES`     | true    | 1/0, true/false     |
/// | `index_dtype`       | `TESSERA_INDEX_DTYPE`       | i32     | i32, i64            |
/// | `print_output_code` | `TESSERA_PRINT_OUTPUT_CODE` | false   | 1/0, true/false     |

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace tessera::lang {

class Arg;

/// Width of the index arithmetic of generated code.
enum class IndexDType : std::uint8_t {
  /// 32-bit where every tensor of the call fits (fewer registers, faster on GPUs); a call with a
  /// tensor of more than 2^31 - 1 addressable elements gets its own 64-bit specialization.
  i32,
  /// 64-bit always.
  i64,
};

/// "i32" or "i64".
const char* index_dtype_name(IndexDType t);

/// A function of the call's arguments whose value joins the specialization key (Helion's
/// `key=`), so calls it tells apart get distinct bound kernels. Must be a pure function of the
/// arguments and thread safe.
using ExtraKeyFn = std::function<std::string(std::span<const Arg> args)>;

/// What a `Kernel` is constructed with. Unset fields come from the environment (see above).
struct Settings {
  /// true: one specialization per exact shape and stride signature (every size and stride is
  /// a compile-time constant of the generated code); false: sizes bucketed as 0, 1 or >= 2
  /// (size-1 dimensions stay compile-time 1, other sizes and every stride are run-time
  /// arguments), so one compiled kernel serves every shape of a bucket.
  std::optional<bool> static_shapes;
  /// Index arithmetic width (see IndexDType).
  std::optional<IndexDType> index_dtype;
  /// Print the generated source to stderr each time a config is compiled.
  std::optional<bool> print_output_code;
  /// Optional extra specialization key (no environment variable).
  ExtraKeyFn extra_key;
};

/// Settings with every field decided.
struct ResolvedSettings {
  bool static_shapes = true;
  IndexDType index_dtype = IndexDType::i32;
  bool print_output_code = false;
  ExtraKeyFn extra_key;
};

/// Fills the unset fields of `s` from the environment and the defaults. Throws `UserError`
/// echoing the variable and its value, and listing the valid values, for an unparseable
/// environment value.
ResolvedSettings resolve_settings(const Settings& s);

}  // namespace tessera::lang
