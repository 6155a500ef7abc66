// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Device name -> platform id, vLLM's rule (vllm/kernels/helion/utils.py,
/// `canonicalize_gpu_name`): lower-case, every run of whitespace, `/` and `-` becomes one `_`,
/// then the alias table maps variant names to their platform (`"NVIDIA H100 80GB HBM3"` ->
/// `nvidia_h100`, `"AMD Instinct MI300X"` -> `amd_instinct_mi300x`). The platform id picks
/// `configs/<kernel>/<platform>.json`; it is not the code-generation target (target.h).
///
/// Deviations from vLLM, all on inputs no driver reports:
/// * vLLM's version with the alias dict replaces each single ' ' and '-' (so `"a  b"` ->
///   `"a__b"`, and `/` and tabs are kept); its later version collapses runs of `[\s/-]` as we
///   do but dropped the aliases. We take the run-collapsing rule *and* the aliases, so
///   `"AMD Instinct MI250X / MI250"` and `"AMD Instinct MI250X/MI250"` meet.
/// * Only ASCII letters are lower-cased and only ASCII whitespace separates (Python's `lower`
///   and `\s` are Unicode-aware); other bytes pass through unchanged.

#include <string>
#include <string_view>

#include "tessera/platform/alias_table.h"

namespace tessera::platform {

/// vLLM's normalization without the alias lookup: ASCII lower-case, each run of ASCII
/// whitespace, `/` and `-` replaced by one `_` (leading and trailing runs included).
/// Throws `UserError` if `device_name` is empty or all whitespace.
std::string normalize_gpu_name(std::string_view device_name);

/// `normalize_gpu_name` then the process-wide alias table (`alias_table()`).
/// Throws `UserError` for a blank name or an unreadable/invalid alias file.
std::string canonicalize_gpu_name(std::string_view device_name);

/// `normalize_gpu_name` then `table`.
std::string canonicalize_gpu_name(std::string_view device_name, const AliasTable& table);

/// The platform id to route a device to: the value of `TESSERA_PLATFORM` when set (read now;
/// lower-cased and validated by `validate_platform_override`), which overrides detection for
/// every device of the process; otherwise `canonicalize_gpu_name(device_name)`. For the host
/// CPU pass `host_cpu().platform` (canonicalization leaves `cpu_*` ids unchanged).
std::string resolve_platform(std::string_view device_name);

/// As above with an explicit table.
std::string resolve_platform(std::string_view device_name, const AliasTable& table);

/// Whether `id` can be a platform id: non-empty, only `[a-z0-9_.]` (so no upper case,
/// whitespace, `/` or `-`, which canonicalization removes), not starting with `.`, no `..`
/// (so it can never escape the config folder as a file stem).
bool is_valid_platform_id(std::string_view id);

/// Lower-cases a platform id given by the user (`TESSERA_PLATFORM`) and checks it can name a
/// config file: non-empty, characters `[a-z0-9_.]` only (so no whitespace, `/` or `-`, which
/// canonicalization would have turned into `_`), no `..`. Throws `UserError` echoing `value`,
/// naming `origin` and suggesting the normalized spelling.
std::string validate_platform_override(std::string_view value, std::string_view origin);

}  // namespace tessera::platform
