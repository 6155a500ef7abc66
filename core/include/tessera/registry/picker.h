// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Building blocks of config pickers, with vLLM's rules so its config files route identically
/// (vllm/kernels/helion/ops/*.py, `pick_config`).
///
/// A vLLM picker groups the non-default keys of a platform file by their fields, one field
/// after the other, and chooses a value per field:
///
/// * `PickRule::kClosest` (model dimensions: hidden size, intermediate size, group size, heads):
///   the value with the smallest `|value - call|`; on a tie the value met first while walking
///   the keys in canonical order (Python's `min` over a dict filled in that order), e.g. with
///   tuned 2048 and 4096 a call of 3072 picks 2048.
/// * `PickRule::kAtLeast` (token counts): the smallest tuned value `>= call`, else the largest.
///
/// Later fields only consider keys that match the values chosen for earlier fields. Default
/// keys (`{}`) are ignored; no non-default key means "no pick" (`std::nullopt`, after which the
/// registry falls back to the default key if the file has one).
///
/// \code
///   std::optional<CaseKey> pick(const KernelArgs& args, std::span<const CaseKey> keys) {
///     const auto& x = std::get<runtime::TensorView>(args[1]);
///     return pick_by_fields(keys, {{"hidden_size", PickRule::kClosest, x.size(1)},
///                                  {"num_tokens", PickRule::kAtLeast, x.size(0)}});
///   }
/// \endcode

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tessera/keys/case_key.h"

namespace tessera::registry {

/// How one field's value is chosen.
enum class PickRule : std::uint8_t {
  kClosest,  ///< smallest |tuned - call|, ties to the first in canonical key order
  kAtLeast,  ///< smallest tuned >= call, else the largest tuned
};

/// One field of a picker: the key field's name, its rule and the call's value.
struct PickField {
  std::string name;
  PickRule rule = PickRule::kClosest;
  std::int64_t value = 0;
};

/// The closest of `candidates` to `value` (ties: the earliest). Throws `InternalError` if empty.
std::int64_t closest_value(std::span<const std::int64_t> candidates, std::int64_t value);

/// The smallest of `candidates` that is >= `value`, else the largest. Throws `InternalError`
/// if empty.
std::int64_t smallest_at_least(std::span<const std::int64_t> candidates, std::int64_t value);

/// vLLM's nested pick over `keys` (walked in the order given: pass them sorted by canonical
/// string, as `ConfigSet::keys` returns them). Returns a key built from the chosen values in the
/// order of `fields`, or `std::nullopt` when `keys` has no non-default key. Throws `UserError`
/// naming the key and the field when a non-default key lacks one of `fields` or holds a
/// non-integer value there (vLLM would fail with a KeyError/TypeError).
std::optional<CaseKey> pick_by_fields(std::span<const CaseKey> keys, const std::vector<PickField>& fields);

}  // namespace tessera::registry
