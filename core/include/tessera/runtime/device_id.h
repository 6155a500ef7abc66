// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `DeviceId`: which device a pointer, buffer or tensor lives on, spelled `cpu`, `cuda:N` or
/// `hip:N` (the spelling of PyTorch's `torch.device`). A plain value: copyable, hashable,
/// comparable, no ownership and no driver calls, so tensors and DLPack views can carry one.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tessera::runtime {

/// The backend that owns a device. Order is the order of `tessera devices` output.
enum class DeviceKind : std::uint8_t { cpu, cuda, hip };

/// "cpu", "cuda", "hip".
std::string_view device_kind_name(DeviceKind kind);

/// A device of one backend: `kind` plus the backend's ordinal (always 0 for the CPU).
struct DeviceId {
  DeviceKind kind = DeviceKind::cpu;
  int index = 0;

  /// The host (pageable or pinned host memory lives here too).
  static constexpr DeviceId cpu() { return {DeviceKind::cpu, 0}; }

  /// Parses "cpu", "cuda", "cuda:N", "hip", "hip:N" (no index means 0). Throws `UserError`
  /// echoing the input and listing the valid forms. Does not check that the device exists.
  static DeviceId parse(std::string_view text);

  /// "cpu", "cuda:0", "hip:1": the inverse of `parse`.
  std::string str() const;

  bool is_gpu() const { return kind != DeviceKind::cpu; }
  friend bool operator==(const DeviceId&, const DeviceId&) = default;
};

}  // namespace tessera::runtime

template <>
struct std::hash<tessera::runtime::DeviceId> {
  std::size_t operator()(const tessera::runtime::DeviceId& d) const noexcept {
    return (static_cast<std::size_t>(d.kind) << 24) ^ static_cast<std::size_t>(d.index);
  }
};
