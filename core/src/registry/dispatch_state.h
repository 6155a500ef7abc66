// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The per-kernel caches behind `RegisteredKernel` (registry.h): variant plans, per-device
/// states (platform, keys, disabled reason), the pick cache (argument shape -> route) and the
/// compile slots ((variant, picked key, specialization) -> executable). Private to the layer.

#ifndef TS_IMPL_REGISTRY_INTERNAL
#error "dispatch_state.h is private to core/src/registry"
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "insert_only_map.h"
#include "tessera/config/config_set.h"
#include "tessera/registry/registry.h"

namespace tessera::registry::detail {

/// A short tuple of integers used as a hash key on the dispatch path (no allocation; the
/// slots past `n` stay uninitialized and are never read, copies included).
struct IntKey {
  static constexpr std::size_t kCapacity = 64;
  std::array<std::int64_t, kCapacity> v;  // NOLINT: only v[0, n) is ever read
  std::size_t n = 0;
  // Not value-initialized: every warm call builds a key, and zeroing 512 bytes there is what
  // 6951fee removed. Copies (slow path and map inserts only) take v[0, n): cheaper than the
  // implicit 520-byte copy, and they never read an indeterminate slot.
  IntKey() {}  // NOLINT: see v
  IntKey(const IntKey& o) : n(o.n) { std::copy_n(o.v.begin(), o.n, v.begin()); }
  IntKey& operator=(const IntKey& o) {
    if (this != &o) n = o.n, std::copy_n(o.v.begin(), o.n, v.begin());
    return *this;
  }
  void push(std::int64_t x) {
    TS_INTERNAL_CHECK(n < kCapacity) << "dispatch key too long";
    v[n++] = x;
  }
  std::size_t room() const { return kCapacity - n; }
  friend bool operator==(const IntKey& a, const IntKey& b) {
    if (a.n != b.n) return false;
    for (std::size_t i = 0; i < a.n; ++i)
      if (a.v[i] != b.v[i]) return false;
    return true;
  }
};
struct IntKeyHash {
  std::size_t operator()(const IntKey& k) const noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull ^ k.n;
    for (std::size_t i = 0; i < k.n; ++i) {
      h ^= static_cast<std::uint64_t>(k.v[i]) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    }
    return static_cast<std::size_t>(h);
  }
};

/// Where one dimension of a declared tensor comes from.
struct DimSource {
  int symbol = -1;               ///< a size symbol (index into Kernel::size_vars), or
  std::int64_t constant = -1;    ///< a constant, or
  const ir::Expr* expr = nullptr;  ///< a compound size expression (e.g. two_d / 2)
  bool compile_time = false;     ///< known once the specialized symbols are
};

/// A traced variant kernel and how calls bind to it.
struct VariantPlan {
  std::shared_ptr<const ir::Kernel> kernel;
  std::vector<const ir::TensorParam*> tensors;  ///< inputs then outputs
  std::vector<std::vector<DimSource>> dims;     ///< per tensor, per dimension
  /// Per size symbol: the first (tensor, dim) declaring it, or (-1, -1).
  std::vector<std::pair<int, int>> symbol_source;
  std::vector<int> specialized;                 ///< indices of specialized symbols
  /// Per tensor: its strides are compile-time when it is contiguous (every dim but the first
  /// is compile-time).
  std::vector<bool> strides_fixable;
};

/// One compiled entry; created on the first call that maps to it, compiled once.
struct CompileSlot {
  CompileRequest request;  ///< owns what the pointers in it refer to (below)
  CaseKey key = CaseKey::default_key();
  Config config;
  std::once_flag once;
  std::shared_ptr<const Executable> executable;
  std::atomic<const Executable*> ready{nullptr};
};

/// The result of a pick, cached per argument shape.
struct Resolved {
  Route route;
  CompileSlot* slot = nullptr;
};

/// One key of the compile-slot map: the numbers of the specialization and the picked key.
struct SlotKey {
  IntKey numbers;
  std::string key;
  friend bool operator==(const SlotKey& a, const SlotKey& b) { return a.numbers == b.numbers && a.key == b.key; }
};
struct SlotKeyHash {
  std::size_t operator()(const SlotKey& k) const noexcept {
    return IntKeyHash{}(k.numbers) ^ (std::hash<std::string>{}(k.key) * 31);
  }
};

/// The warm path's one lookup: everything a call's arguments determine, cached under the call
/// key (registry.cpp `call_key`: device, variant, pick shape, and each tensor's dtype, rank,
/// contiguity and dimensions), so a repeated call skips the variant, device and route maps and
/// the size checks its first call passed.
struct FastRoute {
  const VariantPlan* plan = nullptr;
  const Resolved* resolved = nullptr;
  std::array<std::int64_t, 16> sizes{};  ///< the size symbols' values (Kernel::size_vars order)
};

/// A kernel on one device.
struct DeviceState {
  DeviceContext context;
  /// vLLM's disabled reason, when the platform has no configs for the kernel.
  std::optional<std::string> disabled;
  std::shared_ptr<const ConfigSet> configs;
  std::vector<CaseKey> keys;  ///< sorted by canonical string
  bool has_default = false;
  InsertOnlyMap<IntKey, Resolved, IntKeyHash> routes;
  InsertOnlyMap<SlotKey, std::unique_ptr<CompileSlot>, SlotKeyHash> slots;
};

}  // namespace tessera::registry::detail
