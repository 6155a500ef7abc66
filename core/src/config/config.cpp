// SPDX-License-Identifier: Apache-2.0
#include "tessera/config/config.h"

#include <algorithm>
#include <array>
#include <limits>

#include "tessera/error.h"

namespace tessera {

namespace {

using json::Json;

// ---- value predicates (one per value domain) --------------------------------------------------

std::optional<std::int64_t> as_int(const Json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<std::int64_t>();
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return static_cast<std::int64_t>(u);
  }
  return std::nullopt;  // floats (even 64.0), booleans and strings are not integers
}

bool is_pow2(std::int64_t n) { return n >= 1 && (n & (n - 1)) == 0; }

bool pow2_int(const Json& v) {
  auto n = as_int(v);
  return n && is_pow2(*n);
}
bool nonneg_int(const Json& v) {
  auto n = as_int(v);
  return n && *n >= 0;
}
bool positive_int(const Json& v) {
  auto n = as_int(v);
  return n && *n >= 1;
}
bool boolean(const Json& v) { return v.is_boolean(); }
bool opt_boolean(const Json& v) { return v.is_null() || v.is_boolean(); }
bool opt_pow2_int(const Json& v) { return v.is_null() || pow2_int(v); }
bool any_string(const Json& v) { return v.is_string(); }

bool one_of(const Json& v, std::initializer_list<std::string_view> names) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  return std::find(names.begin(), names.end(), s) != names.end();
}
bool eviction(const Json& v) { return one_of(v, {"", "first", "last"}); }
bool indexing_name(const Json& v) { return one_of(v, {"pointer", "tensor_descriptor", "block_ptr"}); }
bool pid_type_name(const Json& v) {
  return one_of(v, {"flat", "xyz", "persistent_blocked", "persistent_interleaved"});
}

bool int_in(const Json& v, std::initializer_list<std::int64_t> allowed) {
  auto n = as_int(v);
  return n && std::find(allowed.begin(), allowed.end(), *n) != allowed.end();
}
bool num_warps(const Json& v) { return int_in(v, {1, 2, 4, 8, 16, 32}); }
bool maxnreg(const Json& v) { return v.is_null() || int_in(v, {32, 64, 128, 256}); }
bool epilogue_subtile(const Json& v) { return v.is_null() || int_in(v, {2, 4}); }
bool matrix_instr_nonkdim(const Json& v) { return int_in(v, {0, 16, 32}); }
bool waves_per_eu(const Json& v) {
  auto n = as_int(v);
  return n && *n >= 0 && *n <= 16;
}

// A loop order: a permutation of 0..n-1.
bool permutation(const Json& v) {
  if (!v.is_array()) return false;
  std::vector<std::int64_t> seen;
  for (const Json& e : v) {
    auto n = as_int(e);
    if (!n) return false;
    seen.push_back(*n);
  }
  std::sort(seen.begin(), seen.end());
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (seen[i] != static_cast<std::int64_t>(i)) return false;
  return true;
}

// Helion's grid_fissions entry: per tile dimension 0 (none), -1 (full) or a power of two 2..64.
bool fission_list(const Json& v) {
  if (!v.is_array()) return false;
  return std::all_of(v.begin(), v.end(), [](const Json& e) {
    auto n = as_int(e);
    return n && (*n == 0 || *n == -1 || (*n >= 2 && *n <= 64 && is_pow2(*n)));
  });
}

// ---- the field table, in Helion's order -------------------------------------------------------

enum class Shape { kScalar, kList, kScalarOrList };

struct FieldSpec {
  std::string_view name;
  Shape shape;
  bool (*ok)(const Json&);  // checks one value (a list's element for kList)
  std::string_view domain;  // what `ok` accepts, for messages
};

// Order of helion.Config.__init__'s core properties (helion/runtime/config.py), then the AMD
// knobs, which Helion passes as user-defined fields and so writes after the core ones.
constexpr std::array kFields{
    FieldSpec{"block_sizes", Shape::kList, pow2_int, "a power of two >= 1"},
    FieldSpec{"num_threads", Shape::kScalarOrList, nonneg_int, "an integer >= 0"},
    FieldSpec{"loop_orders", Shape::kList, permutation,
              "a permutation of 0..n-1 (a list of distinct integers)"},
    FieldSpec{"flatten_loops", Shape::kList, boolean, "true or false"},
    FieldSpec{"grid_fissions", Shape::kList, fission_list,
              "a list of 0, -1 or powers of two in 2..64"},
    FieldSpec{"l2_groupings", Shape::kList, pow2_int, "a power of two >= 1"},
    FieldSpec{"reduction_loops", Shape::kList, opt_pow2_int, "null or a power of two >= 1"},
    FieldSpec{"range_unroll_factors", Shape::kList, nonneg_int, "an integer >= 0"},
    FieldSpec{"range_warp_specializes", Shape::kList, opt_boolean, "true, false or null"},
    FieldSpec{"range_num_stages", Shape::kList, nonneg_int, "an integer >= 0"},
    FieldSpec{"range_multi_buffers", Shape::kList, opt_boolean, "true, false or null"},
    FieldSpec{"range_flattens", Shape::kList, opt_boolean, "true, false or null"},
    FieldSpec{"static_ranges", Shape::kList, boolean, "true or false"},
    FieldSpec{"load_eviction_policies", Shape::kList, eviction, "one of \"\", \"first\", \"last\""},
    FieldSpec{"num_warps", Shape::kScalar, num_warps, "a power of two in 1..32"},
    FieldSpec{"num_stages", Shape::kScalar, positive_int, "an integer >= 1"},
    FieldSpec{"indexing", Shape::kScalarOrList, indexing_name,
              "one of \"pointer\", \"tensor_descriptor\", \"block_ptr\""},
    FieldSpec{"atomic_indexing", Shape::kScalarOrList, indexing_name,
              "one of \"pointer\", \"tensor_descriptor\", \"block_ptr\""},
    FieldSpec{"pid_type", Shape::kScalar, pid_type_name,
              "one of \"flat\", \"xyz\", \"persistent_blocked\", \"persistent_interleaved\""},
    FieldSpec{"num_sm_multiplier", Shape::kScalar, pow2_int, "a power of two >= 1"},
    FieldSpec{"maxnreg", Shape::kScalar, maxnreg, "null or one of 32, 64, 128, 256"},
    FieldSpec{"advanced_controls_file", Shape::kScalar, any_string, "a string (a path or \"\")"},
    FieldSpec{"epilogue_subtile", Shape::kScalar, epilogue_subtile, "null, 2 or 4"},
    FieldSpec{"waves_per_eu", Shape::kScalar, waves_per_eu, "an integer in 0..16"},
    FieldSpec{"matrix_instr_nonkdim", Shape::kScalar, matrix_instr_nonkdim, "0, 16 or 32"},
};

constexpr std::array<std::string_view, kFields.size()> kFieldNames = [] {
  std::array<std::string_view, kFields.size()> names{};
  for (std::size_t i = 0; i < kFields.size(); ++i) names[i] = kFields[i].name;
  return names;
}();

constexpr std::size_t kUnknownRank = std::numeric_limits<std::size_t>::max();

std::size_t rank_of(std::string_view name) {
  for (std::size_t i = 0; i < kFields.size(); ++i)
    if (kFields[i].name == name) return i;
  return kUnknownRank;
}

// `a string "64"`, `an integer 48`: the type and the (shortened) text of a bad value.
std::string describe(const Json& v) {
  std::string text = json::dumps_compact(v, false);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return json::type_phrase(v) == "null" ? "null" : json::type_phrase(v) + " " + text;
}

// Problems with one known field's value (messages without the field prefix).
std::vector<std::string> check_value(const FieldSpec& f, const Json& v) {
  std::vector<std::string> problems;
  auto check_elements = [&] {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!f.ok(v[i]))
        problems.push_back(cat("element [", i, "] must be ", f.domain, ", got ", describe(v[i])));
    }
  };
  switch (f.shape) {
    case Shape::kScalar:
      if (!f.ok(v)) problems.push_back(cat("expected ", f.domain, ", got ", describe(v)));
      break;
    case Shape::kList:
      if (!v.is_array()) {
        problems.push_back(
            cat("expected a list whose elements are each ", f.domain, ", got ", describe(v)));
      } else {
        check_elements();
      }
      break;
    case Shape::kScalarOrList:
      if (v.is_array()) {
        check_elements();
      } else if (!f.ok(v)) {
        problems.push_back(cat("expected ", f.domain, " or a list of them, got ", describe(v)));
      }
      break;
  }
  return problems;
}

template <typename E>
E enum_from(const Json& v, std::initializer_list<std::pair<std::string_view, E>> table) {
  const auto& s = v.get_ref<const std::string&>();
  for (const auto& [name, e] : table)
    if (name == s) return e;
  TS_INTERNAL_CHECK(false) << "config value \"" << s << "\" passed the check but has no enum";
  return table.begin()->second;
}

PidType pid_from(const Json& v) {
  return enum_from<PidType>(v, {{"flat", PidType::kFlat},
                                {"xyz", PidType::kXyz},
                                {"persistent_blocked", PidType::kPersistentBlocked},
                                {"persistent_interleaved", PidType::kPersistentInterleaved}});
}
Indexing indexing_from(const Json& v) {
  return enum_from<Indexing>(v, {{"pointer", Indexing::kPointer},
                                 {"tensor_descriptor", Indexing::kTensorDescriptor},
                                 {"block_ptr", Indexing::kBlockPtr}});
}
EvictionPolicy eviction_from(const Json& v) {
  return enum_from<EvictionPolicy>(
      v, {{"", EvictionPolicy::kNone}, {"first", EvictionPolicy::kFirst}, {"last", EvictionPolicy::kLast}});
}

std::optional<bool> opt_bool_from(const Json& v) {
  if (v.is_null()) return std::nullopt;
  return v.get<bool>();
}
std::optional<std::int64_t> opt_int_from(const Json& v) {
  if (v.is_null()) return std::nullopt;
  return as_int(v);
}

template <typename T, typename F>
std::optional<std::vector<T>> list_of(const Json* v, F convert) {
  if (v == nullptr) return std::nullopt;
  std::vector<T> out;
  out.reserve(v->size());
  for (const Json& e : *v) out.push_back(convert(e));
  return out;
}

std::int64_t int_from(const Json& v) { return *as_int(v); }
bool bool_from(const Json& v) { return v.get<bool>(); }

template <typename T, typename F>
Json list_to_json(const std::vector<T>& v, F convert) {
  Json out = Json::array();
  for (const auto& e : v) out.push_back(convert(e));
  return out;
}

Json opt_to_json(const std::optional<bool>& v) { return v ? Json(*v) : Json(nullptr); }
Json opt_to_json(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

std::optional<IndexingSetting> indexing_setting(const Json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return IndexingSetting(indexing_from(*v));
  std::vector<Indexing> per_op;
  for (const Json& e : *v) per_op.push_back(indexing_from(e));
  return IndexingSetting(std::move(per_op));
}

Json indexing_json(const IndexingSetting& v) {
  if (const auto* one = std::get_if<Indexing>(&v)) return std::string(to_string(*one));
  return list_to_json(std::get<std::vector<Indexing>>(v),
                      [](Indexing i) { return std::string(to_string(i)); });
}

}  // namespace

std::string_view to_string(PidType v) {
  switch (v) {
    case PidType::kFlat: return "flat";
    case PidType::kXyz: return "xyz";
    case PidType::kPersistentBlocked: return "persistent_blocked";
    case PidType::kPersistentInterleaved: return "persistent_interleaved";
  }
  return "?";
}
std::string_view to_string(Indexing v) {
  switch (v) {
    case Indexing::kPointer: return "pointer";
    case Indexing::kTensorDescriptor: return "tensor_descriptor";
    case Indexing::kBlockPtr: return "block_ptr";
  }
  return "?";
}
std::string_view to_string(EvictionPolicy v) {
  switch (v) {
    case EvictionPolicy::kNone: return "";
    case EvictionPolicy::kFirst: return "first";
    case EvictionPolicy::kLast: return "last";
  }
  return "?";
}

std::span<const std::string_view> Config::helion_field_order() { return kFieldNames; }

bool Config::is_known_field(std::string_view name) { return rank_of(name) != kUnknownRank; }

std::vector<std::string> Config::check(const Json& obj) {
  if (!obj.is_object())
    return {cat("a config must be a JSON object of fields such as {\"num_warps\": 4}, got ",
                describe(obj))};
  std::vector<std::string> problems;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    std::size_t r = rank_of(it.key());
    if (r == kUnknownRank) continue;  // kept verbatim; the kernel's config space may use it
    for (auto& p : check_value(kFields[r], it.value()))
      problems.push_back(cat("field \"", it.key(), "\": ", p));
  }
  return problems;
}

Config Config::from_json(const Json& obj, std::string_view origin) {
  auto problems = check(obj);
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += cat(msg.empty() ? "" : "\n", origin, ": config ", p);
    throw UserError(msg);
  }
  Config c;
  c.fields_ = obj;
  return c;
}

bool operator==(const Config& a, const Config& b) {
  return json::dumps_compact(a.fields_, false) == json::dumps_compact(b.fields_, false);
}

const Json* Config::raw(std::string_view name) const {
  auto it = fields_.find(name);
  return it == fields_.end() ? nullptr : &*it;
}

Config& Config::set_raw(std::string_view name, Json value) {
  std::size_t r = rank_of(name);
  if (r != kUnknownRank) {
    auto problems = check_value(kFields[r], value);
    TS_USER_CHECK(problems.empty()) << "Config: cannot set field \"" << name << "\": " << problems[0];
  }
  if (auto it = fields_.find(name); it != fields_.end()) {
    *it = std::move(value);  // replaced in place: the file keeps its field order
    return *this;
  }
  // A new field goes before the first field Helion writes after it: a known field of later
  // rank, or a user-defined field (Helion writes those last). Unknown new fields are appended.
  Json rebuilt = Json::object();
  bool placed = false;
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    std::size_t other = rank_of(it.key());
    if (!placed && r != kUnknownRank && (other == kUnknownRank || other > r)) {
      rebuilt[std::string(name)] = value;
      placed = true;
    }
    rebuilt[it.key()] = std::move(it.value());
  }
  if (!placed) rebuilt[std::string(name)] = std::move(value);
  fields_ = std::move(rebuilt);
  return *this;
}

bool Config::erase(std::string_view name) { return fields_.erase(std::string(name)) > 0; }

// ---- typed getters ----------------------------------------------------------------------------

std::optional<std::vector<std::int64_t>> Config::block_sizes() const {
  return list_of<std::int64_t>(raw("block_sizes"), int_from);
}
std::optional<std::vector<std::vector<std::int64_t>>> Config::loop_orders() const {
  return list_of<std::vector<std::int64_t>>(raw("loop_orders"), [](const Json& e) {
    return *list_of<std::int64_t>(&e, int_from);
  });
}
std::optional<std::vector<bool>> Config::flatten_loops() const {
  return list_of<bool>(raw("flatten_loops"), bool_from);
}
std::optional<std::vector<std::int64_t>> Config::l2_groupings() const {
  return list_of<std::int64_t>(raw("l2_groupings"), int_from);
}
std::optional<std::vector<std::optional<std::int64_t>>> Config::reduction_loops() const {
  return list_of<std::optional<std::int64_t>>(raw("reduction_loops"), opt_int_from);
}
std::optional<std::vector<std::int64_t>> Config::range_unroll_factors() const {
  return list_of<std::int64_t>(raw("range_unroll_factors"), int_from);
}
std::optional<std::vector<std::optional<bool>>> Config::range_warp_specializes() const {
  return list_of<std::optional<bool>>(raw("range_warp_specializes"), opt_bool_from);
}
std::optional<std::vector<std::int64_t>> Config::range_num_stages() const {
  return list_of<std::int64_t>(raw("range_num_stages"), int_from);
}
std::optional<std::vector<std::optional<bool>>> Config::range_multi_buffers() const {
  return list_of<std::optional<bool>>(raw("range_multi_buffers"), opt_bool_from);
}
std::optional<std::vector<std::optional<bool>>> Config::range_flattens() const {
  return list_of<std::optional<bool>>(raw("range_flattens"), opt_bool_from);
}
std::optional<std::vector<bool>> Config::static_ranges() const {
  return list_of<bool>(raw("static_ranges"), bool_from);
}
std::optional<std::vector<EvictionPolicy>> Config::load_eviction_policies() const {
  return list_of<EvictionPolicy>(raw("load_eviction_policies"), eviction_from);
}
std::optional<std::int64_t> Config::num_warps() const {
  const Json* v = raw("num_warps");
  return v ? as_int(*v) : std::nullopt;
}
std::optional<std::int64_t> Config::num_stages() const {
  const Json* v = raw("num_stages");
  return v ? as_int(*v) : std::nullopt;
}
std::optional<IndexingSetting> Config::indexing() const { return indexing_setting(raw("indexing")); }
std::optional<IndexingSetting> Config::atomic_indexing() const {
  return indexing_setting(raw("atomic_indexing"));
}
std::optional<PidType> Config::pid_type() const {
  const Json* v = raw("pid_type");
  return v ? std::optional<PidType>(pid_from(*v)) : std::nullopt;
}
std::optional<std::int64_t> Config::maxnreg() const {
  const Json* v = raw("maxnreg");
  return v ? opt_int_from(*v) : std::nullopt;
}
std::optional<std::int64_t> Config::num_sm_multiplier() const {
  const Json* v = raw("num_sm_multiplier");
  return v ? as_int(*v) : std::nullopt;
}
std::optional<std::int64_t> Config::waves_per_eu() const {
  const Json* v = raw("waves_per_eu");
  return v ? as_int(*v) : std::nullopt;
}
std::optional<std::int64_t> Config::matrix_instr_nonkdim() const {
  const Json* v = raw("matrix_instr_nonkdim");
  return v ? as_int(*v) : std::nullopt;
}

// ---- typed setters ----------------------------------------------------------------------------

namespace {
Json ints(const std::vector<std::int64_t>& v) {
  return list_to_json(v, [](std::int64_t x) { return Json(x); });
}
Json bools(const std::vector<bool>& v) {
  return list_to_json(v, [](bool x) { return Json(x); });
}
template <typename T>
Json optionals(const std::vector<std::optional<T>>& v) {
  return list_to_json(v, [](const std::optional<T>& x) { return opt_to_json(x); });
}
}  // namespace

Config& Config::set_block_sizes(const std::vector<std::int64_t>& v) { return set_raw("block_sizes", ints(v)); }
Config& Config::set_loop_orders(const std::vector<std::vector<std::int64_t>>& v) {
  return set_raw("loop_orders", list_to_json(v, ints));
}
Config& Config::set_flatten_loops(const std::vector<bool>& v) { return set_raw("flatten_loops", bools(v)); }
Config& Config::set_l2_groupings(const std::vector<std::int64_t>& v) { return set_raw("l2_groupings", ints(v)); }
Config& Config::set_reduction_loops(const std::vector<std::optional<std::int64_t>>& v) {
  return set_raw("reduction_loops", optionals(v));
}
Config& Config::set_range_unroll_factors(const std::vector<std::int64_t>& v) {
  return set_raw("range_unroll_factors", ints(v));
}
Config& Config::set_range_warp_specializes(const std::vector<std::optional<bool>>& v) {
  return set_raw("range_warp_specializes", optionals(v));
}
Config& Config::set_range_num_stages(const std::vector<std::int64_t>& v) {
  return set_raw("range_num_stages", ints(v));
}
Config& Config::set_range_multi_buffers(const std::vector<std::optional<bool>>& v) {
  return set_raw("range_multi_buffers", optionals(v));
}
Config& Config::set_range_flattens(const std::vector<std::optional<bool>>& v) {
  return set_raw("range_flattens", optionals(v));
}
Config& Config::set_static_ranges(const std::vector<bool>& v) { return set_raw("static_ranges", bools(v)); }
Config& Config::set_load_eviction_policies(const std::vector<EvictionPolicy>& v) {
  return set_raw("load_eviction_policies",
                 list_to_json(v, [](EvictionPolicy e) { return std::string(to_string(e)); }));
}
Config& Config::set_num_warps(std::int64_t v) { return set_raw("num_warps", v); }
Config& Config::set_num_stages(std::int64_t v) { return set_raw("num_stages", v); }
Config& Config::set_indexing(const IndexingSetting& v) { return set_raw("indexing", indexing_json(v)); }
Config& Config::set_atomic_indexing(const IndexingSetting& v) {
  return set_raw("atomic_indexing", indexing_json(v));
}
Config& Config::set_pid_type(PidType v) { return set_raw("pid_type", std::string(to_string(v))); }
Config& Config::set_maxnreg(std::optional<std::int64_t> v) { return set_raw("maxnreg", opt_to_json(v)); }
Config& Config::set_num_sm_multiplier(std::int64_t v) { return set_raw("num_sm_multiplier", v); }
Config& Config::set_waves_per_eu(std::int64_t v) { return set_raw("waves_per_eu", v); }
Config& Config::set_matrix_instr_nonkdim(std::int64_t v) { return set_raw("matrix_instr_nonkdim", v); }

}  // namespace tessera
