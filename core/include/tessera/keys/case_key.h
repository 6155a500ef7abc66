// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `CaseKey`: the key of one tuned case in a config file, as vLLM's `CaseKey`.
///
/// An immutable map from field name to a JSON scalar (null, bool, int, float, string), e.g.
/// `{"intermediate": 4096, "numtokens": 256}`. Two keys are equal when their contents are equal,
/// whatever the order of their fields; the order in which fields were given is kept only for
/// writing files (vLLM writes keys in insertion order). The canonical string is exactly
/// Python's `json.dumps(d, sort_keys=True, separators=(",", ":"))`, and keys are ordered by it
/// (vLLM sorts `str(CaseKey)`), which decides ties in the pickers.
///
/// The empty key is the *default* key (a file's fallback config). It exists once, as
/// `CaseKey::default_key()`; building an empty key any other way is an error, so a default is
/// never created by accident (for example from an empty `--key` argument).
///
/// Thread safety: immutable after construction; safe to share between threads.

#include "tessera/support/python_json.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tessera {

/// One value of a CaseKey field. `int64_t` and `double` are distinct: `1` and `1.0` are
/// different values (as Python's `json.dumps` writes them differently).
using KeyScalar = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string>;

class CaseKey {
 public:
  using Field = std::pair<std::string, KeyScalar>;

  /// The default (empty) key.
  static const CaseKey& default_key();

  /// Builds a key from fields in the given order. Throws `UserError` if `fields` is empty (use
  /// `default_key()`), if a name repeats, or a name is empty.
  explicit CaseKey(std::vector<Field> fields);

  /// From a JSON object such as a config file's `"key"` entry. An empty object yields the
  /// default key. Throws `UserError` naming `origin` if `obj` is not an object or a value is not
  /// a scalar (lists and objects are not allowed in keys).
  static CaseKey from_json(const json::Json& obj, std::string_view origin);

  /// From the canonical string (any JSON object text is accepted; `{}` is the default key).
  static CaseKey parse(std::string_view text);

  /// From the command-line form `k=v,k2=v2`. Each value is read as JSON when it is valid JSON
  /// (`4096`, `1e-05`, `true`, `null`, `"text"`), otherwise as a bare string; commas inside a
  /// double-quoted value do not split. Text starting with `{` is read as a JSON object (as
  /// `parse`), which makes `{}` the one explicit spelling of the default key. An empty or blank
  /// argument is rejected with a message saying to pass `{}` for the default key, so a default
  /// is never selected by accident. Throws `UserError` quoting the argument on a malformed pair
  /// (no `=`, empty name, empty value, repeated name, list or object value).
  static CaseKey parse_cli(std::string_view text);

  bool is_default() const { return fields_.empty(); }
  /// Fields in insertion order.
  const std::vector<Field>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }
  /// The field's value, or nullptr if absent.
  const KeyScalar* find(std::string_view name) const;
  /// An integer field's value; `std::nullopt` if absent or not an integer.
  std::optional<std::int64_t> get_int(std::string_view name) const;

  /// `json.dumps(d, sort_keys=True, separators=(",", ":"))`, computed once.
  const std::string& canonical() const { return canonical_; }
  /// The key as a JSON object, fields in insertion order (for writing files).
  json::Json to_json() const;
  /// Hash of the canonical string.
  std::size_t hash() const { return hash_; }

  friend bool operator==(const CaseKey& a, const CaseKey& b) {
    return a.hash_ == b.hash_ && a.canonical_ == b.canonical_;
  }
  /// Order of the canonical strings (vLLM's `sorted(str(key))`).
  friend bool operator<(const CaseKey& a, const CaseKey& b) { return a.canonical_ < b.canonical_; }

 private:
  CaseKey() = default;  // the default key
  void finish();
  std::vector<Field> fields_;
  std::string canonical_ = "{}";
  std::size_t hash_ = 0;
};

/// The JSON value of one scalar.
json::Json to_json(const KeyScalar& v);

}  // namespace tessera

template <>
struct std::hash<tessera::CaseKey> {
  std::size_t operator()(const tessera::CaseKey& k) const noexcept { return k.hash(); }
};
