// SPDX-License-Identifier: Apache-2.0
#include "tessera/keys/case_key.h"

#include <functional>
#include <limits>
#include <set>

#include "tessera/error.h"

namespace tessera {

namespace {

// Converts one JSON value of a key to a scalar; `where` names the field for the message.
KeyScalar scalar_from_json(const json::Json& v, std::string_view where) {
  switch (v.type()) {
    case json::Json::value_t::null: return nullptr;
    case json::Json::value_t::boolean: return v.get<bool>();
    case json::Json::value_t::number_integer: return v.get<std::int64_t>();
    case json::Json::value_t::number_unsigned: {
      auto u = v.get<std::uint64_t>();
      TS_USER_CHECK(u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          << where << ": integer " << u << " does not fit in 64 signed bits";
      return static_cast<std::int64_t>(u);
    }
    case json::Json::value_t::number_float: return v.get<double>();
    case json::Json::value_t::string: return v.get<std::string>();
    default: break;
  }
  TS_USER_CHECK(false) << where << ": a case key value must be a JSON scalar (null, boolean, "
                       << "integer, float or string), got " << json::type_phrase(v) << " "
                       << json::dumps_compact(v, true);
  return nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits `k=v,k2=v2` at commas outside double-quoted JSON strings, so `name="a,b"` stays whole.
std::vector<std::string_view> split_pairs(std::string_view text) {
  std::vector<std::string_view> parts;
  bool in_string = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string && c == '\\') {
      ++i;  // skip the escaped character
    } else if (c == '"') {
      in_string = !in_string;
    } else if (c == ',' && !in_string) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

}  // namespace

json::Json to_json(const KeyScalar& v) {
  return std::visit(
      [](const auto& x) -> json::Json {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return nullptr;
        } else {
          return json::Json(x);
        }
      },
      v);
}

const CaseKey& CaseKey::default_key() {
  static const CaseKey k = [] {
    CaseKey d;
    d.finish();
    return d;
  }();
  return k;
}

CaseKey::CaseKey(std::vector<Field> fields) : fields_(std::move(fields)) {
  TS_USER_CHECK(!fields_.empty())
      << "CaseKey: an empty key is the default key; use CaseKey::default_key() (or the text "
         "\"{}\") to name it explicitly";
  std::set<std::string_view> seen;
  for (const auto& [name, value] : fields_) {
    TS_USER_CHECK(!name.empty()) << "CaseKey: a field name must not be empty";
    TS_USER_CHECK(seen.insert(name).second)
        << "CaseKey: field \"" << name << "\" is given twice; each field may appear once";
    (void)value;
  }
  finish();
}

void CaseKey::finish() {
  canonical_ = json::dumps_compact(to_json(), /*sort_keys=*/true);
  hash_ = std::hash<std::string>{}(canonical_);
}

CaseKey CaseKey::from_json(const json::Json& obj, std::string_view origin) {
  TS_USER_CHECK(obj.is_object()) << origin << ": a case key must be a JSON object such as "
                                 << "{\"num_tokens\": 256}, got " << json::type_phrase(obj);
  if (obj.empty()) return default_key();
  std::vector<Field> fields;
  fields.reserve(obj.size());
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    fields.emplace_back(it.key(), scalar_from_json(it.value(), cat(origin, ": field \"",
                                                                   it.key(), "\"")));
  }
  return CaseKey(std::move(fields));
}

CaseKey CaseKey::parse(std::string_view text) {
  return from_json(json::parse(text, "case key text"), "case key text");
}

CaseKey CaseKey::parse_cli(std::string_view text) {
  std::string_view body = trim(text);
  TS_USER_CHECK(!body.empty())
      << "empty case key argument; give fields as k=v,k2=v2 (e.g. numtokens=256,intermediate="
         "4096), or \"{}\" to select the default key explicitly";
  // A JSON object is accepted as is; "{}" is the explicit spelling of the default key.
  if (body.front() == '{') return parse(body);
  std::vector<Field> fields;
  for (std::string_view pair : split_pairs(body)) {
    std::string_view p = trim(pair);
    auto eq = p.find('=');
    TS_USER_CHECK(eq != std::string_view::npos && eq > 0)
        << "malformed case key argument '" << text << "': '" << p
        << "' is not of the form name=value (expected k=v,k2=v2, e.g. numtokens=256)";
    std::string name(trim(p.substr(0, eq)));
    std::string_view value = trim(p.substr(eq + 1));
    TS_USER_CHECK(!name.empty()) << "malformed case key argument '" << text
                                 << "': a field name is empty in '" << p << "'";
    TS_USER_CHECK(!value.empty())
        << "malformed case key argument '" << text << "': field '" << name
        << "' has no value; write " << name << "=\"\" for an empty string";
    // Values are read as JSON when they are JSON (4096, 1e-05, true, null, "text"), so the
    // key compares equal to the one in the file; anything else is a bare string.
    json::Json parsed = json::Json::parse(value.begin(), value.end(), nullptr,
                                          /*allow_exceptions=*/false);
    KeyScalar v;
    if (parsed.is_discarded()) {
      v = std::string(value);
    } else {
      v = scalar_from_json(parsed, cat("case key argument '", text, "': field '", name, "'"));
    }
    fields.emplace_back(std::move(name), std::move(v));
  }
  return CaseKey(std::move(fields));
}

const KeyScalar* CaseKey::find(std::string_view name) const {
  for (const auto& [n, v] : fields_)
    if (n == name) return &v;
  return nullptr;
}

std::optional<std::int64_t> CaseKey::get_int(std::string_view name) const {
  const KeyScalar* v = find(name);
  if (v == nullptr || !std::holds_alternative<std::int64_t>(*v)) return std::nullopt;
  return std::get<std::int64_t>(*v);
}

json::Json CaseKey::to_json() const {
  json::Json obj = json::Json::object();
  for (const auto& [name, value] : fields_) obj[name] = tessera::to_json(value);
  return obj;
}

}  // namespace tessera
