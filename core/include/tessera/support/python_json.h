// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// JSON text exactly as Python's `json` module writes it, so that files written here are
/// byte-identical to the ones vLLM writes (and the canonical CaseKey string matches vLLM's).
///
/// Values are `nlohmann::ordered_json`, which keeps object fields in insertion order.
/// Python's rules reproduced here:
/// * strings: `ensure_ascii=True`: `\" \\ \n \r \t \b \f` escaped, other code points < 0x20 and
///   every other code point outside ' '..'~' (controls, DEL, non-ASCII) as `\uXXXX` (lower-case
///   hex, UTF-16 surrogate pairs above U+FFFF);
/// * floats: `repr(float)`: the shortest digits that round-trip; positional notation when the
///   decimal exponent is in [-4, 16), else `1e-05` / `1e+16` style; integral values keep `.0`;
///   NaN and infinities as `NaN`, `Infinity`, `-Infinity`;
/// * integers stay integers; `true`, `false`, `null`;
/// * compact form (`separators=(",", ":")`), optional `sort_keys` (by code point);
/// * indented form (`indent=2`): items separated by ",\n", keys by ": ", empty containers as
///   `[]` / `{}`.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace tessera::json {

/// The JSON value type used throughout Tessera (field order preserved).
using Json = nlohmann::ordered_json;

/// `json.dumps(v, sort_keys=sort_keys, separators=(",", ":"))`.
std::string dumps_compact(const Json& v, bool sort_keys);

/// `json.dumps(v, indent=indent)` (what `json.dump(v, f, indent=indent)` writes; no final newline).
std::string dumps_indented(const Json& v, int indent);

/// Python's `repr(x)` for a float, e.g. `1.0`, `1e-05`, `0.1`, `1e+16`, `inf` is `Infinity`.
std::string python_float_repr(double x);

/// Python's `json.dumps(s)` for one string (with the surrounding quotes).
std::string python_string_literal(std::string_view s);

/// Parses JSON text. On a syntax error throws `UserError` naming `origin` (a file path or a
/// description such as "--key argument") and the parser's message with its byte position.
Json parse(std::string_view text, std::string_view origin);

/// Human-readable name of a JSON value's type, as used in error messages ("an integer",
/// "a string", "a list", ...).
std::string type_phrase(const Json& v);

}  // namespace tessera::json
