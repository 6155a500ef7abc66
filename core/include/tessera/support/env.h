// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Every environment variable Tessera reads is declared once, here ([Triton] knobs): its name,
/// whether it changes generated or compiled code (and so must enter JIT cache keys), and what it
/// does. Reading an undeclared variable is an internal error, so a new knob cannot silently
/// escape the cache key. `tessera env` style listings and the README table come from `env_vars()`.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tessera::env {

/// Whether a variable's value changes what is generated or compiled.
enum class Effect { kInvalidatesCache, kNeutral };

struct Var {
  std::string_view name;
  Effect effect;
  std::string_view doc;
};

/// Every declared variable, in a fixed order.
std::span<const Var> env_vars();

/// The variable's value, or `std::nullopt` if unset. Empty values count as unset.
/// Throws `InternalError` if `name` is not declared in `env_vars()`.
std::optional<std::string> get(std::string_view name);

/// `name=value` for every set variable whose effect is `kInvalidatesCache`, in declaration
/// order, one per line (goes into JIT cache keys).
std::string cache_affecting_values();

}  // namespace tessera::env
