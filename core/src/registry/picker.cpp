// SPDX-License-Identifier: Apache-2.0
#include "tessera/registry/picker.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "tessera/error.h"

namespace tessera::registry {

std::int64_t closest_value(std::span<const std::int64_t> candidates, std::int64_t value) {
  TS_INTERNAL_CHECK(!candidates.empty()) << "closest_value of no candidates";
  std::int64_t best = candidates.front();
  // |a - b| in unsigned arithmetic: no overflow for any pair of int64 values.
  auto dist = [&](std::int64_t c) {
    return c >= value ? static_cast<std::uint64_t>(c) - static_cast<std::uint64_t>(value)
                      : static_cast<std::uint64_t>(value) - static_cast<std::uint64_t>(c);
  };
  std::uint64_t best_dist = dist(best);
  for (std::int64_t c : candidates.subspan(1)) {
    const std::uint64_t d = dist(c);
    if (d < best_dist) best = c, best_dist = d;  // strict: ties keep the earliest (Python min)
  }
  return best;
}

std::int64_t smallest_at_least(std::span<const std::int64_t> candidates, std::int64_t value) {
  TS_INTERNAL_CHECK(!candidates.empty()) << "smallest_at_least of no candidates";
  std::int64_t best_above = std::numeric_limits<std::int64_t>::max();
  bool found = false;
  std::int64_t largest = candidates.front();
  for (std::int64_t c : candidates) {
    largest = std::max(largest, c);
    if (c >= value && c <= best_above) best_above = c, found = true;
  }
  return found ? best_above : largest;
}

namespace {

std::int64_t field_value(const CaseKey& key, const std::string& name) {
  const KeyScalar* v = key.find(name);
  TS_USER_CHECK(v != nullptr) << "config key " << key.canonical() << " has no field '" << name
                              << "', which this kernel's picker reads; fix the config file's key "
                                 "(or regenerate it with `tessera tune`)";
  const auto* i = std::get_if<std::int64_t>(v);
  TS_USER_CHECK(i != nullptr) << "config key " << key.canonical() << ": field '" << name
                              << "' must be an integer";
  return *i;
}

}  // namespace

std::optional<CaseKey> pick_by_fields(std::span<const CaseKey> keys, const std::vector<PickField>& fields) {
  TS_INTERNAL_CHECK(!fields.empty()) << "pick_by_fields needs at least one field";
  // The keys still in the running, in the given order; narrowed field by field.
  std::vector<const CaseKey*> live;
  live.reserve(keys.size());
  for (const CaseKey& k : keys)
    if (!k.is_default()) live.push_back(&k);
  if (live.empty()) return std::nullopt;

  std::vector<CaseKey::Field> chosen;
  std::vector<std::int64_t> values;
  for (const PickField& f : fields) {
    values.clear();
    for (const CaseKey* k : live) {
      const std::int64_t v = field_value(*k, f.name);
      // Distinct values in first-seen order (a Python dict's keys).
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
    const std::int64_t pick = f.rule == PickRule::kClosest ? closest_value(values, f.value)
                                                           : smallest_at_least(values, f.value);
    chosen.emplace_back(f.name, pick);
    std::erase_if(live, [&](const CaseKey* k) { return field_value(*k, f.name) != pick; });
  }
  return CaseKey(std::move(chosen));
}

}  // namespace tessera::registry
