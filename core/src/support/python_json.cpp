// SPDX-License-Identifier: Apache-2.0
#include "tessera/support/python_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <algorithm>

#include "tessera/error.h"

namespace tessera::json {

namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes are passed through as U+FFFD,
// which Python would never have produced from valid text; nlohmann rejects invalid UTF-8 on
// parse, so this only guards against strings built in code.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto b0 = static_cast<unsigned char>(s[i++]);
  if (b0 < 0x80) return b0;
  int extra = (b0 >= 0xF0) ? 3 : (b0 >= 0xE0) ? 2 : (b0 >= 0xC0) ? 1 : -1;
  if (extra < 0 || i + extra > s.size()) return 0xFFFD;
  char32_t cp = b0 & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return cp;
}

void append_u_escape(std::string& out, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", v);
  out += buf;
}

void dump(const Json& v, std::string& out, bool sort_keys, int indent, int depth);

void newline_indent(std::string& out, int indent, int depth) {
  out += '\n';
  out.append(static_cast<std::size_t>(indent * depth), ' ');
}

void dump_object(const Json& v, std::string& out, bool sort_keys, int indent, int depth) {
  if (v.empty()) {
    out += "{}";
    return;
  }
  std::vector<std::pair<std::string, const Json*>> items;
  for (auto it = v.begin(); it != v.end(); ++it) items.emplace_back(it.key(), &it.value());
  if (sort_keys) {
    // Python sorts str keys by code point; UTF-8 byte order is the same order.
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  out += '{';
  bool first = true;
  for (const auto& [k, val] : items) {
    if (!first) out += ',';
    first = false;
    if (indent >= 0) newline_indent(out, indent, depth + 1);
    out += python_string_literal(k);
    out += indent >= 0 ? ": " : ":";
    dump(*val, out, sort_keys, indent, depth + 1);
  }
  if (indent >= 0) newline_indent(out, indent, depth);
  out += '}';
}

void dump_array(const Json& v, std::string& out, bool sort_keys, int indent, int depth) {
  if (v.empty()) {
    out += "[]";
    return;
  }
  out += '[';
  bool first = true;
  for (const Json& e : v) {
    if (!first) out += ',';
    first = false;
    if (indent >= 0) newline_indent(out, indent, depth + 1);
    dump(e, out, sort_keys, indent, depth + 1);
  }
  if (indent >= 0) newline_indent(out, indent, depth);
  out += ']';
}

void dump(const Json& v, std::string& out, bool sort_keys, int indent, int depth) {
  switch (v.type()) {
    case Json::value_t::null: out += "null"; break;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: out += std::to_string(v.get<std::int64_t>()); break;
    case Json::value_t::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); break;
    case Json::value_t::number_float: out += python_float_repr(v.get<double>()); break;
    case Json::value_t::string: out += python_string_literal(v.get_ref<const std::string&>()); break;
    case Json::value_t::array: dump_array(v, out, sort_keys, indent, depth); break;
    case Json::value_t::object: dump_object(v, out, sort_keys, indent, depth); break;
    default: TS_INTERNAL_CHECK(false) << "cannot write JSON value of type " << v.type_name();
  }
}

}  // namespace

std::string python_string_literal(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = next_code_point(s, i);
    switch (cp) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (cp >= 0x20 && cp < 0x7f) {  // Python escapes everything outside ' '..'~'
          out += static_cast<char>(cp);
        } else if (cp < 0x10000) {
          append_u_escape(out, static_cast<unsigned>(cp));
        } else {  // UTF-16 surrogate pair, as Python writes it
          char32_t u = cp - 0x10000;
          append_u_escape(out, 0xD800 + static_cast<unsigned>(u >> 10));
          append_u_escape(out, 0xDC00 + static_cast<unsigned>(u & 0x3FF));
        }
    }
  }
  out += '"';
  return out;
}

std::string python_float_repr(double x) {
  if (std::isnan(x)) return "NaN";
  if (std::isinf(x)) return x > 0 ? "Infinity" : "-Infinity";
  // Shortest round-trip digits in scientific form: d[.ddd]e±X.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  auto epos = sci.find('e');
  std::string mant = sci.substr(0, epos);
  int exp10 = std::stoi(sci.substr(epos + 1));
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  // Python's float_repr_style 'short': repr uses 'r' format, which switches to exponent
  // notation when exp10 < -4 or exp10 >= 16.
  std::string out = negative ? "-" : "";
  if (exp10 < -4 || exp10 >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char e[16];
    std::snprintf(e, sizeof e, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    out += e;
  } else if (exp10 < 0) {
    out += "0." + std::string(static_cast<std::size_t>(-exp10 - 1), '0') + digits;
  } else {
    auto int_len = static_cast<std::size_t>(exp10 + 1);
    if (digits.size() <= int_len) {
      out += digits + std::string(int_len - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  }
  return out;
}

std::string dumps_compact(const Json& v, bool sort_keys) {
  std::string out;
  dump(v, out, sort_keys, -1, 0);
  return out;
}

std::string dumps_indented(const Json& v, int indent) {
  TS_INTERNAL_CHECK(indent >= 0) << "indent must be >= 0";
  std::string out;
  dump(v, out, false, indent, 0);
  return out;
}

Json parse(std::string_view text, std::string_view origin) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // Translate the byte offset into line:column for the message.
    std::size_t pos = std::min<std::size_t>(e.byte, text.size());
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < pos; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    if (auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
    TS_USER_CHECK(false) << origin << ":" << line << ":" << col << ": invalid JSON: " << what;
  }
  return {};
}

std::string type_phrase(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a float";
    case Json::value_t::string: return "a string";
    case Json::value_t::array: return "a list";
    case Json::value_t::object: return "an object";
    default: return v.type_name();
  }
}

}  // namespace tessera::json
